// Requests the classic group coordinator must refuse, each with Kafka's error code, sent with
// samsa's own client over real sockets: JoinGroup with an unknown protocol type for an existing
// group, SyncGroup with a stale generation, commits from a fenced static member, a heartbeat for
// an unknown member, and the other refusals of Kafka's GroupMetadataManager / OffsetMetadataManager.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { FindCoordinatorRequest } from '../../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../src/protocol/generated/find-coordinator-response.js';
import { DeleteGroupsRequest } from '../../src/protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../src/protocol/generated/delete-groups-response.js';
import { OffsetDeleteRequest } from '../../src/protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../src/protocol/generated/offset-delete-response.js';
import { encodeAssignment, encodeSubscription } from '../../src/coordinator/classic/consumer-protocol.js';
import { commit, connect, createTopic, describe, heartbeat, join, joinFully, leave, sync, waitForGroup, withTimeout } from './helpers.js';

let broker: Broker;
let c: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.min.session.timeout.ms': 100, 'group.max.size': 3 } });
  c = await connect(broker.bootstrap);
  await createTopic(c, 't', 4);
});

test.after(async () => {
  c.close();
  await broker.close();
});

/** One member joined and synced: a Stable group at generation 1. */
async function stableGroup(groupId: string, o: { groupInstanceId?: string } = {}) {
  const j = await joinFully(c, groupId, { groupInstanceId: o.groupInstanceId ?? null });
  assert.is(j.errorCode, ErrorCode.NONE, 'join');
  const s = await sync(
    c,
    groupId,
    j.generationId,
    j.memberId,
    [{ memberId: j.memberId, assignment: encodeAssignment([{ topic: 't', partitions: [0, 1, 2, 3] }]) }],
    { groupInstanceId: o.groupInstanceId ?? null },
  );
  assert.is(s.errorCode, ErrorCode.NONE, 'sync');
  return j;
}

