// KIP-848 ConsumerGroupHeartbeat / ConsumerGroupDescribe at the protocol level, with samsa's own
// client: joining, target assignment, incremental reconciliation (revocation before
// reassignment), epochs, leaving, assignors, regex subscriptions, error codes, and OffsetCommit
// member-epoch validation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatRequest as HbReq } from '../../src/protocol/generated/consumer-group-heartbeat-request.js';
import { ConsumerGroupHeartbeatResponse } from '../../src/protocol/generated/consumer-group-heartbeat-response.js';
import { ConsumerGroupDescribeRequest } from '../../src/protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../../src/protocol/generated/consumer-group-describe-response.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { DeleteGroupsRequest } from '../../src/protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../src/protocol/generated/delete-groups-response.js';
import { ErrorCode } from '../../src/errors.js';
import { commit, connect, createTopic, fetchCommitted, joinFully, leave, sync, withTimeout } from '../coordinator/helpers.js';
import { waitFor } from './helpers.js';
import { uniformAssignor, rangeAssignor } from '../../src/coordinator/consumer/assignors.js';

let broker: Broker;
let c: ClientConnection;
let topicId = '';

type Parts = Array<{ topicId: string; partitions: number[] }>;

async function hb(body: Partial<HbReq>, version = 1) {
  const full: HbReq = {
    groupId: 'g',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: -1,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    ...body,
  };
  return withTimeout(c.send(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, version, full), 5000, 'heartbeat');
}

const join = (group: string, memberId: string, extra: Partial<HbReq> = {}) =>
  hb({ groupId: group, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['kip848-t'], topicPartitions: [], ...extra });

const parts = (a: { topicPartitions: Parts } | null): number[] => (a ? a.topicPartitions.flatMap((t) => t.partitions).sort((x, y) => x - y) : []);

async function describeCg(group: string) {
  const r = await c.send(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, 1, { groupIds: [group], includeAuthorizedOperations: false });
  return r.groups[0]!;
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.consumer.heartbeat.interval.ms': 100 } });
  c = await connect(broker.bootstrap);
  await createTopic(c, 'kip848-t', 6);
  await createTopic(c, 'kip848-other', 2);
  topicId = broker.metadata.topic('kip848-t')!.id;
});

test.after(async () => {
  c.close();
  await broker.close();
});

test('a single member gets every partition at epoch 1', async () => {
  const r = await join('g1', 'm1');
  assert.is(r.errorCode, 0);
  assert.is(r.memberId, 'm1');
  assert.is(r.memberEpoch, 1);
  assert.is(r.heartbeatIntervalMs, 100);
  assert.equal(parts(r.assignment), [0, 1, 2, 3, 4, 5]);
  assert.is(r.assignment!.topicPartitions[0]!.topicId, topicId);
  const d = await describeCg('g1');
  assert.is(d.errorCode, 0);
  assert.is(d.groupState, 'Stable');
  assert.is(d.groupEpoch, 1);
  assert.is(d.assignmentEpoch, 1);
  assert.is(d.assignorName, 'uniform');
  assert.is(d.members[0]!.memberType, 1);
  assert.is(d.members[0]!.assignment.topicPartitions[0]!.topicName, 'kip848-t');
});

