// ConsumerGroupHeartbeat (KIP-848), after Kafka's GroupMetadataManager.consumerGroupHeartbeat:
// join with member epoch 0, heartbeat with the current epoch, leave with -1 (static members:
// -2, keeping their place until the session times out). Subscription, membership and topic
// metadata changes bump the group epoch; a new target assignment is computed when the group
// epoch is ahead of the assignment epoch; then the member reconciles (consumer-group.ts).
// Members are fenced when their session expires (group.consumer.session.timeout.ms) or when
// they hold partitions to revoke past their rebalance timeout.
//
// Consumer groups live here, next to the coordinator's classic groups (a group id is one or the
// other, never both); their metadata is not persisted: after a broker restart the members get
// UNKNOWN_MEMBER_ID and rejoin with epoch 0 (committed offsets persist as for every group).
import { randomUUID } from 'node:crypto';
import { ErrorCode, KafkaError } from '../errors.js';
import type { GroupCoordinator } from './coordinator.js';
import { ASSIGNORS, type Assignment, type AssignorMember, type AssignorTopic } from './assignors.js';
import { ConsumerGroup, ConsumerGroupMember, ConsumerGroupState, LEAVE_GROUP_STATIC_MEMBER_EPOCH, MemberState, isSubset, sameAssignment } from './consumer-group.js';
import { GroupState } from './group.js';

export interface ConsumerHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  topicPartitions: Array<{ topicId: string; partitions: number[] }> | null;
  clientId: string;
  clientHost: string;
  apiVersion: number;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: Array<{ topicId: string; partitions: number[] }> } | null;
}

const registry = new WeakMap<GroupCoordinator, Map<string, ConsumerGroup>>();

/** The consumer groups of a coordinator. */
export function consumerGroups(c: GroupCoordinator): Map<string, ConsumerGroup> {
  let m = registry.get(c);
  if (!m) registry.set(c, (m = new Map()));
  return m;
}

export function consumerGroup(c: GroupCoordinator, groupId: string): ConsumerGroup | undefined {
  return consumerGroups(c).get(groupId);
}

/**
 * For the classic protocol (JoinGroup): a non-empty consumer group keeps its id (the error to
 * answer); an empty one is dropped so that the classic group can take its place.
 */
export function classicJoinConflict(c: GroupCoordinator, groupId: string): number {
  const g = consumerGroup(c, groupId);
  if (!g) return ErrorCode.NONE;
  if (!g.isEmpty) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  consumerGroups(c).delete(groupId);
  return ErrorCode.NONE;
}

/** Kafka's ConsumerGroup.validateOffsetCommit (non-transactional). */
export function validateConsumerGroupCommit(g: ConsumerGroup, memberId: string, memberEpoch: number, apiVersion: number): void {
  if (memberEpoch < 0 && g.isEmpty) return;
  const m = g.members.get(memberId);
  if (!m) throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `member ${memberId} is not a member of consumer group ${g.groupId}`);
  if (apiVersion < 9) throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, 'OffsetCommit version 9 or above must be used by members using the consumer group protocol');
  if (memberEpoch !== m.memberEpoch) throw new KafkaError(ErrorCode.STALE_MEMBER_EPOCH, `member epoch ${memberEpoch} is not the current epoch ${m.memberEpoch} of member ${memberId}`);
}

const sessionKey = (g: string, m: string) => `cg-session\u0000${g}\u0000${m}`;
const revokeKey = (g: string, m: string) => `cg-revoke\u0000${g}\u0000${m}`;

function settings(c: GroupCoordinator) {
  const cfg = c.broker.config;
  return {
    sessionTimeoutMs: cfg.getInt('group.consumer.session.timeout.ms'),
    heartbeatIntervalMs: cfg.getInt('group.consumer.heartbeat.interval.ms'),
    maxSize: cfg.getInt('group.consumer.max.size'),
    assignors: cfg.getList('group.consumer.assignors').map((s) => s.trim()).filter((s) => ASSIGNORS.has(s)),
  };
}

/** Java regex (as RE2J reads it) to a JS RegExp matching whole topic names; null if invalid. */
export function compileTopicRegex(re: string): RegExp | null {
  let flags = '';
  let src = re;
  const inline = /^\(\?([imsx]+)\)/.exec(src);
  if (inline) {
    for (const f of inline[1]!) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    src = src.slice(inline[0].length);
  }
  // Java's possessive quantifiers and \A \Z anchors have no JS form; \A and \z do.
  src = src.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch {
    return null;
  }
}

