// OffsetCommit, OffsetFetch and OffsetDelete, after Kafka's OffsetMetadataManager and
// ClassicGroup.validateOffsetCommit / validateOffsetDelete. Commits are answered only once their
// OffsetCommit records are durable in __consumer_offsets, and become visible to OffsetFetch at
// that moment. Topic existence checks (Kafka's KafkaApis part) are the handlers' job; these
// functions see only partitions that exist.
import { ErrorCode, KafkaError } from '../errors.js';
import type { GroupCoordinator } from './coordinator.js';
import { GroupState, type ClassicGroup } from './classic/group.js';
import type { OffsetAndMetadata } from './offsets-store.js';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from './records.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import { scheduleHeartbeat } from './classic/rebalance.js';
import { CONSUMER_PROTOCOL_TYPE } from './classic/consumer-protocol.js';
import { isSubscribedToTopic } from './consumer/heartbeat.js';
import { validateConsumerGroupCommit, validateConsumerGroupFetch, validateConsumerGroupTxnCommit } from './consumer/offset-checks.js';

export interface CommitPartition {
  partition: number;
  offset: number;
  leaderEpoch: number; // -1: none
  metadata: string | null;
  commitTimestamp: number; // -1: now (v1 may send one)
}

export interface CommitRequest {
  groupId: string;
  generationId: number; // -1: a commit from outside group management (and every v0 commit)
  memberId: string;
  groupInstanceId: string | null;
  retentionTimeMs: number; // -1: the broker's offsets.retention.minutes (v2-v4 may set it)
  topics: Array<{ name: string; partitions: CommitPartition[] }>;
}

/** Error codes per partition, in request order. */
export type CommitResult = number[][];

// ClassicGroup.validateOffsetCommit (non-transactional).
function validateCommit(group: ClassicGroup, req: CommitRequest): void {
  if (group.is(GroupState.Dead)) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `group ${group.groupId} is being deleted`);
  if (req.generationId < 0 && group.isEmpty) return; // standalone consumers and admin tools
  if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
    group.validateMember(req.memberId, req.groupInstanceId);
    if (req.generationId !== group.generationId) {
      throw new KafkaError(
        ErrorCode.ILLEGAL_GENERATION,
        `generation ${req.generationId} is not the current generation ${group.generationId} of group ${group.groupId}`,
      );
    }
  } else if (!group.isEmpty) {
    // No member id and no generation (OffsetCommit v0): only an empty group takes such commits.
    throw new KafkaError(ErrorCode.UNKNOWN_MEMBER_ID, `group ${group.groupId} has members; commits need a member id and generation`);
  }
  if (group.is(GroupState.CompletingRebalance)) {
    throw new KafkaError(ErrorCode.REBALANCE_IN_PROGRESS, `group ${group.groupId} is completing a rebalance`);
  }
}

export async function commitOffsets(c: GroupCoordinator, req: CommitRequest, apiVersion: number): Promise<CommitResult> {
  const all = (code: number): CommitResult => req.topics.map((t) => t.partitions.map(() => code));
  const early = c.availability(req.groupId) || c.ensureOffsetsTopic();
  if (early) return all(early);
  let group = c.group(req.groupId);
  const consumer = group ? undefined : c.consumerGroups.get(req.groupId);
  if (consumer) {
    // A KIP-848 consumer group: the generation field carries the member epoch. An older epoch is
    // checked per partition (KIP-1251); one partition failing fails the whole commit, as the
    // validator's exception does in Kafka's OffsetMetadataManager.commitOffset.
    try {
      const validator = validateConsumerGroupCommit(c, consumer, req.memberId, req.generationId, apiVersion);
      if (validator) {
        for (const t of req.topics) {
          for (const p of t.partitions) if (!(p.metadata !== null && p.metadata.length > c.config.offsetMetadataMaxBytes)) validator(t.name, p.partition);
        }
      }
    } catch (err) {
      if (err instanceof KafkaError) return all(err.code);
      throw err;
    }
  } else if (!group) {
    // Kafka 4.x: GROUP_ID_NOT_FOUND from v9, ILLEGAL_GENERATION before.
    if (req.generationId >= 0) return all(apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
    group = c.getOrCreateGroup(req.groupId); // a simple group, for a standalone consumer
  }
  if (group) {
    try {
      validateCommit(group, req);
    } catch (err) {
      if (err instanceof KafkaError) return all(err.code);
      throw err;
    }
  }
  // Commits keep a member's session alive.
  if (group && (group.is(GroupState.Stable) || group.is(GroupState.PreparingRebalance))) {
    const m = group.member(req.memberId);
    if (m) scheduleHeartbeat(c, group, m);
  }
  const now = Date.now();
  const expire = req.retentionTimeMs === -1 ? -1 : now + req.retentionTimeMs;
  const result: CommitResult = [];
  const records: CoordinatorRecord[] = [];
  const pending: Array<{ topic: string; partition: number; value: OffsetAndMetadata }> = [];
  for (const t of req.topics) {
    const codes: number[] = [];
    result.push(codes);
    for (const p of t.partitions) {
      // Kafka compares String.length(), UTF-16 code units.
      if (p.metadata !== null && p.metadata.length > c.config.offsetMetadataMaxBytes) {
        codes.push(ErrorCode.OFFSET_METADATA_TOO_LARGE);
        continue;
      }
      const value: OffsetAndMetadata = {
        offset: p.offset,
        leaderEpoch: p.leaderEpoch < 0 ? -1 : p.leaderEpoch,
        metadata: p.metadata ?? '',
        commitTimestamp: p.commitTimestamp === -1 ? now : p.commitTimestamp,
        expireTimestamp: expire,
      };
      records.push({ key: encodeOffsetCommitKey(req.groupId, t.name, p.partition), value: encodeOffsetCommitValue(value) });
      pending.push({ topic: t.name, partition: p.partition, value });
      codes.push(ErrorCode.NONE);
    }
  }
  if (records.length === 0) return result;
  try {
    await c.append(req.groupId, records);
  } catch (err) {
    const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
    c.log.warn({ groupId: req.groupId, err: (err as Error).message }, 'offset commit failed');
    return result.map((codes) => codes.map((x) => (x === ErrorCode.NONE ? code : x)));
  }
  for (const p of pending) c.offsets.put(req.groupId, p.topic, p.partition, p.value);
  return result;
}

export interface FetchedPartition {
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchedGroup {
  errorCode: number;
  topics: Array<{ name: string; partitions: FetchedPartition[] }>;
}

/**
 * The committed offsets of a group, for the given partitions or (topics null) for all. Offsets
 * still pending in an open transaction are not here: the OffsetFetch handler asks
 * PendingTxnOffsets for those when the request has `requireStable`.
 */
export function fetchOffsets(c: GroupCoordinator, groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): FetchedGroup {
  const early = c.availability(groupId);
  if (early) return { errorCode: early, topics: [] };
  const group = c.group(groupId);
  const known = (group !== undefined && !group.is(GroupState.Dead)) || c.consumerGroups.get(groupId) !== undefined;
  const stored = known ? c.offsets.ofGroup(groupId) : new Map<string, ReadonlyMap<number, OffsetAndMetadata>>();
  const out = (partition: number, o: OffsetAndMetadata | undefined): FetchedPartition =>
    o
      ? { partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE }
      : { partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
  if (topics === null) {
    return { errorCode: ErrorCode.NONE, topics: [...stored].map(([name, ps]) => ({ name, partitions: [...ps].map(([p, o]) => out(p, o)) })) };
  }
  return { errorCode: ErrorCode.NONE, topics: topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => out(p, stored.get(t.name)?.get(p))) })) };
}

