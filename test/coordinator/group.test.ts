// Unit tests of a classic group's state (src/coordinator/classic/group.ts): the state machine's allowed
// transitions (Kafka's ClassicGroupState), protocol selection by votes, protocol compatibility,
// pending and awaiting members, static member replacement and fencing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ClassicGroup, GroupMember, GroupState, type JoinResult, type SyncResult } from '../../src/coordinator/classic/group.js';
import { ErrorCode, KafkaError } from '../../src/errors.js';

const meta = (s: string) => Buffer.from(s);

function member(id: string, protocols: string[], instance: string | null = null): GroupMember {
  return new GroupMember(
    id,
    instance,
    'client',
    '/127.0.0.1',
    1000,
    1000,
    'consumer',
    protocols.map((name) => ({ name, metadata: meta(`${id}:${name}`) })),
  );
}

test('state machine: Kafka transitions only', () => {
  const g = new ClassicGroup('g', 0);
  assert.is(g.state, GroupState.Empty);
  assert.throws(() => g.transitionTo(GroupState.Stable), /invalid transition from Empty to Stable/);
  assert.throws(() => g.transitionTo(GroupState.CompletingRebalance));
  g.transitionTo(GroupState.PreparingRebalance, 5);
  assert.is(g.previousState, GroupState.Empty);
  assert.is(g.stateTimestamp, 5);
  assert.throws(() => g.transitionTo(GroupState.Stable));
  g.transitionTo(GroupState.CompletingRebalance);
  assert.ok(g.canRebalance());
  g.transitionTo(GroupState.Stable);
  assert.throws(() => g.transitionTo(GroupState.Empty));
  g.transitionTo(GroupState.PreparingRebalance);
  assert.not.ok(g.canRebalance());
  g.transitionTo(GroupState.Empty);
  g.transitionTo(GroupState.Dead);
  g.transitionTo(GroupState.Dead);
  assert.throws(() => g.transitionTo(GroupState.PreparingRebalance));
});

test('protocol selection: the protocol all members support, by most votes', () => {
  const g = new ClassicGroup('g', 0);
  g.add(member('a', ['range', 'roundrobin']));
  g.add(member('b', ['roundrobin', 'range']));
  g.add(member('c', ['roundrobin', 'sticky', 'range']));
  assert.is(g.selectProtocol(), 'roundrobin', 'two votes against one');
  g.add(member('d', ['range']));
  assert.is(g.selectProtocol(), 'range', 'only range is supported by everyone');
  assert.ok(g.supportsProtocols('consumer', new Set(['roundrobin'])), 'an Empty group takes any protocol');
  g.transitionTo(GroupState.PreparingRebalance);
  assert.ok(g.supportsProtocols('consumer', new Set(['range', 'other'])));
  assert.not.ok(g.supportsProtocols('consumer', new Set(['roundrobin'])), 'd does not support roundrobin');
  assert.not.ok(g.supportsProtocols('connect', new Set(['range'])), 'another protocol type');
  const empty = new ClassicGroup('e', 0);
  assert.ok(empty.supportsProtocols('anything', new Set(['x'])));
  assert.not.ok(empty.supportsProtocols('', new Set(['x'])));
  assert.not.ok(empty.supportsProtocols('consumer', new Set()));
});

test('members: the first is leader, a removed leader is replaced, pending members count as not joined', () => {
  const g = new ClassicGroup('g', 0);
  const results: JoinResult[] = [];
  g.add(member('a', ['range']), (r) => results.push(r));
  g.add(member('b', ['range']));
  assert.is(g.leaderId, 'a');
  assert.is(g.protocolType, 'consumer');
  assert.not.ok(g.hasAllMembersJoined(), 'b is not waiting to join');
  g.updateMember(g.member('b')!, [{ name: 'range', metadata: meta('b2') }], 1000, 1000, () => undefined);
  assert.ok(g.hasAllMembersJoined());
  g.addPendingMember('p');
  assert.not.ok(g.hasAllMembersJoined(), 'a pending member has not joined');
  assert.throws(() => g.addPendingMember('a'));
  g.remove('p');
  assert.ok(g.hasAllMembersJoined());
  g.remove('a');
  assert.is(g.leaderId, 'b');
  assert.is(g.numAwaitingJoinResponse, 1);
  assert.ok(g.maybeElectNewJoinedLeader(), 'the leader b is waiting to join');
});

