// Offsets retention and group deletion through __consumer_offsets, on disk: the expiry pass
// (what the offsets.retention.check.interval.ms timer runs, called here with a clock moved past
// offsets.retention.minutes) expires the offsets of empty groups and of standalone consumers,
// keeps those of live groups, deletes groups left with nothing, and writes tombstones, so that
// after a restart the expired offsets and deleted groups stay gone. OffsetDelete and DeleteGroups
// tombstones survive a restart too, and OffsetCommit v2's own retention time is honoured.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { cleanupGroupMetadata } from '../../src/coordinator/group-admin.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { DeleteGroupsRequest } from '../../src/protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../src/protocol/generated/delete-groups-response.js';
import { OffsetDeleteRequest } from '../../src/protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../src/protocol/generated/offset-delete-response.js';
import { OffsetCommitRequest } from '../../src/protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../src/protocol/generated/offset-commit-response.js';
import { commit, connect, createTopic, fetchCommitted, joinFully, leave, sync, withTimeout } from './helpers.js';

const RETENTION_MS = 60_000; // offsets.retention.minutes=1
let dataDir: string;
let broker: Broker;
let c: ClientConnection;

async function restart(): Promise<void> {
  c.close();
  await broker.close();
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', config: { 'offsets.retention.minutes': 1 } });
  c = await connect(broker.bootstrap);
}

async function groups(): Promise<string[]> {
  const r = await withTimeout(c.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: [], typesFilter: [] }), 5000, 'ListGroups');
  return r.groups.map((g) => g.groupId).sort();
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-retention-'));
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', config: { 'offsets.retention.minutes': 1 } });
  c = await connect(broker.bootstrap);
  await createTopic(c, 't', 2);
});

test.after(async () => {
  c.close();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('expiry: empty groups and standalone consumers lose old offsets, live groups keep theirs', async () => {
  // A standalone consumer's offsets, an empty classic group's, and a live group's.
  assert.equal(await commit(c, 'standalone', -1, '', [{ topic: 't', partition: 0, offset: 5 }]), [0]);
  const e = await joinFully(c, 'emptied', { sessionTimeoutMs: 10_000 });
  await sync(c, 'emptied', e.generationId, e.memberId);
  assert.equal(await commit(c, 'emptied', e.generationId, e.memberId, [{ topic: 't', partition: 1, offset: 7 }]), [0]);
  await leave(c, 'emptied', [{ memberId: e.memberId }]);
  const l = await joinFully(c, 'live', { sessionTimeoutMs: 60_000 });
  await sync(c, 'live', l.generationId, l.memberId);
  assert.equal(await commit(c, 'live', l.generationId, l.memberId, [{ topic: 't', partition: 0, offset: 9 }]), [0]);
  assert.equal(await groups(), ['emptied', 'live', 'standalone']);

  // Not yet old enough: nothing happens.
  assert.is(cleanupGroupMetadata(broker.coordinator, Date.now() + RETENTION_MS / 2), 0);
  const tombstones = cleanupGroupMetadata(broker.coordinator, Date.now() + RETENTION_MS + 1000);
  assert.is(tombstones, 3, "two offsets and the emptied group's metadata (the standalone group never had a record)");
  assert.equal(await groups(), ['live']);
  assert.equal([...(await fetchCommitted(c, 'standalone'))], []);
  assert.equal([...(await fetchCommitted(c, 'emptied'))], []);
  assert.equal([...(await fetchCommitted(c, 'live'))], [['t:0', 9]]);
});

test('OffsetCommit v2 with a retention time expires at its own time', async () => {
  const r = await withTimeout(
    c.send(OffsetCommitRequest, OffsetCommitResponse, 2, {
      groupId: 'short-lived',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      retentionTimeMs: 1000,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3, committedMetadata: 'm' }] }],
    }),
    5000,
    'OffsetCommit v2',
  );
  assert.is(r.topics[0]!.partitions[0]!.errorCode, 0);
  assert.is(cleanupGroupMetadata(broker.coordinator, Date.now() + 2000), 1, 'its offset expires long before offsets.retention.minutes');
  assert.equal([...(await fetchCommitted(c, 'short-lived'))], []);
});

test('OffsetDelete and DeleteGroups write tombstones that survive a restart', async () => {
  assert.equal(
    await commit(c, 'doomed', -1, '', [
      { topic: 't', partition: 0, offset: 1 },
      { topic: 't', partition: 1, offset: 2 },
    ]),
    [0, 0],
  );
  assert.equal(
    await commit(c, 'trimmed', -1, '', [
      { topic: 't', partition: 0, offset: 3 },
      { topic: 't', partition: 1, offset: 4 },
    ]),
    [0, 0],
  );
  const od = await withTimeout(
    c.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, { groupId: 'trimmed', topics: [{ name: 't', partitions: [{ partitionIndex: 1 }] }] }),
    5000,
    'OffsetDelete',
  );
  assert.is(od.topics[0]!.partitions[0]!.errorCode, 0);
  const d = await withTimeout(c.send(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: ['doomed'] }), 5000, 'DeleteGroups');
  assert.is(d.results[0]!.errorCode, 0);
  await restart();
  assert.equal(await groups(), ['live', 'trimmed']);
  assert.equal([...(await fetchCommitted(c, 'trimmed'))], [['t:0', 3]]);
  assert.equal([...(await fetchCommitted(c, 'doomed'))], []);
  assert.equal([...(await fetchCommitted(c, 'live'))], [['t:0', 9]], 'and what was not deleted is still there');
});

test.run();
