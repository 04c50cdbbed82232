// A group id is a classic group or a KIP-848 consumer group, never both (Kafka's
// GroupMetadataManager with group.consumer.migration.policy=disabled: samsa converts only empty
// groups, it does not migrate members online). A consumer-protocol member joining an empty
// classic group converts it, and a classic JoinGroup converts an empty consumer group; committed
// offsets stay, and the conversion is in the log (after a restart the group has its new type).
// A group with members of the other protocol answers GROUP_ID_NOT_FOUND (ConsumerGroupHeartbeat)
// or INCONSISTENT_GROUP_PROTOCOL (JoinGroup).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { commit, connect, createTopic, describe, fetchCommitted, joinFully, leave, sync, withTimeout } from '../coordinator/helpers.js';
import { freePort } from '../data-path/helpers.js';
import { describeCg, hb, joinCg } from './kip848-helpers.js';

const TOPIC = 'conv-topic';
let dataDir = '';
let port = 0;
let broker: Broker;
let c: ClientConnection;

async function restart(): Promise<void> {
  c.close();
  await broker.close();
  broker = await startBroker({ port, dataDir, logLevel: 'silent' });
  c = await connect(broker.bootstrap);
}

async function typeOf(groupId: string): Promise<string | undefined> {
  const r = await withTimeout(c.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: [], typesFilter: [] }), 10_000, 'ListGroups');
  return r.groups.find((g) => g.groupId === groupId)?.groupType;
}

/** A classic member joins, syncs and commits; returns its id and generation. */
async function classicMember(groupId: string) {
  const j = await joinFully(c, groupId, { protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 255, 255, 255, 255]) }] });
  assert.is(j.errorCode, 0);
  assert.is((await sync(c, groupId, j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.alloc(0) }])).errorCode, 0);
  assert.equal(await commit(c, groupId, j.generationId, j.memberId, [{ topic: TOPIC, partition: 0, offset: 11 }]), [0]);
  return j;
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-conversion-'));
  port = await freePort();
  broker = await startBroker({ port, dataDir, logLevel: 'silent' });
  c = await connect(broker.bootstrap);
  await createTopic(c, TOPIC, 2);
});

test.after(async () => {
  c.close();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a classic group with members refuses consumer-protocol members: GROUP_ID_NOT_FOUND', async () => {
  const j = await classicMember('busy-classic');
  for (const epoch of [0, 1, -1]) {
    const r = epoch === 0 ? await joinCg(c, 'busy-classic', 'x', [TOPIC]) : await hb(c, { groupId: 'busy-classic', memberId: 'x', memberEpoch: epoch });
    assert.is(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND, `epoch ${epoch}`);
  }
  assert.is((await describeCg(c, 'busy-classic')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is(await typeOf('busy-classic'), 'classic');
  await leave(c, 'busy-classic', [{ memberId: j.memberId }]);
});

test('a consumer group with members refuses classic members: INCONSISTENT_GROUP_PROTOCOL', async () => {
  assert.is((await joinCg(c, 'busy-consumer', 'm', [TOPIC])).errorCode, 0);
  assert.is((await joinFully(c, 'busy-consumer')).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.is(await typeOf('busy-consumer'), 'consumer');
});

test('unknown group: a heartbeat that is not a join answers GROUP_ID_NOT_FOUND', async () => {
  assert.is((await hb(c, { groupId: 'never-seen', memberId: 'm', memberEpoch: 3 })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is((await hb(c, { groupId: 'never-seen', memberId: 'm', memberEpoch: -1 })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('an empty classic group becomes a consumer group, keeps its offsets, and stays one after a restart', async () => {
  const j = await classicMember('up');
  await leave(c, 'up', [{ memberId: j.memberId }]);
  assert.is((await describe(c, 'up')).groupState, 'Empty');
  const r = await joinCg(c, 'up', 'n1', [TOPIC]);
  assert.is(r.errorCode, 0);
  assert.is(r.memberEpoch, 1);
  assert.is(await typeOf('up'), 'consumer');
  assert.is((await fetchCommitted(c, 'up')).get(`${TOPIC}:0`), 11);
  await restart();
  assert.is(await typeOf('up'), 'consumer', 'the classic group metadata was tombstoned');
  assert.is((await describe(c, 'up')).groupState, 'Dead', 'no classic group by that id');
  const d = await describeCg(c, 'up');
  assert.is(d.errorCode, 0);
  assert.equal(
    d.members.map((m) => m.memberId),
    ['n1'],
  );
  assert.is((await fetchCommitted(c, 'up')).get(`${TOPIC}:0`), 11);
});

test('an empty consumer group becomes a classic group on JoinGroup, keeps its offsets, and stays one after a restart', async () => {
  const r = await joinCg(c, 'down', 'm', [TOPIC]);
  assert.equal(await commit(c, 'down', r.memberEpoch, 'm', [{ topic: TOPIC, partition: 1, offset: 22 }]), [0]);
  assert.is((await hb(c, { groupId: 'down', memberId: 'm', memberEpoch: -1 })).errorCode, 0);
  assert.is((await describeCg(c, 'down')).groupState, 'Empty');
  const j = await joinFully(c, 'down');
  assert.is(j.errorCode, 0);
  assert.is((await sync(c, 'down', j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.alloc(0) }])).errorCode, 0);
  assert.is(await typeOf('down'), 'classic');
  assert.is((await fetchCommitted(c, 'down')).get(`${TOPIC}:1`), 22);
  await restart();
  assert.is(await typeOf('down'), 'classic', 'the consumer group records were tombstoned');
  const d = await describeCg(c, 'down');
  assert.is(d.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is(d.errorMessage, 'Group down is not a consumer group.');
  assert.equal(
    (await describe(c, 'down')).members.map((m) => m.memberId),
    [j.memberId],
  );
  assert.is((await fetchCommitted(c, 'down')).get(`${TOPIC}:1`), 22);
});

test.run();
