// ConsumerGroupHeartbeat (KIP-848), after Kafka's GroupMetadataManager.consumerGroupHeartbeat:
// join with member epoch 0, heartbeat with the current epoch, leave with -1 (static members:
// -2, keeping their place until the session times out). Subscription, membership and topic
// metadata changes bump the group epoch; a new target assignment is computed when the group
// epoch is ahead of the assignment epoch; then the member reconciles (group.ts).
// Members are fenced when their session expires (group.consumer.session.timeout.ms) or when
// they hold partitions to revoke past their rebalance timeout.
//
// Consumer groups are the coordinator's `consumerGroups`, next to its classic groups (a group id
// is one or the other, never both). Every change is written to __consumer_offsets (persist.ts) before
// the heartbeat is answered, and replayed at start-up (loader.ts): after a broker
// restart the members carry on with their member ids, epochs and assignments.
//
// Conversion between the protocols (Kafka's group.consumer.migration.policy) happens only for
// empty groups: samsa does not migrate groups with members online, as Kafka with the policy
// `disabled`. A consumer-protocol member joining an empty classic group replaces it (its committed
// offsets stay); a non-empty classic group answers GROUP_ID_NOT_FOUND. The classic side is
// classicJoinConflict, used by JoinGroup.
import { randomUUID } from 'node:crypto';
import { ErrorCode, KafkaError } from '../../errors.js';
import type { GroupCoordinator } from '../coordinator.js';
import { ASSIGNORS, type Assignment, type AssignorMember, type AssignorTopic } from './assignors.js';
import { ConsumerGroup, ConsumerGroupMember, ConsumerGroupState, LEAVE_GROUP_STATIC_MEMBER_EPOCH, MemberState, isSubset, sameAssignment } from './group.js';
import { GroupState } from '../classic/group.js';
import { encodeGroupMetadataKey } from '../records.js';
import type { CoordinatorRecord } from '../offsets-topic.js';
import { consumerGroupChanges, consumerGroupTombstones, markStale } from './persist.js';
import { effectiveGroupConfigInt } from '../../config/group-configs.js';

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

/**
 * For the classic protocol (JoinGroup, GroupMetadataManager.classicGroupJoin): a non-empty
 * consumer group keeps its id (INCONSISTENT_GROUP_PROTOCOL: samsa does not migrate members
 * online); an empty one is deleted, its tombstones appended (maybeDeleteEmptyConsumerGroup), so
 * that a classic group can take its place. Its committed offsets stay.
 */
export function classicJoinConflict(c: GroupCoordinator, groupId: string): number {
  const g = c.consumerGroups.get(groupId);
  if (!g) return ErrorCode.NONE;
  if (!g.isEmpty) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
  removeConsumerGroup(c, g).catch((err: Error) => c.log.warn({ groupId, err: err.message }, 'could not write the tombstones of a converted consumer group'));
  return ErrorCode.NONE;
}

/** Deletes a consumer group: its timers, its place in the registry, and its records (tombstones). */
export function removeConsumerGroup(c: GroupCoordinator, g: ConsumerGroup, before: CoordinatorRecord[] = []): Promise<void> {
  for (const m of g.members.values()) cancelTimers(c, g, m.memberId);
  if (c.consumerGroups.get(g.groupId) === g) c.consumerGroups.delete(g.groupId);
  // Appended now (the log keeps call order), so a later record of the same id lands after these.
  return c.append(g.groupId, [...before, ...consumerGroupTombstones(g)]);
}

const sessionKey = (g: string, m: string) => `cg-session\u0000${g}\u0000${m}`;
const revokeKey = (g: string, m: string) => `cg-revoke\u0000${g}\u0000${m}`;