test('reconciliation: revocation before reassignment, epochs advance on convergence', async () => {
  const a1 = await join('g2', 'a');
  assert.equal(parts(a1.assignment), [0, 1, 2, 3, 4, 5]);
  // b joins: epoch 2, but a still owns everything, so b gets nothing yet.
  const b1 = await join('g2', 'b');
  assert.is(b1.errorCode, 0);
  assert.is(b1.memberEpoch, 2);
  assert.equal(parts(b1.assignment), []);
  let d = await describeCg('g2');
  assert.is(d.groupState, 'Reconciling');
  const bTarget = d.members.find((m) => m.memberId === 'b')!.targetAssignment.topicPartitions.flatMap((t) => t.partitions);
  assert.is(bTarget.length, 3);
  // a heartbeats at epoch 1 still owning all: it is told to keep 3 (revoke the rest); epoch stays 1.
  const owned: Parts = [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }];
  const a2 = await hb({ groupId: 'g2', memberId: 'a', memberEpoch: 1, topicPartitions: owned });
  assert.is(a2.memberEpoch, 1);
  const aKeep = parts(a2.assignment);
  assert.is(aKeep.length, 3);
  // Until a reports the revocation, b still gets nothing.
  const b2 = await hb({ groupId: 'g2', memberId: 'b', memberEpoch: 2, topicPartitions: [] });
  assert.equal(parts(b2.assignment), []);
  // a reports it now owns only its 3: epoch 2.
  const a3 = await hb({ groupId: 'g2', memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId, partitions: aKeep }] });
  assert.is(a3.memberEpoch, 2);
  // b gets the released partitions.
  const b3 = await hb({ groupId: 'g2', memberId: 'b', memberEpoch: 2, topicPartitions: [] });
  assert.equal(
    parts(b3.assignment),
    bTarget.sort((x, y) => x - y),
  );
  assert.is(b3.memberEpoch, 2);
  d = await describeCg('g2');
  assert.is(d.groupState, 'Stable');
  // Unchanged heartbeats carry no assignment.
  const a4 = await hb({ groupId: 'g2', memberId: 'a', memberEpoch: 2 });
  assert.is(a4.assignment, null);
  // b leaves: epoch 3, a gets everything back.
  const l = await hb({ groupId: 'g2', memberId: 'b', memberEpoch: -1 });
  assert.is(l.errorCode, 0);
  assert.is(l.memberEpoch, -1);
  const a5 = await hb({ groupId: 'g2', memberId: 'a', memberEpoch: 2 });
  assert.is(a5.memberEpoch, 3);
  assert.equal(parts(a5.assignment), [0, 1, 2, 3, 4, 5]);
});