function toAssignment(parts: ReadonlyArray<{ topicId: string; partitions: number[] }>): Assignment {
  const a: Assignment = new Map();
  for (const tp of parts) {
    if (tp.partitions.length === 0) continue;
    let s = a.get(tp.topicId);
    if (!s) a.set(tp.topicId, (s = new Set()));
    for (const p of tp.partitions) s.add(p);
  }
  return a;
}

function fromAssignment(a: Assignment): Array<{ topicId: string; partitions: number[] }> {
  return [...a].filter(([, s]) => s.size > 0).map(([topicId, s]) => ({ topicId, partitions: [...s].sort((x, y) => x - y) }));
}

/** The topics (existing, non-internal for regexes) a member subscribes to, by id. */
function subscribedTopics(c: GroupCoordinator, m: ConsumerGroupMember): Map<string, AssignorTopic & { name: string }> {
  const out = new Map<string, AssignorTopic & { name: string }>();
  const meta = c.broker.metadata;
  for (const name of m.subscribedTopicNames) {
    const t = meta.topic(name);
    if (t) out.set(t.id, { id: t.id, name: t.name, numPartitions: t.partitions.length });
  }
  if (m.subscribedTopicRegex !== null) {
    const re = compileTopicRegex(m.subscribedTopicRegex);
    if (re) for (const t of meta.topics()) if (!t.internal && re.test(t.name)) out.set(t.id, { id: t.id, name: t.name, numPartitions: t.partitions.length });
  }
  return out;
}

function fingerprint(c: GroupCoordinator, g: ConsumerGroup): string {
  const all = new Map<string, string>();
  for (const m of g.members.values()) for (const [id, t] of subscribedTopics(c, m)) all.set(id, `${t.name}/${id}/${t.numPartitions}`);
  return [...all.values()].sort().join(',');
}

function bumpGroupEpoch(g: ConsumerGroup): void {
  g.groupEpoch++;
}

/** Recomputes the target assignment if the group epoch is ahead of it. */
function maybeComputeTarget(c: GroupCoordinator, g: ConsumerGroup, preferred: string | null): void {
  if (g.groupEpoch === g.assignmentEpoch) return;
  const names = settings(c).assignors;
  // The most common assignor asked for by the members, else the first configured one.
  const votes = new Map<string, number>();
  for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  let name = preferred ?? names[0] ?? 'uniform';
  let best = 0;
  for (const [n, v] of votes) if (v > best) ((best = v), (name = n));
  const assignor = ASSIGNORS.get(name) ?? ASSIGNORS.get('uniform')!;
  const topics = new Map<string, AssignorTopic>();
  const members: AssignorMember[] = [];
  for (const m of g.members.values()) {
    const subs = subscribedTopics(c, m);
    for (const [id, t] of subs) topics.set(id, { id, numPartitions: t.numPartitions });
    members.push({ memberId: m.memberId, topics: new Set(subs.keys()), previous: g.targetAssignment.get(m.memberId) ?? new Map() });
  }
  g.targetAssignment = assignor(members, topics);
  g.assignorName = name;
  g.assignmentEpoch = g.groupEpoch;
}

function scheduleSession(c: GroupCoordinator, g: ConsumerGroup, m: ConsumerGroupMember): void {
  c.timers.schedule(sessionKey(g.groupId, m.memberId), settings(c).sessionTimeoutMs, () => {
    if (g.members.get(m.memberId) !== m) return;
    c.log.info({ groupId: g.groupId, memberId: m.memberId }, 'consumer group member session expired; fencing it');
    removeMember(c, g, m);
  });
}

function scheduleRevocation(c: GroupCoordinator, g: ConsumerGroup, m: ConsumerGroupMember): void {
  const key = revokeKey(g.groupId, m.memberId);
  if (m.state !== MemberState.UnrevokedPartitions) return c.timers.cancel(key);
  if (c.timers.has(key)) return;
  c.timers.schedule(key, m.rebalanceTimeoutMs, () => {
    if (g.members.get(m.memberId) !== m || m.state !== MemberState.UnrevokedPartitions) return;
    c.log.info({ groupId: g.groupId, memberId: m.memberId }, 'consumer group member did not revoke its partitions in time; fencing it');
    removeMember(c, g, m);
  });
}

function removeMember(c: GroupCoordinator, g: ConsumerGroup, m: ConsumerGroupMember): void {
  c.timers.cancel(sessionKey(g.groupId, m.memberId));
  c.timers.cancel(revokeKey(g.groupId, m.memberId));
  g.members.delete(m.memberId);
  g.targetAssignment.delete(m.memberId);
  bumpGroupEpoch(g);
  maybeComputeTarget(c, g, null);
}

/** Drops every timer of the consumer groups (coordinator shutdown). */
export function closeConsumerGroups(c: GroupCoordinator): void {
  for (const g of consumerGroups(c).values()) {
    for (const m of g.members.values()) {
      c.timers.cancel(sessionKey(g.groupId, m.memberId));
      c.timers.cancel(revokeKey(g.groupId, m.memberId));
    }
  }
}