test('initNextGeneration: CompletingRebalance with a protocol, or Empty without members', () => {
  const g = new ClassicGroup('g', 0);
  g.add(member('a', ['range', 'roundrobin']), () => undefined);
  g.transitionTo(GroupState.PreparingRebalance);
  g.initNextGeneration();
  assert.is(g.state, GroupState.CompletingRebalance);
  assert.is(g.protocolName, 'range');
  assert.equal(g.currentMembers(), [{ memberId: 'a', groupInstanceId: null, metadata: meta('a:range') }]);
  g.transitionTo(GroupState.PreparingRebalance);
  g.remove('a');
  g.initNextGeneration();
  assert.is(g.state, GroupState.Empty);
  assert.is(g.generationId, 2);
  assert.is(g.protocolName, null);
});

test('static members: replacement fences the old member id, validateMember names the error', () => {
  const g = new ClassicGroup('g', 0);
  const joins: JoinResult[] = [];
  const syncs: SyncResult[] = [];
  const old = member('old', ['range'], 'instance-1');
  g.add(old, (r) => joins.push(r));
  old.awaitingSync = (r) => syncs.push(r);
  old.assignment = meta('assigned');
  const fresh = g.replaceStaticMember('instance-1', 'old', 'new');
  assert.is(joins[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  assert.is(syncs[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  assert.is(g.leaderId, 'new');
  assert.is(g.staticMemberId('instance-1'), 'new');
  assert.equal(fresh.assignment, meta('assigned'));
  const code = (f: () => void) => {
    try {
      f();
      return ErrorCode.NONE;
    } catch (err) {
      return (err as KafkaError).code;
    }
  };
  assert.is(
    code(() => g.validateMember('old', 'instance-1')),
    ErrorCode.FENCED_INSTANCE_ID,
  );
  assert.is(
    code(() => g.validateMember('new', 'instance-2')),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.is(
    code(() => g.validateMember('old', null)),
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  assert.is(
    code(() => g.validateMember('new', 'instance-1')),
    ErrorCode.NONE,
  );
  assert.throws(() => g.add(member('again', ['range'], 'instance-1')), /already/);
});

test('member protocol matching and subscribed topics of consumer groups', () => {
  const m = member('a', ['range', 'roundrobin']);
  assert.ok(
    m.matches([
      { name: 'range', metadata: meta('a:range') },
      { name: 'roundrobin', metadata: meta('a:roundrobin') },
    ]),
  );
  assert.not.ok(
    m.matches([
      { name: 'range', metadata: meta('changed') },
      { name: 'roundrobin', metadata: meta('a:roundrobin') },
    ]),
  );
  assert.not.ok(
    m.matches([
      { name: 'roundrobin', metadata: meta('a:roundrobin') },
      { name: 'range', metadata: meta('a:range') },
    ]),
  );
  // A v0 consumer subscription: version, [topics], userData.
  const sub = Buffer.from('0000' + '00000002' + '0001' + '61' + '0001' + '62' + 'ffffffff', 'hex');
  const g = new ClassicGroup('g', 0);
  g.add(new GroupMember('x', null, 'c', 'h', 1, 1, 'consumer', [{ name: 'range', metadata: sub }]), () => undefined);
  g.transitionTo(GroupState.PreparingRebalance);
  g.initNextGeneration();
  assert.equal([...g.subscribedTopics!].sort(), ['a', 'b']);
  assert.ok(g.isSubscribedToTopic('a'));
  assert.not.ok(g.isSubscribedToTopic('c'));
});

test.run();
