// KIP-848 consumer groups survive a broker restart, at the protocol level (samsa's own client):
// two members reconcile to a stable group on a disk broker, the broker restarts (cleanly in this
// process, and with kill -9 of a `bin/samsa.js start` process), and the group comes back from
// __consumer_offsets with the same group and assignment epochs, members, member epochs and
// assignments; the members' next heartbeats with their old ids and epochs are accepted without
// an epoch bump, and OffsetFetch as a member sees the offsets committed before. Session timeouts
// start again at load: a member that never heartbeats after the restart is fenced.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { commit, connect, createTopic } from '../coordinator/helpers.js';
import { freePort, SamsaProcess } from '../data-path/helpers.js';
import { waitFor } from './helpers.js';
import { describeCg, durableState, fetchAsMember, hb, joinCg, partsOf } from './kip848-helpers.js';

const TOPIC = 'cg-restart-topic';
const GROUP = 'cg-restart-group';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-cg-restart-'));
  dirs.push(d);
  return d;
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Stable {
  topicId: string;
  a: number[];
  b: number[];
}

/** Members a and b join, a revokes half of its partitions, b takes them: Stable at epoch 2. */
async function stableGroup(c: ClientConnection): Promise<Stable> {
  await createTopic(c, TOPIC, 6);
  const a1 = await joinCg(c, GROUP, 'member-a', [TOPIC]);
  assert.is(a1.errorCode, 0);
  assert.is(a1.memberEpoch, 1);
  const topicId = a1.assignment!.topicPartitions[0]!.topicId;
  const b1 = await joinCg(c, GROUP, 'member-b', [TOPIC]);
  assert.is(b1.memberEpoch, 2);
  const a2 = await hb(c, { groupId: GROUP, memberId: 'member-a', memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }] });
  const a = partsOf(a2.assignment);
  assert.is(a.length, 3);
  const a3 = await hb(c, { groupId: GROUP, memberId: 'member-a', memberEpoch: 1, topicPartitions: [{ topicId, partitions: a }] });
  assert.is(a3.memberEpoch, 2);
  const b2 = await hb(c, { groupId: GROUP, memberId: 'member-b', memberEpoch: 2, topicPartitions: [] });
  const b = partsOf(b2.assignment);
  assert.is(b.length, 3);
  const d = await describeCg(c, GROUP);
  assert.is(d.groupState, 'Stable');
  assert.equal(
    d.members.map((m) => m.memberEpoch),
    [2, 2],
  );
  // Member a commits at its epoch.
  assert.equal(
    await commit(
      c,
      GROUP,
      2,
      'member-a',
      a.map((p, i) => ({ topic: TOPIC, partition: p, offset: 10 + i })),
    ),
    [0, 0, 0],
  );
  return { topicId, a, b };
}

/** After the restart: the same group, the old epochs accepted, the committed offsets there. */
async function assertCarriesOn(c: ClientConnection, s: Stable, before: ReturnType<typeof durableState>): Promise<void> {
  assert.equal(durableState(await describeCg(c, GROUP)), before, 'ConsumerGroupDescribe shows the group as it was');
  // A full heartbeat (as after a reconnect) with the old id and epoch: accepted, same epoch and partitions.
  for (const [id, parts] of [
    ['member-a', s.a],
    ['member-b', s.b],
  ] as const) {
    const r = await hb(c, {
      groupId: GROUP,
      memberId: id,
      memberEpoch: 2,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: [TOPIC],
      topicPartitions: [{ topicId: s.topicId, partitions: [...parts] }],
    });
    assert.is(r.errorCode, 0, `${id}: ${r.errorMessage}`);
    assert.is(r.memberEpoch, 2, `${id} keeps its epoch`);
    assert.equal(partsOf(r.assignment), [...parts]);
  }
  // An ordinary heartbeat carries no assignment: nothing changed.
  assert.is((await hb(c, { groupId: GROUP, memberId: 'member-b', memberEpoch: 2 })).assignment, null);
  const fetched = await fetchAsMember(c, GROUP, 'member-a', 2, [{ name: TOPIC, partitionIndexes: s.a }]);
  assert.is(fetched.errorCode, 0);
  assert.equal([...fetched.offsets.values()], [10, 11, 12]);
  const after = await describeCg(c, GROUP);
  assert.is(after.groupEpoch, 2, 'no epoch bump on load');
  assert.is(after.groupState, 'Stable');
}

test('clean restart: the consumer group comes back and its members carry on', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  let broker: Broker = await startBroker({ port, dataDir, logLevel: 'silent' });
  let c = await connect(broker.bootstrap);
  try {
    const s = await stableGroup(c);
    const before = durableState(await describeCg(c, GROUP));
    c.close();
    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent' });
    c = await connect(broker.bootstrap);
    await assertCarriesOn(c, s, before);
    // A member leaving after the restart is tombstoned; the other gets everything at epoch 3.
    assert.is((await hb(c, { groupId: GROUP, memberId: 'member-b', memberEpoch: -1 })).errorCode, 0);
    const a = await hb(c, { groupId: GROUP, memberId: 'member-a', memberEpoch: 2, topicPartitions: [{ topicId: s.topicId, partitions: s.a }] });
    assert.is(a.memberEpoch, 3);
    assert.equal(partsOf(a.assignment), [0, 1, 2, 3, 4, 5]);
    c.close();
    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent' });
    c = await connect(broker.bootstrap);
    const d = await describeCg(c, GROUP);
    assert.equal(
      d.members.map((m) => [m.memberId, m.memberEpoch]),
      [['member-a', 3]],
    );
    assert.is(d.groupEpoch, 3);
  } finally {
    c.close();
    await broker.close();
  }
});

test('kill -9 of a samsa process: the consumer group comes back and its members carry on', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  let samsa = new SamsaProcess(port, dataDir);
  await samsa.ready();
  let c = await connect(samsa.bootstrap);
  try {
    const s = await stableGroup(c);
    const before = durableState(await describeCg(c, GROUP));
    c.close();
    const exit = await samsa.stop('SIGKILL');
    assert.is(exit.signal, 'SIGKILL');
    samsa = new SamsaProcess(port, dataDir);
    await samsa.ready();
    c = await connect(samsa.bootstrap);
    await assertCarriesOn(c, s, before);
  } finally {
    c.close();
    await samsa.stop('SIGTERM').catch(() => undefined);
  }
});

test('session timeouts start again at load: a member that never comes back is fenced', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  const config = { 'group.consumer.session.timeout.ms': 5000, 'group.consumer.min.session.timeout.ms': 100 };
  let broker: Broker = await startBroker({ port, dataDir, logLevel: 'silent', config });
  let c = await connect(broker.bootstrap);
  try {
    await createTopic(c, TOPIC, 2);
    assert.is((await joinCg(c, GROUP, 'silent', [TOPIC])).errorCode, 0);
    c.close();
    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent', config });
    assert.ok(broker.coordinator.consumerGroups.get(GROUP)?.members.has('silent'), 'the member is loaded');
    c = await connect(broker.bootstrap);
    await waitFor(
      async () => (await describeCg(c, GROUP)).groupState === 'Empty',
      30_000,
      () => 'the silent member fenced after its session timeout',
    );
    assert.is((await hb(c, { groupId: GROUP, memberId: 'silent', memberEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    // The fencing was written too: after another restart the group is still empty.
    c.close();
    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent', config });
    c = await connect(broker.bootstrap);
    const d = await describeCg(c, GROUP);
    assert.is(d.groupState, 'Empty');
    assert.is(d.groupEpoch, 2);
  } finally {
    c.close();
    await broker.close();
  }
});

test.run();