test('JoinGroup with a protocol type the existing group does not use: INCONSISTENT_GROUP_PROTOCOL', async () => {
  await stableGroup('g-proto');
  const j = await joinFully(c, 'g-proto', { protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }] });
  assert.is(j.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  // ... and a protocol name no member supports, same type.
  const k = await joinFully(c, 'g-proto', { protocols: [{ name: 'nobody-has-this', metadata: encodeSubscription(['t']) }] });
  assert.is(k.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  // A first member with an empty protocol type or no protocols is refused too.
  assert.is((await join(c, 'g-proto-empty', { protocolType: '' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.is((await join(c, 'g-proto-empty2', { protocols: [], version: 3 })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
});

test('SyncGroup with a stale generation: ILLEGAL_GENERATION; with another protocol name: INCONSISTENT_GROUP_PROTOCOL', async () => {
  const j = await stableGroup('g-gen');
  assert.is(j.generationId, 1);
  const s = await sync(c, 'g-gen', j.generationId - 1, j.memberId);
  assert.is(s.errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.is((await sync(c, 'g-gen', j.generationId + 1, j.memberId)).errorCode, ErrorCode.ILLEGAL_GENERATION);
  assert.is((await sync(c, 'g-gen', j.generationId, j.memberId, [], { protocolName: 'roundrobin' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.is((await sync(c, 'g-gen', j.generationId, j.memberId, [], { protocolType: 'connect' })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  assert.is((await sync(c, 'g-gen', j.generationId, 'who-is-this')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is((await sync(c, 'no-such-group', 1, 'x')).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // Heartbeats and commits check the generation too.
  assert.is(await heartbeat(c, 'g-gen', j.generationId - 1, j.memberId), ErrorCode.ILLEGAL_GENERATION);
  assert.equal(await commit(c, 'g-gen', 7, j.memberId, [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.ILLEGAL_GENERATION]);
  // The right generation works.
  assert.is((await sync(c, 'g-gen', j.generationId, j.memberId)).errorCode, ErrorCode.NONE);
  assert.equal(await commit(c, 'g-gen', j.generationId, j.memberId, [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.NONE]);
});

test('a static member replaced by a newer instance is fenced: FENCED_INSTANCE_ID on commit, heartbeat, sync, join', async () => {
  const old = await stableGroup('g-static', { groupInstanceId: 'instance-1' });
  // The same group.instance.id joins again without a member id (a restarted process).
  const fresh = await join(c, 'g-static', { groupInstanceId: 'instance-1' });
  assert.is(fresh.errorCode, ErrorCode.NONE, 'the new instance takes over without a rebalance');
  assert.is.not(fresh.memberId, old.memberId);
  assert.is(fresh.generationId, old.generationId, 'same generation: the group stayed Stable');
  assert.is((await describe(c, 'g-static')).groupState, 'Stable');
  const offsets = [{ topic: 't', partition: 0, offset: 5 }];
  assert.equal(await commit(c, 'g-static', old.generationId, old.memberId, offsets, { groupInstanceId: 'instance-1' }), [ErrorCode.FENCED_INSTANCE_ID]);
  assert.is(await heartbeat(c, 'g-static', old.generationId, old.memberId, 'instance-1'), ErrorCode.FENCED_INSTANCE_ID);
  assert.is((await sync(c, 'g-static', old.generationId, old.memberId, [], { groupInstanceId: 'instance-1' })).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  assert.is((await join(c, 'g-static', { memberId: old.memberId, groupInstanceId: 'instance-1' })).errorCode, ErrorCode.FENCED_INSTANCE_ID);
  // The new member id works, and has the old member's assignment.
  assert.equal(await commit(c, 'g-static', fresh.generationId, fresh.memberId, offsets, { groupInstanceId: 'instance-1' }), [ErrorCode.NONE]);
  const s = await sync(c, 'g-static', fresh.generationId, fresh.memberId, [], { groupInstanceId: 'instance-1' });
  assert.is(s.errorCode, ErrorCode.NONE);
  assert.ok(s.assignment.length > 0, 'the assignment moved to the new member id');
  // An unknown instance id is UNKNOWN_MEMBER_ID.
  assert.is(await heartbeat(c, 'g-static', fresh.generationId, fresh.memberId, 'instance-2'), ErrorCode.UNKNOWN_MEMBER_ID);
  // LeaveGroup by instance id alone removes it.
  const l = await leave(c, 'g-static', [{ memberId: '', groupInstanceId: 'instance-1' }]);
  assert.is(l.members[0]!.errorCode, ErrorCode.NONE);
  await waitForGroup(c, 'g-static', (g) => g.groupState === 'Empty', 2000, 'empty after the static member left');
});

test('a heartbeat for an unknown member or group: UNKNOWN_MEMBER_ID', async () => {
  const j = await stableGroup('g-hb');
  assert.is(await heartbeat(c, 'g-hb', j.generationId, 'not-a-member'), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is(await heartbeat(c, 'no-such-group', 1, 'x'), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is(await heartbeat(c, 'g-hb', j.generationId, j.memberId), ErrorCode.NONE);
  assert.is(await heartbeat(c, '', 1, 'x'), ErrorCode.INVALID_GROUP_ID);
});

test('JoinGroup refusals: MEMBER_ID_REQUIRED, INVALID_SESSION_TIMEOUT, INVALID_GROUP_ID, unknown member, GROUP_MAX_SIZE_REACHED', async () => {
  const first = await join(c, 'g-join');
  assert.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, /^coordinator-test-[0-9a-f-]{36}$/);
  assert.is((await join(c, 'g-join', { version: 3 })).errorCode, ErrorCode.NONE, 'v3 and older: no second round');
  assert.is((await join(c, 'g-join', { sessionTimeoutMs: 50 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.is((await join(c, 'g-join', { sessionTimeoutMs: 1_900_000 })).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  assert.is((await join(c, '')).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.is((await join(c, 'g-join', { memberId: 'made-up' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is((await join(c, 'g-unknown-group', { memberId: 'made-up' })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  // group.max.size is 3 here. Three members starting together land in one generation (samsa
  // completes the first join once every known member has joined); a fourth is turned away.
  const members: ClientConnection[] = [];
  for (let i = 0; i < 4; i++) members.push(await connect(broker.bootstrap, `max-${i}`));
  const three = await Promise.all(members.slice(0, 3).map((m) => joinFully(m, 'g-max')));
  assert.equal(
    three.map((a) => [a.errorCode, a.generationId]),
    [
      [0, 1],
      [0, 1],
      [0, 1],
    ],
  );
  assert.is(three.filter((a) => a.members.length === 3).length, 1, 'one leader, who sees all three');
  const fourth = await joinFully(members[3]!, 'g-max');
  assert.is(fourth.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  for (const m of members) m.close();
});

test('offset commit refusals: unknown topic, metadata too large, unknown group with a generation, v0 commits to a live group', async () => {
  const j = await stableGroup('g-commit');
  assert.equal(await commit(c, 'g-commit', j.generationId, j.memberId, [{ topic: 'no-such-topic', partition: 0, offset: 1 }]), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  assert.equal(await commit(c, 'g-commit', j.generationId, j.memberId, [{ topic: 't', partition: 99, offset: 1 }]), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.equal(await commit(c, 'g-commit', j.generationId, j.memberId, [{ topic: 't', partition: 1, offset: 1, metadata: 'x'.repeat(4097) }]), [
    ErrorCode.OFFSET_METADATA_TOO_LARGE,
  ]);
  assert.equal(await commit(c, 'g-nobody', 3, 'm', [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.GROUP_ID_NOT_FOUND]);
  assert.equal(await commit(c, 'g-nobody', 3, 'm', [{ topic: 't', partition: 0, offset: 1 }], { version: 8 }), [ErrorCode.ILLEGAL_GENERATION]);
  assert.equal(await commit(c, 'g-commit', -1, '', [{ topic: 't', partition: 0, offset: 1 }], { version: 0 }), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(await commit(c, 'g-commit', -1, '', [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  // A standalone consumer (generation -1) commits to a group nobody joined.
  assert.equal(await commit(c, 'g-standalone', -1, '', [{ topic: 't', partition: 0, offset: 42 }]), [ErrorCode.NONE]);
});

test('heartbeat during a rebalance: REBALANCE_IN_PROGRESS; commits while completing it: REBALANCE_IN_PROGRESS', async () => {
  const a = await stableGroup('g-rebal');
  const b = await connect(broker.bootstrap, 'second');
  const bJoin = joinFully(b, 'g-rebal', { version: 3 });
  await waitForGroup(c, 'g-rebal', (g) => g.groupState === 'PreparingRebalance', 2000);
  assert.is(await heartbeat(c, 'g-rebal', a.generationId, a.memberId), ErrorCode.REBALANCE_IN_PROGRESS);
  assert.is((await sync(c, 'g-rebal', a.generationId, a.memberId)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  const aAgain = await join(c, 'g-rebal', { memberId: a.memberId });
  const bAnswer = await bJoin;
  assert.is(aAgain.errorCode, ErrorCode.NONE);
  assert.is(bAnswer.errorCode, ErrorCode.NONE);
  assert.is(aAgain.generationId, 2);
  assert.equal(await commit(c, 'g-rebal', 2, a.memberId, [{ topic: 't', partition: 0, offset: 1 }]), [ErrorCode.REBALANCE_IN_PROGRESS]);
  b.close();
});

test('admin refusals: DeleteGroups of a live group, OffsetDelete of a subscribed topic, FindCoordinator key types', async () => {
  await stableGroup('g-admin');
  const d = await withTimeout(c.send(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: ['g-admin', 'g-none'] }), 5000, 'DeleteGroups');
  assert.equal(
    d.results.map((r) => r.errorCode),
    [ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND],
  );
  const od = await withTimeout(
    c.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, { groupId: 'g-admin', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] }),
    5000,
    'OffsetDelete',
  );
  assert.is(od.errorCode, ErrorCode.NONE);
  assert.is(od.topics[0]!.partitions[0]!.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  const odn = await withTimeout(c.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, { groupId: 'g-none', topics: [] }), 5000, 'OffsetDelete');
  assert.is(odn.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is((await describe(c, 'g-none')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is((await describe(c, 'g-none', 5)).groupState, 'Dead');
  const f = await withTimeout(c.send(FindCoordinatorRequest, FindCoordinatorResponse, 6, { keyType: 2, coordinatorKeys: ['x'] }), 5000, 'FindCoordinator');
  assert.is(f.coordinators[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  const t = await withTimeout(c.send(FindCoordinatorRequest, FindCoordinatorResponse, 3, { key: 'txn', keyType: 1 }), 5000, 'FindCoordinator');
  assert.is(t.errorCode, ErrorCode.NONE);
  assert.is(t.port, broker.port);
});

test('a silent member expires after its session timeout; a member that does not rejoin is dropped after the rebalance timeout', async () => {
  const j = await joinFully(c, 'g-expire', { sessionTimeoutMs: 200 });
  assert.is((await sync(c, 'g-expire', j.generationId, j.memberId)).errorCode, ErrorCode.NONE);
  await waitForGroup(c, 'g-expire', (g) => g.groupState === 'Empty', 3000, 'session expiry');
  assert.is(await heartbeat(c, 'g-expire', j.generationId, j.memberId), ErrorCode.UNKNOWN_MEMBER_ID);

  // Two members; a third joins; only one of the first two rejoins within the rebalance timeout.
  const a = await joinFully(c, 'g-rto', { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, version: 3 });
  const b2 = await connect(broker.bootstrap, 'b');
  const bJoin = joinFully(b2, 'g-rto', { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, version: 3 });
  await waitForGroup(c, 'g-rto', (g) => g.groupState === 'PreparingRebalance', 2000);
  const aAgain = await join(c, 'g-rto', { memberId: a.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, version: 3 });
  const b = await bJoin;
  assert.is(b.generationId, 2);
  assert.is(aAgain.generationId, 2);
  const c3 = await connect(broker.bootstrap, 'c');
  const cJoin = joinFully(c3, 'g-rto', { sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, version: 3 });
  await waitForGroup(c, 'g-rto', (g) => g.groupState === 'PreparingRebalance', 2000);
  // a rejoins, b stays silent: after 300 ms b is gone and the generation moves on with a and c.
  const started = Date.now();
  const [aThird, cAnswer] = await Promise.all([
    join(c, 'g-rto', { memberId: a.memberId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 300, version: 3 }),
    cJoin,
  ]);
  assert.ok(Date.now() - started >= 250, 'waited for the rebalance timeout');
  assert.is(aThird.generationId, 3);
  assert.is(cAnswer.generationId, 3);
  const g = await describe(c, 'g-rto');
  assert.not.ok(
    g.members.some((m) => m.memberId === b.memberId),
    'the silent member was removed',
  );
  assert.is(g.members.length, 2);
  b2.close();
  c3.close();
});

test.run();