// A group's own consumer.session.timeout.ms / consumer.heartbeat.interval.ms (config resource
// GROUP, KIP-848) win over the broker's group.consumer.* defaults, as in Kafka's
// GroupMetadataManager.consumerGroupSessionTimeoutMs.
function settings(c: GroupCoordinator, groupId: string) {
  const cfg = c.brokerConfig;
  const overrides = c.metadata.groupConfig(groupId);
  return {
    sessionTimeoutMs: effectiveGroupConfigInt(cfg, overrides, 'consumer.session.timeout.ms'),
    heartbeatIntervalMs: effectiveGroupConfigInt(cfg, overrides, 'consumer.heartbeat.interval.ms'),
    maxSize: cfg.getInt('group.consumer.max.size'),
    assignors: cfg
      .getList('group.consumer.assignors')
      .map((s) => s.trim())
      .filter((s) => ASSIGNORS.has(s)),
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
  const meta = c.metadata;
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

/** Kafka's ModernGroup.isSubscribedToTopic: a topic some member names or matches with its regex. */
export function isSubscribedToTopic(c: GroupCoordinator, g: ConsumerGroup, topic: string): boolean {
  for (const m of g.members.values()) {
    if (m.subscribedTopicNames.includes(topic)) return true;
    if (m.subscribedTopicRegex !== null && compileTopicRegex(m.subscribedTopicRegex)?.test(topic) && c.metadata.topic(topic)?.internal === false) return true;
  }
  return false;
}

/** The subscribed topics' metadata (names, ids, partition counts): a change bumps the group epoch. */
export function fingerprint(c: GroupCoordinator, g: ConsumerGroup): string {
  const all = new Map<string, string>();
  for (const m of g.members.values()) for (const [id, t] of subscribedTopics(c, m)) all.set(id, `${t.name}/${id}/${t.numPartitions}`);
  return [...all.values()].sort().join(',');
}

function bumpGroupEpoch(g: ConsumerGroup): void {
  g.groupEpoch++;
}

/** The most common assignor asked for by the members, else the first configured one. */
export function chooseAssignor(c: GroupCoordinator, g: ConsumerGroup): string {
  const votes = new Map<string, number>();
  for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  let name = settings(c, g.groupId).assignors[0] ?? 'uniform';
  let best = 0;
  for (const [n, v] of votes) {
    if (v > best) {
      best = v;
      name = n;
    }
  }
  return name;
}

/** Recomputes the target assignment if the group epoch is ahead of it. */
function maybeComputeTarget(c: GroupCoordinator, g: ConsumerGroup): void {
  if (g.groupEpoch === g.assignmentEpoch) return;
  const name = chooseAssignor(c, g);
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
  c.timers.schedule(sessionKey(g.groupId, m.memberId), settings(c, g.groupId).sessionTimeoutMs, () => {
    if (g.members.get(m.memberId) !== m) return;
    c.log.info({ groupId: g.groupId, memberId: m.memberId }, 'consumer group member session expired; fencing it');
    removeMember(c, g, m);
    persistInBackground(c, g);
  });
}

/** Start-up: every loaded member gets a fresh session, and a rebalance timeout if it still has partitions to revoke (Kafka's onLoaded). */
export function scheduleLoadedMembers(c: GroupCoordinator, mine: (groupId: string) => boolean = () => true): void {
  for (const g of c.consumerGroups.values()) {
    if (!mine(g.groupId)) continue;
    for (const m of g.members.values()) {
      scheduleSession(c, g, m);
      scheduleRevocation(c, g, m);
    }
  }
}

/** Writes the group's changed records; a failure answers with the coordinator's error code. */
async function persist(c: GroupCoordinator, g: ConsumerGroup, touched: Iterable<string>, before: CoordinatorRecord[] = []): Promise<void> {
  const records = [...before, ...consumerGroupChanges(g, touched)];
  if (records.length === 0) return;
  try {
    await c.append(g.groupId, records);
  } catch (err) {
    markStale(g);
    throw err;
  }
}

/** Changes made by a timer (session expiry, revocation timeout) have no request to answer. */
function persistInBackground(c: GroupCoordinator, g: ConsumerGroup): void {
  persist(c, g, []).catch((err: Error) => c.log.warn({ groupId: g.groupId, err: err.message }, 'could not write a consumer group change'));
}

function scheduleRevocation(c: GroupCoordinator, g: ConsumerGroup, m: ConsumerGroupMember): void {
  const key = revokeKey(g.groupId, m.memberId);
  if (m.state !== MemberState.UnrevokedPartitions) return c.timers.cancel(key);
  if (c.timers.has(key)) return;
  c.timers.schedule(key, m.rebalanceTimeoutMs, () => {
    if (g.members.get(m.memberId) !== m || m.state !== MemberState.UnrevokedPartitions) return;
    c.log.info({ groupId: g.groupId, memberId: m.memberId }, 'consumer group member did not revoke its partitions in time; fencing it');
    removeMember(c, g, m);
    persistInBackground(c, g);
  });
}

function cancelTimers(c: GroupCoordinator, g: ConsumerGroup, memberId: string): void {
  c.timers.cancel(sessionKey(g.groupId, memberId));
  c.timers.cancel(revokeKey(g.groupId, memberId));
}

function removeMember(c: GroupCoordinator, g: ConsumerGroup, m: ConsumerGroupMember): void {
  cancelTimers(c, g, m.memberId);
  g.members.delete(m.memberId);
  g.targetAssignment.delete(m.memberId);
  bumpGroupEpoch(g);
  maybeComputeTarget(c, g);
}

/** Drops every timer of the consumer groups (coordinator shutdown). */
export function closeConsumerGroups(c: GroupCoordinator): void {
  for (const g of c.consumerGroups.values()) for (const m of g.members.values()) cancelTimers(c, g, m.memberId);
}

function fail(code: number, message: string): never {
  throw new KafkaError(code, message);
}

function validate(req: ConsumerHeartbeatRequest, assignors: readonly string[]): void {
  if (req.groupId === '') fail(ErrorCode.INVALID_REQUEST, "GroupId can't be empty.");
  if (req.instanceId === '') fail(ErrorCode.INVALID_REQUEST, "InstanceId can't be empty.");
  if (req.rackId === '') fail(ErrorCode.INVALID_REQUEST, "RackId can't be empty.");
  if (req.apiVersion >= 1 && req.memberId === '') fail(ErrorCode.INVALID_REQUEST, "MemberId can't be empty.");
  if (req.memberEpoch === 0) {
    if (req.rebalanceTimeoutMs === -1) fail(ErrorCode.INVALID_REQUEST, 'RebalanceTimeoutMs must be provided in first request.');
    if (req.topicPartitions === null || req.topicPartitions.length > 0) fail(ErrorCode.INVALID_REQUEST, 'TopicPartitions must be empty when (re-)joining.');
    // An empty list or an empty regex subscribes to nothing (GroupMetadataManager tests isEmpty).
    const hasNames = req.subscribedTopicNames !== null && req.subscribedTopicNames.length > 0;
    const hasRegex = req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '';
    if (!hasNames && !hasRegex) fail(ErrorCode.INVALID_REQUEST, 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
  } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    if (req.memberId === '') fail(ErrorCode.INVALID_REQUEST, "MemberId can't be empty.");
    if (req.instanceId === null) fail(ErrorCode.INVALID_REQUEST, "InstanceId can't be null.");
  } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    fail(ErrorCode.INVALID_REQUEST, `MemberEpoch is invalid: ${req.memberEpoch}`);
  } else if (req.memberId === '') {
    fail(ErrorCode.INVALID_REQUEST, "MemberId can't be empty.");
  }
  if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '' && compileTopicRegex(req.subscribedTopicRegex) === null)
    fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${req.subscribedTopicRegex} is not a valid regular expression.`);
  if (req.serverAssignor !== null && !assignors.includes(req.serverAssignor))
    fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${assignors.join(', ')}.`);
}

