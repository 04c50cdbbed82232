// The committed offsets of a deleted topic are tombstoned in every group (Kafka's
// GroupCoordinator.onPartitionsDeleted): once a topic is deleted and created again under the same
// name, OffsetFetch answers -1 for its partitions in every group that had committed there, before
// and after a broker restart; offsets of other topics stay, and commits on the new topic count.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { DeleteTopicsRequest } from '../../src/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../src/protocol/generated/delete-topics-response.js';
import { commit, connect, createTopic, fetchCommitted, withTimeout } from './helpers.js';
import { fetchAsMember } from '../groups/kip848-helpers.js';
import { freePort } from '../data-path/helpers.js';

const dirs: string[] = [];
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function deleteTopic(c: ClientConnection, name: string): Promise<void> {
  const r = await withTimeout(
    c.send(DeleteTopicsRequest, DeleteTopicsResponse, 5, { topics: [], topicNames: [name], timeoutMs: 5000 }),
    10_000,
    'DeleteTopics',
  );
  assert.is(r.responses[0]!.errorCode, 0);
}

const offsetsOf = async (c: ClientConnection, group: string, topics: Array<{ name: string; partitionIndexes: number[] }>) => [
  ...(await fetchAsMember(c, group, null, -1, topics)).offsets.entries(),
];

async function assertNoStaleOffsets(c: ClientConnection): Promise<void> {
  assert.equal(
    await offsetsOf(c, 'g1', [
      { name: 'doomed', partitionIndexes: [0, 1] },
      { name: 'kept', partitionIndexes: [0] },
    ]),
    [
      ['doomed:0', 1],
      ['doomed:1', -1],
      ['kept:0', 7],
    ],
  );
  assert.equal(await offsetsOf(c, 'g2', [{ name: 'doomed', partitionIndexes: [0] }]), [['doomed:0', -1]]);
  assert.equal([...(await fetchCommitted(c, 'g2')).entries()], [], 'g2 has no offsets left');
}

test('a deleted and re-created topic has no committed offsets; the tombstones survive a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-deleted-topic-'));
  dirs.push(dataDir);
  const port = await freePort();
  let broker: Broker = await startBroker({ port, dataDir, logLevel: 'silent' });
  let c = await connect(broker.bootstrap);
  try {
    await createTopic(c, 'doomed', 2);
    await createTopic(c, 'kept', 1);
    assert.equal(
      await commit(c, 'g1', -1, '', [
        { topic: 'doomed', partition: 0, offset: 5 },
        { topic: 'doomed', partition: 1, offset: 6 },
        { topic: 'kept', partition: 0, offset: 7 },
      ]),
      [0, 0, 0],
    );
    assert.equal(await commit(c, 'g2', -1, '', [{ topic: 'doomed', partition: 0, offset: 9 }]), [0]);
    await deleteTopic(c, 'doomed');
    await createTopic(c, 'doomed', 2);
    assert.equal(await offsetsOf(c, 'g1', [{ name: 'doomed', partitionIndexes: [0, 1] }]), [
      ['doomed:0', -1],
      ['doomed:1', -1],
    ]);
    // A commit on the new topic is kept.
    assert.equal(await commit(c, 'g1', -1, '', [{ topic: 'doomed', partition: 0, offset: 1 }]), [0]);
    await assertNoStaleOffsets(c);
    c.close();
    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent' });
    c = await connect(broker.bootstrap);
    await assertNoStaleOffsets(c);
  } finally {
    c.close();
    await broker.close();
  }
});

test.run();