test('errors: fenced and unknown members, bad requests, unsupported assignor, invalid regex', async () => {
  await join('g3', 'x');
  assert.is((await hb({ groupId: 'g3', memberId: 'x', memberEpoch: 5 })).errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  assert.is((await hb({ groupId: 'g3', memberId: 'nobody', memberEpoch: 1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is((await hb({ groupId: 'g3', memberId: 'nobody', memberEpoch: -1 })).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is(
    (await hb({ groupId: 'g3', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['kip848-t'], topicPartitions: [] })).errorCode,
    ErrorCode.INVALID_REQUEST,
  );
  assert.is((await join('g3', 'y', { rebalanceTimeoutMs: -1 })).errorCode, ErrorCode.INVALID_REQUEST);
  assert.is((await join('g3', 'y', { serverAssignor: 'sticky' })).errorCode, ErrorCode.UNSUPPORTED_ASSIGNOR);
  assert.is((await join('g3', 'y', { subscribedTopicNames: null, subscribedTopicRegex: 'kip848-[' })).errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION);
  assert.is((await describeCg('no-such-group')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('v0: the coordinator names the member', async () => {
  const r = await hb({ groupId: 'g0', memberId: '', memberEpoch: 0, rebalanceTimeoutMs: 1000, subscribedTopicNames: ['kip848-t'], topicPartitions: [] }, 0);
  assert.is(r.errorCode, 0);
  assert.ok(r.memberId && r.memberId.length > 0);
  assert.is(r.memberEpoch, 1);
});

test('regex subscription and the range assignor', async () => {
  const r = await join('g4', 'r1', { subscribedTopicNames: null, subscribedTopicRegex: 'kip848-.*', serverAssignor: 'range' });
  assert.is(r.errorCode, 0);
  assert.is(r.assignment!.topicPartitions.length, 2);
  assert.is(parts(r.assignment).length, 8);
  assert.is((await describeCg('g4')).assignorName, 'range');
});

test('names and regex are separate fields: both subscribe to the union, an empty one clears it', async () => {
  // librdkafka sends SubscribedTopicRegex "" beside its topic names; the Java consumer switches
  // subscription kinds the same way. kip848-t has 6 partitions, kip848-other 2.
  const both = await join('g-sub', 'u1', { subscribedTopicNames: ['kip848-t'], subscribedTopicRegex: 'kip848-oth.*' });
  assert.is(both.errorCode, 0);
  assert.is(both.assignment!.topicPartitions.length, 2);
  assert.is(parts(both.assignment).length, 8);
  let d = (await describeCg('g-sub')).members[0]!;
  assert.equal([d.subscribedTopicNames, d.subscribedTopicRegex], [['kip848-t'], 'kip848-oth.*']);
  // Only the regex is sent: the names stay.
  const epoch = both.memberEpoch;
  const r1 = await hb({ groupId: 'g-sub', memberId: 'u1', memberEpoch: epoch, subscribedTopicRegex: 'kip848-.*' });
  assert.is(r1.errorCode, 0);
  d = (await describeCg('g-sub')).members[0]!;
  assert.equal([d.subscribedTopicNames, d.subscribedTopicRegex], [['kip848-t'], 'kip848-.*']);
  // An empty regex clears it: the subscription shrinks to kip848-other, so kip848-t's 6
  // partitions are taken away (revoked first: the answer keeps only kip848-other's 2) and the
  // group epoch moves.
  const before = (await describeCg('g-sub')).groupEpoch;
  const r2 = await hb({ groupId: 'g-sub', memberId: 'u1', memberEpoch: r1.memberEpoch, subscribedTopicNames: ['kip848-other'], subscribedTopicRegex: '' });
  assert.is(r2.errorCode, 0);
  const g = await describeCg('g-sub');
  d = g.members[0]!;
  assert.equal([d.subscribedTopicNames, d.subscribedTopicRegex], [['kip848-other'], null]);
  assert.ok(g.groupEpoch > before, `group epoch ${g.groupEpoch} after ${before}`);
  assert.equal(parts(r2.assignment), [0, 1]);
  // A first heartbeat with nothing in either field subscribes to nothing: refused.
  assert.is((await join('g-sub', 'u2', { subscribedTopicNames: [], subscribedTopicRegex: '' })).errorCode, ErrorCode.INVALID_REQUEST);
  assert.is((await join('g-sub', 'u2', { subscribedTopicNames: null, subscribedTopicRegex: '' })).errorCode, ErrorCode.INVALID_REQUEST);
});

test('group.consumer.max.size and a classic group with members', async () => {
  const small = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.consumer.max.size': 1 } });
  const c2 = await connect(small.bootstrap);
  try {
    await createTopic(c2, 'kip848-t', 2);
    const send = (b: Partial<HbReq>) =>
      c2.send(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, 1, {
        groupId: 'm',
        memberId: 'a',
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 1000,
        subscribedTopicNames: ['kip848-t'],
        subscribedTopicRegex: null,
        serverAssignor: null,
        topicPartitions: [],
        ...b,
      });
    assert.is((await send({})).errorCode, 0);
    assert.is((await send({ memberId: 'b' })).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    await joinFully(c2, 'classic-g');
    assert.is((await send({ groupId: 'classic-g' })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  } finally {
    c2.close();
    await small.close();
  }
});

test('OffsetCommit validates the member epoch; ListGroups reports the type', async () => {
  const r = await join('g5', 'c1');
  const ok = await commit(c, 'g5', r.memberEpoch, 'c1', [{ topic: 'kip848-t', partition: 0, offset: 7 }]);
  assert.equal(ok, [0]);
  assert.equal(await commit(c, 'g5', r.memberEpoch + 1, 'c1', [{ topic: 'kip848-t', partition: 0, offset: 8 }]), [ErrorCode.STALE_MEMBER_EPOCH]);
  assert.equal(await commit(c, 'g5', r.memberEpoch, 'ghost', [{ topic: 'kip848-t', partition: 0, offset: 8 }]), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.is((await fetchCommitted(c, 'g5')).get('kip848-t:0'), 7);
  const l = await c.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: [], typesFilter: ['consumer'] });
  const g5 = l.groups.find((g) => g.groupId === 'g5')!;
  assert.is(g5.groupType, 'consumer');
  assert.is(g5.protocolType, 'consumer');
  assert.is(g5.groupState, 'Stable');
});

test('session timeout fences a silent member', async () => {
  const quick = await startBroker({
    port: 0,
    logLevel: 'silent',
    config: { 'group.consumer.session.timeout.ms': 200, 'group.consumer.min.session.timeout.ms': 100 },
  });
  const c2 = await connect(quick.bootstrap);
  try {
    await createTopic(c2, 'kip848-t', 2);
    const r = await c2.send(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, 1, {
      groupId: 's',
      memberId: 'a',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 1000,
      subscribedTopicNames: ['kip848-t'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
    });
    assert.is(r.errorCode, 0);
    // No heartbeat for the 200 ms session: the coordinator fences the member.
    await waitFor(
      () => quick.coordinator.consumerGroups.get('s')?.members.has('a') === false,
      10_000,
      () => 'member a fenced',
    );
    const again = await c2.send(ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, 1, {
      groupId: 's',
      memberId: 'a',
      memberEpoch: 1,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: null,
    });
    assert.is(again.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  } finally {
    c2.close();
    await quick.close();
  }
});

test('assignors: uniform is balanced and sticky, range gives contiguous ranges', () => {
  const topics = new Map([['t', { id: 't', numPartitions: 6 }]]);
  const m = (id: string, prev: number[] = []) => ({ memberId: id, topics: new Set(['t']), previous: new Map(prev.length ? [['t', new Set(prev)]] : []) });
  const u = uniformAssignor([m('a', [0, 1, 2, 3, 4, 5]), m('b'), m('c')], topics);
  for (const id of ['a', 'b', 'c']) assert.is(u.get(id)!.get('t')!.size, 2);
  assert.ok([...u.get('a')!.get('t')!].every((p) => p <= 5));
  const sticky = uniformAssignor([m('a', [0, 1]), m('b', [2, 3]), m('c', [4, 5])], topics);
  assert.equal([...sticky.get('b')!.get('t')!].sort(), [2, 3]);
  const r = rangeAssignor([m('b'), m('a')], topics);
  assert.equal([...r.get('a')!.get('t')!], [0, 1, 2]);
  assert.equal([...r.get('b')!.get('t')!], [3, 4, 5]);
});

test('static member: leave with -2 keeps its place, rejoin with a new member id takes it over', async () => {
  const a = await join('g6', 's1', { instanceId: 'inst-1' });
  assert.is(a.errorCode, 0);
  const epoch = a.memberEpoch;
  assert.is((await join('g6', 's2', { instanceId: 'inst-1' })).errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
  const l = await hb({ groupId: 'g6', memberId: 's1', memberEpoch: -2, instanceId: 'inst-1' });
  assert.is(l.errorCode, 0);
  assert.is(l.memberEpoch, -2);
  const back = await join('g6', 's2', { instanceId: 'inst-1' });
  assert.is(back.errorCode, 0);
  assert.is(back.memberEpoch, epoch);
  assert.equal(parts(back.assignment), [0, 1, 2, 3, 4, 5]);
  const d = await describeCg('g6');
  assert.equal(
    d.members.map((m) => m.memberId),
    ['s2'],
  );
  assert.is(d.groupEpoch, 1, 'a static member returning does not bump the group epoch');
});

test('a lost response: the previous epoch is accepted while the owned partitions are a subset', async () => {
  await join('g7', 'p');
  await join('g7', 'q'); // epoch 2; p must revoke
  const p1 = await hb({ groupId: 'g7', memberId: 'p', memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }] });
  const keep = parts(p1.assignment);
  const p2 = await hb({ groupId: 'g7', memberId: 'p', memberEpoch: 1, topicPartitions: [{ topicId, partitions: keep }] });
  assert.is(p2.memberEpoch, 2);
  // The answer at epoch 2 was lost: p heartbeats again at epoch 1 with its 3 partitions.
  const p3 = await hb({ groupId: 'g7', memberId: 'p', memberEpoch: 1, topicPartitions: [{ topicId, partitions: keep }] });
  assert.is(p3.errorCode, 0);
  assert.is(p3.memberEpoch, 2);
  // At epoch 1 but claiming partitions it no longer has: fenced.
  const p4 = await hb({ groupId: 'g7', memberId: 'p', memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }] });
  assert.is(p4.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
});

test('JoinGroup on a consumer group with members is refused; an empty one is deleted by DeleteGroups', async () => {
  await join('g8', 'j1');
  assert.is((await joinFully(c, 'g8')).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  await hb({ groupId: 'g8', memberId: 'j1', memberEpoch: -1 });
  assert.is((await describeCg('g8')).groupState, 'Empty');
  const r = await c.send(DeleteGroupsRequest, DeleteGroupsResponse, 2, { groupsNames: ['g8'] });
  assert.is(r.results[0]!.errorCode, 0);
  assert.is((await describeCg('g8')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('an empty classic group becomes a consumer group and keeps its committed offsets', async () => {
  const j = await joinFully(c, 'g9');
  assert.is(j.errorCode, 0);
  await sync(c, 'g9', j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.alloc(0) }]);
  assert.equal(await commit(c, 'g9', j.generationId, j.memberId, [{ topic: 'kip848-t', partition: 1, offset: 5 }]), [0]);
  await leave(c, 'g9', [{ memberId: j.memberId }]);
  const r = await join('g9', 'n1');
  assert.is(r.errorCode, 0);
  assert.is((await describeCg('g9')).groupState, 'Stable');
  assert.is((await fetchCommitted(c, 'g9')).get('kip848-t:1'), 5);
});

test.run();