/**
 * OffsetFetch v9+ carries the member id and epoch of a KIP-848 member: Kafka's
 * Group.validateOffsetFetch answers the group with UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH
 * (classic groups check nothing). NONE when the fetch may go ahead.
 */
export function validateOffsetFetch(c: GroupCoordinator, groupId: string, memberId: string | null, memberEpoch: number): number {
  const g = c.consumerGroups.get(groupId);
  if (!g || c.availability()) return ErrorCode.NONE;
  try {
    validateConsumerGroupFetch(g, memberId, memberEpoch);
    return ErrorCode.NONE;
  } catch (err) {
    if (err instanceof KafkaError) return err.code;
    throw err;
  }
}

/**
 * TxnOffsetCommit's member checks when the group is a KIP-848 consumer group (NONE or the error
 * for every partition); null when it is not one, and the classic rules apply.
 */
export function checkTxnCommitToConsumerGroup(
  c: GroupCoordinator,
  groupId: string,
  memberId: string,
  memberEpoch: number,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
): number | null {
  const g = c.consumerGroups.get(groupId);
  return g ? validateConsumerGroupTxnCommit(c, g, memberId, memberEpoch, partitions) : null;
}

export interface DeleteOffsetsResult {
  errorCode: number;
  topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

export async function deleteOffsets(c: GroupCoordinator, groupId: string, topics: Array<{ name: string; partitions: number[] }>): Promise<DeleteOffsetsResult> {
  const early = c.availability(groupId) || (groupId === '' ? ErrorCode.INVALID_GROUP_ID : 0);
  if (early) return { errorCode: early, topics: [] };
  // A KIP-848 consumer group (ConsumerGroup.validateOffsetDelete accepts any state) refuses only
  // the topics its members subscribe to.
  const consumer = c.consumerGroups.get(groupId);
  const group = consumer ? undefined : c.group(groupId);
  if (!consumer && (!group || group.is(GroupState.Dead))) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
  // ClassicGroup.validateOffsetDelete: a live group must use the consumer protocol, whose
  // subscriptions say which topics are in use.
  if (group && !group.isEmpty && group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
  const records: CoordinatorRecord[] = [];
  const doomed: Array<{ topic: string; partition: number }> = [];
  const result: DeleteOffsetsResult = { errorCode: ErrorCode.NONE, topics: [] };
  for (const t of topics) {
    const subscribed = consumer ? isSubscribedToTopic(c, consumer, t.name) : group!.isSubscribedToTopic(t.name);
    result.topics.push({
      name: t.name,
      partitions: t.partitions.map((partition) => ({ partition, errorCode: subscribed ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE })),
    });
    if (subscribed) continue;
    for (const partition of t.partitions) {
      if (!c.offsets.get(groupId, t.name, partition)) continue;
      records.push({ key: encodeOffsetCommitKey(groupId, t.name, partition), value: null });
      doomed.push({ topic: t.name, partition });
    }
  }
  if (records.length === 0) return result;
  try {
    await c.append(groupId, records);
  } catch (err) {
    return { errorCode: err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR, topics: [] };
  }
  for (const d of doomed) c.offsets.remove(groupId, d.topic, d.partition);
  return result;
}