function fail(code: number, message: string): never {
  throw new KafkaError(code, message);
}

function validate(req: ConsumerHeartbeatRequest, assignors: readonly string[]): void {
  if (req.groupId === '') fail(ErrorCode.INVALID_REQUEST, 'GroupId can\'t be empty.');
  if (req.instanceId === '') fail(ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be empty.');
  if (req.rackId === '') fail(ErrorCode.INVALID_REQUEST, 'RackId can\'t be empty.');
  if (req.apiVersion >= 1 && req.memberId === '') fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.');
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) fail(ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
    if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.memberId === '') fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.');
    if (req.instanceId === null) fail(ErrorCode.INVALID_REQUEST, 'InstanceId can\'t be null.');
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    fail(ErrorCode.INVALID_REQUEST, `MemberEpoch is invalid: ${req.memberEpoch}`);
  } else if (req.memberId === '') {
    fail(ErrorCode.INVALID_REQUEST, 'MemberId can\'t be empty.');
  }
  if (req.subscribedTopicNames !== null && req.subscribedTopicRegex !== null) fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames and SubscribedTopicRegex cannot both be set.');
  if (req.subscribedTopicRegex !== null && compileTopicRegex(req.subscribedTopicRegex) === null) fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${req.subscribedTopicRegex} is not a valid regular expression.`);
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor)) fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`);
}