/** A change to write before the answer goes out. */
interface Outcome {
  result: ConsumerHeartbeatResult;
  group: ConsumerGroup;
  touched: string[];
  before: CoordinatorRecord[];
}

/** Handles one ConsumerGroupHeartbeat; answers once the group's changes are in the log. */
export async function consumerGroupHeartbeat(c: GroupCoordinator, req: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResult> {
  const s = settings(c, req.groupId);
  const error = (code: number, message: string | null): ConsumerHeartbeatResult => ({
    errorCode: code,
    errorMessage: message,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  });
  const early = c.availability(req.groupId) || c.ensureOffsetsTopic();
  if (early) return error(early, null);
  try {
    validate(req, s.assignors);
    const outcome = req.memberEpoch < 0 ? leave(c, req, s.heartbeatIntervalMs) : heartbeat(c, req, s);
    await persist(c, outcome.group, outcome.touched, outcome.before);
    return outcome.result;
  } catch (err) {
    if (err instanceof KafkaError) return error(err.code, err.message);
    throw err;
  }
}

function leave(c: GroupCoordinator, req: ConsumerHeartbeatRequest, heartbeatIntervalMs: number): Outcome {
  const g = c.consumerGroups.get(req.groupId);
  if (!g) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`);
  const m = g.members.get(req.memberId) ?? (req.instanceId !== null ? g.staticMember(req.instanceId) : undefined);
  if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`);
  if (req.instanceId !== null && m.instanceId === req.instanceId && m.memberId !== req.memberId)
    fail(ErrorCode.FENCED_INSTANCE_ID, `instance ${req.instanceId} is now member ${m.memberId}`);
  if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
    // A static member leaves temporarily: it keeps its assignment until its session expires.
    m.previousMemberEpoch = m.memberEpoch;
    m.memberEpoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH;
  } else {
    removeMember(c, g, m);
  }
  return {
    group: g,
    touched: [m.memberId],
    before: [],
    result: { errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs, assignment: null },
  };
}

function heartbeat(c: GroupCoordinator, req: ConsumerHeartbeatRequest, s: ReturnType<typeof settings>): Outcome {
  const groups = c.consumerGroups;
  let g = groups.get(req.groupId);
  const before: CoordinatorRecord[] = [];
  if (!g) {
    // getOrMaybeCreateConsumerGroup: only a joining member (epoch 0) creates the group.
    const classic = c.group(req.groupId);
    const live = classic !== undefined && !classic.is(GroupState.Dead);
    if (req.memberEpoch !== 0)
      fail(ErrorCode.GROUP_ID_NOT_FOUND, live ? `Group ${req.groupId} is not a consumer group.` : `Consumer group ${req.groupId} not found.`);
    if (classic && live) {
      if (!classic.isEmpty) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`);
      // An empty classic group becomes a consumer group (its committed offsets stay); its
      // GroupMetadata is tombstoned in the same batch as the new group's first records.
      if (classic.persisted) before.push({ key: encodeGroupMetadataKey(req.groupId), value: null });
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
        if (prior.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH)
          fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${prior.memberId} with instance id ${req.instanceId} is not released yet.`);
        // The returning static member takes over the old member's place and assignment.
        const next = new ConsumerGroupMember(memberId, req.clientId, req.clientHost);
        Object.assign(next, { ...prior, memberId });
        cancelTimers(c, g, prior.memberId);
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
      m.resetAssignment();
      m.memberEpoch = 0;
    }
    if (m.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // Back before its session expired: resumes its previous epoch and assignment.
      m.memberEpoch = Math.max(0, m.previousMemberEpoch);
    }
  } else {
    m = g.members.get(req.memberId);
    if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `member ${req.memberId} is not a member of group ${req.groupId}`);
    if (req.instanceId !== null && m.instanceId !== null && m.instanceId !== req.instanceId)
      fail(ErrorCode.FENCED_INSTANCE_ID, `member ${req.memberId} is not instance ${req.instanceId}`);
    // throwIfMemberEpochIsInvalid: a newer epoch is fenced; an older one only if it is not the
    // previous epoch of a member whose answer was lost (owning a subset of its assignment).
    if (req.memberEpoch > m.memberEpoch)
      fail(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The consumer group member has a greater member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}).`,
      );
    if (req.memberEpoch < m.memberEpoch && (req.memberEpoch !== m.previousMemberEpoch || owned === null || !isSubset(owned, m.assigned))) {
      fail(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The consumer group member has a smaller member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}).`,
      );
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
  // Names and regex are separate fields, each replaced only when sent (null: unchanged); the
  // subscription is their union. A client switching from one to the other clears the old one
  // with an empty list or an empty regex, as librdkafka and the Java consumer do.
  if (req.subscribedTopicNames !== null) {
    const names = [...new Set(req.subscribedTopicNames)].sort();
    if (names.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) changed = true;
    member.subscribedTopicNames = names;
  }
  if (req.subscribedTopicRegex !== null) {
    const regex = req.subscribedTopicRegex === '' ? null : req.subscribedTopicRegex;
    if (regex !== member.subscribedTopicRegex) changed = true;
    member.subscribedTopicRegex = regex;
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
  maybeComputeTarget(c, g);
  const ownedBefore = new Map([...member.assigned].map(([t, ps]) => [t, new Set(ps)]));
  g.reconcile(member, owned);
  scheduleSession(c, g, member);
  scheduleRevocation(c, g, member);
  g.stateTimestamp = Date.now();
  const full = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null);
  const send = full || !sameAssignment(ownedBefore, member.assigned);
  return {
    group: g,
    touched: [memberId],
    before,
    result: {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: s.heartbeatIntervalMs,
      assignment: send ? { topicPartitions: fromAssignment(member.assigned) } : null,
    },
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
  const g = c.consumerGroups.get(groupId);
  if (!g) return { found: false, state: ConsumerGroupState.Dead, groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [] };
  const named = (a: Assignment) => fromAssignment(a).map((tp) => ({ ...tp, topicName: c.metadata.topicById(tp.topicId)?.name ?? '' }));
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