/** Handles one ConsumerGroupHeartbeat. */
export function consumerGroupHeartbeat(c: GroupCoordinator, req: ConsumerHeartbeatRequest): ConsumerHeartbeatResult {
  const s = settings(c);
  const error = (code: number, message: string | null): ConsumerHeartbeatResult => ({ errorCode: code, errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
  const early = c.availability() || c.ensureOffsetsTopic();
  if (early) return error(early, null);
  try {
    validate(req, s.assignors);
    if (req.memberEpoch < 0) return leave(c, req, s.heartbeatIntervalMs);
    return heartbeat(c, req, s);
  } catch (err) {
    if (err instanceof KafkaError) return error(err.code, err.message);
    throw err;
  }
}

function leave(c: GroupCoordinator, req: ConsumerHeartbeatRequest, heartbeatIntervalMs: number): ConsumerHeartbeatResult {
  const g = consumerGroup(c, req.groupId);
  const m = g?.members.get(req.memberId) ?? (req.instanceId !== null ? g?.staticMember(req.instanceId) : undefined);
  if (!g || !m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not a member of group ${req.groupId}`);
  if (req.instanceId !== null && m.instanceId === req.instanceId && m.memberId !== req.memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `instance ${req.instanceId} is now member ${m.memberId}`);
  if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    // A static member leaves temporarily: it keeps its assignment until its session expires.
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
  } else {
    removeMember(c, g, m);
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs, assignment: null };
}

function heartbeat(c: GroupCoordinator, req: ConsumerHeartbeatRequest, s: ReturnType<typeof settings>): ConsumerHeartbeatResult {
  const groups = consumerGroups(c);
  let g = groups.get(req.groupId);
  if (!g) {
    if (req.memberEpoch !== 0) fail(ErrorCode.UNKNOWN_MEMBER_ID, `consumer group ${req.groupId} has no member ${req.memberId}`);
    const classic = c.group(req.groupId);
    if (classic && !classic.is(GroupState.Dead)) {
      if (!classic.isEmpty) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      // An empty classic group becomes a consumer group (its committed offsets stay).
      c.removeGroup(classic);
    }
    g = new ConsumerGroup(req.groupId);
    groups.set(req.groupId, g);
  }
  let m: ConsumerGroupMember | undefined;
  let changed = false;
  const owned = req.topicPartitions === null ? null : toAssignment(req.topicPartitions);
  if (req.memberEpoch === 0) {
    const memberId = req.memberId === '' ? randomUUID() : req.memberId; // v0: the coordinator names it
    m = g.members.get(memberId);
    if (req.instanceId !== null) {
      const prior = g.staticMember(req.instanceId);
      if (prior && prior.memberId !== memberId) {
        if (prior.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${prior.memberId} with instance id ${req.instanceId} is not released yet.`);
        // The returning static member takes over the old member's place and assignment.
        const next = new ConsumerGroupMember(memberId, req.clientId, req.clientHost);
        Object.assign(next, { ...prior, memberId });
        c.timers.cancel(sessionKey(g.groupId, prior.memberId));
        c.timers.cancel(revokeKey(g.groupId, prior.memberId));
        g.members.delete(prior.memberId);
        g.members.set(memberId, next);
        const target = g.targetAssignment.get(prior.memberId);
        g.targetAssignment.delete(prior.memberId);
        if (target) g.targetAssignment.set(memberId, target);
        m = next;
      }
    }
    if (!m) {
      if (g.members.size >= s.maxSize) fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${s.maxSize} members.`);
      m = new ConsumerGroupMember(memberId, req.clientId, req.clientHost);
      g.members.set(memberId, m);
      changed = true;
    } else if (m.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH || req.instanceId === null) {
      // A known member rejoining with epoch 0 lost its state: it starts over from nothing owned.
      m.assigned = new Map();
      m.pendingRevocation = new Map();
      m.state = MemberState.Stable;
      m.memberEpoch = 0;
    }
    if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // Back before its session expired: resumes its previous epoch and assignment.
      m.memberEpoch = Math.max(0, m.previousMemberEpoch);
    }
  } else {
    m = g.members.get(req.memberId);
    if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not a member of group ${req.groupId}`);
    if (req.instanceId !== null && m.instanceId !== null && m.instanceId !== req.instanceId) fail(ErrorCode.FENCED_INSTANCE_ID, `member ${req.memberId} is not instance ${req.instanceId}`);
    // throwIfMemberEpochIsInvalid: a newer epoch is fenced; an older one only if it is not the
    // previous epoch of a member whose answer was lost (owning a subset of its assignment).
    if (req.memberEpoch > m.memberEpoch) fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}).`);
    if (req.memberEpoch < m.memberEpoch && (req.memberEpoch !== m.previousMemberEpoch || owned === null || !isSubset(owned, m.assigned))) {
      fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}).`);
    }
  }
  const member = m;
  const memberId = member.memberId;
  // Apply the fields that were sent.
  member.clientId = req.clientId;
  member.clientHost = req.clientHost;
  if (req.instanceId !== null) member.instanceId = req.instanceId;
  if (req.rackId !== null) member.rackId = req.rackId;
  if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
  if (req.subscribedTopicNames !== null) {
    const names = [...new Set(req.subscribedTopicNames)].sort();
    if (names.join('\u0000') !== member.subscribedTopicNames.join('\u0000') || member.subscribedTopicRegex !== null) changed = true;
    member.subscribedTopicNames = names;
    member.subscribedTopicRegex = null;
  }
  if (req.subscribedTopicRegex !== null) {
    if (req.subscribedTopicRegex !== member.subscribedTopicRegex || member.subscribedTopicNames.length > 0) changed = true;
    member.subscribedTopicRegex = req.subscribedTopicRegex;
    member.subscribedTopicNames = [];
  }
  if (req.serverAssignor !== null && req.serverAssignor !== member.serverAssignor) {
    member.serverAssignor = req.serverAssignor;
    changed = true;
  }
  // Topic metadata (created, deleted, more partitions) of the subscriptions.
  const fp = fingerprint(c, g);
  if (fp !== g.metadataFingerprint) {
    g.metadataFingerprint = fp;
    changed = true;
  }
  if (changed) bumpGroupEpoch(g);
  maybeComputeTarget(c, g, null);
  const before = new Map([...member.assigned].map(([t, ps]) => [t, new Set(ps)]));
  g.reconcile(member, owned);
  scheduleSession(c, g, member);
  scheduleRevocation(c, g, member);
  g.stateTimestamp = Date.now();
  const full = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null);
  const send = full || !sameAssignment(before, member.assigned);
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId,
    memberEpoch: member.memberEpoch,
    heartbeatIntervalMs: s.heartbeatIntervalMs,
    assignment: send ? { topicPartitions: fromAssignment(member.assigned) } : null,
  };
}

export interface DescribedConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
  targetAssignment: Array<{ topicId: string; topicName: string; partitions: number[] }>;
}

export interface DescribedConsumerGroup {
  found: boolean;
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedConsumerMember[];
}

/** ConsumerGroupDescribe of one group. */
export function describeConsumerGroup(c: GroupCoordinator, groupId: string): DescribedConsumerGroup {
  const g = consumerGroup(c, groupId);
  if (!g) return { found: false, state: ConsumerGroupState.Dead, groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] };
  const named = (a: Assignment) => fromAssignment(a).map((tp) => ({ ...tp, topicName: c.broker.metadata.topicById(tp.topicId)?.name ?? '' }));
  return {
    found: true,
    state: g.state,
    groupEpoch: g.groupEpoch,
    assignmentEpoch: g.assignmentEpoch,
    assignorName: g.assignorName,
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: named(m.assigned),
      targetAssignment: named(g.targetAssignment.get(m.memberId) ?? new Map()),
    })),
  };
}
