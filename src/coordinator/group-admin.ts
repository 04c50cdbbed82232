// DescribeGroups, ListGroups, DeleteGroups and the expiry of old offsets, after Kafka's
// GroupMetadataManager.describeGroups / listGroups, GroupCoordinatorShard.deleteGroups and
// cleanupGroupMetadata, OffsetMetadataManager.cleanupExpiredOffsets and
// OffsetExpirationConditionImpl.
import { ErrorCode } from '../errors.js';
import type { GroupCoordinator } from './coordinator.js';
import { GroupState, type ClassicGroup } from './classic/group.js';
import type { OffsetAndMetadata } from './offsets-store.js';
import { encodeGroupMetadataKey, encodeOffsetCommitKey } from './records.js';
import type { CoordinatorRecord } from './offsets-topic.js';
import { CONSUMER_PROTOCOL_TYPE } from './classic/consumer-protocol.js';
import { isSubscribedToTopic, removeConsumerGroup } from './consumer/heartbeat.js';

export const GROUP_TYPE_CLASSIC = 'classic';
export const GROUP_TYPE_CONSUMER = 'consumer';

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  groupId: string;
  found: boolean;
  state: string;
  protocolType: string;
  protocolName: string;
  members: DescribedMember[];
}

/** Kafka's describeGroups: metadata only for Stable groups; an unknown group is Dead. */
export function describeGroup(c: GroupCoordinator, groupId: string): DescribedGroup {
  const g = c.group(groupId);
  if (!g || g.is(GroupState.Dead)) return { groupId, found: false, state: GroupState.Dead, protocolType: '', protocolName: '', members: [] };
  const stable = g.is(GroupState.Stable);
  return {
    groupId,
    found: true,
    state: g.state,
    protocolType: g.protocolType ?? '',
    protocolName: stable ? (g.protocolName ?? '') : '',
    members: [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      metadata: stable ? m.metadata(g.protocolName ?? '') : Buffer.alloc(0),
      assignment: m.assignment,
    })),
  };
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  state: string;
  type: string;
}

/** Groups matching the state and type filters (case-insensitive; empty filters match all). */
export function listGroups(c: GroupCoordinator, states: readonly string[], types: readonly string[]): ListedGroup[] {
  const stateSet = new Set(states.map((s) => s.trim().toLowerCase()));
  const typeSet = new Set(types.map((s) => s.trim().toLowerCase()));
  const out: ListedGroup[] = [];
  for (const g of c.groups.values()) {
    if (g.is(GroupState.Dead)) continue;
    if (stateSet.size > 0 && !stateSet.has(g.state.toLowerCase())) continue;
    if (typeSet.size > 0 && !typeSet.has(GROUP_TYPE_CLASSIC)) continue;
    out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state, type: GROUP_TYPE_CLASSIC });
  }
  // KIP-848 consumer groups: type "consumer", protocol type "consumer".
  for (const g of c.consumerGroups.values()) {
    const state = g.state;
    if (stateSet.size > 0 && !stateSet.has(state.toLowerCase())) continue;
    if (typeSet.size > 0 && !typeSet.has(GROUP_TYPE_CONSUMER)) continue;
    out.push({ groupId: g.groupId, protocolType: CONSUMER_PROTOCOL_TYPE, state, type: GROUP_TYPE_CONSUMER });
  }
  return out;
}

/** The records that delete a group: a tombstone per committed offset, then the group's. */
function tombstones(c: GroupCoordinator, group: ClassicGroup): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = c.offsets
    .partitionsOf(group.groupId)
    .map((tp) => ({ key: encodeOffsetCommitKey(group.groupId, tp.topic, tp.partition), value: null }));
  records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
  return records;
}

function forgetGroup(c: GroupCoordinator, group: ClassicGroup): void {
  for (const tp of c.offsets.partitionsOf(group.groupId)) c.offsets.remove(group.groupId, tp.topic, tp.partition);
  c.removeGroup(group);
}

/** DeleteGroups: per group NONE, GROUP_ID_NOT_FOUND or NON_EMPTY_GROUP (or a write error). */
export async function deleteGroup(c: GroupCoordinator, groupId: string): Promise<number> {
  const early = c.availability(groupId);
  if (early) return early;
  const consumer = c.consumerGroups.get(groupId);
  if (consumer) {
    // A KIP-848 consumer group: only when empty; its offsets go with it, then its records
    // (GroupCoordinatorShard.deleteGroups: offset tombstones, then the group's).
    if (!consumer.isEmpty) return ErrorCode.NON_EMPTY_GROUP;
    const doomed = c.offsets.partitionsOf(groupId);
    for (const tp of doomed) c.offsets.remove(groupId, tp.topic, tp.partition);
    try {
      await removeConsumerGroup(
        c,
        consumer,
        doomed.map((tp) => ({ key: encodeOffsetCommitKey(groupId, tp.topic, tp.partition), value: null })),
      );
      return ErrorCode.NONE;
    } catch (err) {
      c.log.warn({ groupId, err: (err as Error).message }, 'could not write the tombstones of a deleted group');
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    }
  }
  const g = c.group(groupId);
  if (!g || g.is(GroupState.Dead)) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (!g.isEmpty) return ErrorCode.NON_EMPTY_GROUP;
  const records = tombstones(c, g);
  // Gone for new requests at once; the answer waits for the tombstones.
  forgetGroup(c, g);
  try {
    await c.append(groupId, records);
    return ErrorCode.NONE;
  } catch (err) {
    c.log.warn({ groupId, err: (err as Error).message }, 'could not write the tombstones of a deleted group');
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}

// ---- offsets retention ----

/**
 * Which time an offset's age is measured from (Kafka's ClassicGroup.offsetExpirationCondition),
 * or null when the group's offsets do not expire now: an empty group from the moment it became
 * empty, a standalone consumer's group from each commit; live groups keep theirs (their consumer
 * protocol members commit what they use).
 */
function expirationBase(g: ClassicGroup): ((o: OffsetAndMetadata) => number) | null {
  if (g.protocolType === null) return (o) => o.commitTimestamp;
  if (g.isEmpty) return () => g.stateTimestamp;
  if (g.protocolType === CONSUMER_PROTOCOL_TYPE && g.subscribedTopics !== null && g.is(GroupState.Stable)) return (o) => o.commitTimestamp;
  return null;
}

function isExpired(o: OffsetAndMetadata, base: number, now: number, retentionMs: number): boolean {
  // Commits that carried their own retention (v2-v4) expire at their own time.
  if (o.expireTimestamp >= 0) return now >= o.expireTimestamp;
  return now - base >= retentionMs;
}

/**
 * Expires the offsets of offsets.retention.minutes and deletes empty groups left with none,
 * writing tombstones (Kafka's GroupCoordinatorShard.cleanupGroupMetadata). Returns the number
 * of tombstones.
 */
export function cleanupGroupMetadata(c: GroupCoordinator, now: number): number {
  if (c.availability()) return 0;
  let written = 0;
  for (const g of [...c.groups.values()]) {
    const base = expirationBase(g);
    const records: CoordinatorRecord[] = [];
    const expired: Array<{ topic: string; partition: number }> = [];
    let allExpired = true;
    if (base === null) {
      allExpired = !c.offsets.hasOffsets(g.groupId);
    } else {
      for (const [topic, partitions] of c.offsets.ofGroup(g.groupId)) {
        if (g.isSubscribedToTopic(topic) && !g.isEmpty) {
          allExpired = false;
          continue;
        }
        for (const [partition, o] of partitions) {
          if (!isExpired(o, base(o), now, c.config.offsetsRetentionMs)) {
            allExpired = false;
            continue;
          }
          records.push({ key: encodeOffsetCommitKey(g.groupId, topic, partition), value: null });
          expired.push({ topic, partition });
        }
      }
    }
    for (const e of expired) c.offsets.remove(g.groupId, e.topic, e.partition);
    const deleteGroupToo = allExpired && g.isEmpty && g.pendingJoinMembers.size === 0;
    if (deleteGroupToo) {
      if (g.persisted) records.push({ key: encodeGroupMetadataKey(g.groupId), value: null });
      c.removeGroup(g);
    }
    if (records.length === 0) continue;
    written += records.length;
    c.log.info({ groupId: g.groupId, expiredOffsets: expired.length, groupDeleted: deleteGroupToo }, 'expired committed offsets');
    c.append(g.groupId, records).catch((err: Error) => c.log.warn({ groupId: g.groupId, err: err.message }, 'could not write offset expiry tombstones'));
  }
  return written + cleanupConsumerGroups(c, now);
}

/**
 * The same for KIP-848 consumer groups: an offset expires offsets.retention.minutes after its
 * commit (ConsumerGroup.offsetExpirationCondition) unless the group is subscribed to its topic,
 * and an empty group left without offsets is deleted with its records (maybeDeleteGroup).
 */
function cleanupConsumerGroups(c: GroupCoordinator, now: number): number {
  let written = 0;
  for (const g of [...c.consumerGroups.values()]) {
    const doomed: Array<{ topic: string; partition: number }> = [];
    let allExpired = true;
    for (const [topic, partitions] of c.offsets.ofGroup(g.groupId)) {
      if (isSubscribedToTopic(c, g, topic)) {
        allExpired = false;
        continue;
      }
      for (const [partition, o] of partitions) {
        if (isExpired(o, o.commitTimestamp, now, c.config.offsetsRetentionMs)) doomed.push({ topic, partition });
        else allExpired = false;
      }
    }
    for (const d of doomed) c.offsets.remove(g.groupId, d.topic, d.partition);
    const records: CoordinatorRecord[] = doomed.map((d) => ({ key: encodeOffsetCommitKey(g.groupId, d.topic, d.partition), value: null }));
    const expired = records.length;
    const deleteGroupToo = allExpired && g.isEmpty;
    if (!deleteGroupToo && expired === 0) continue;
    c.log.info({ groupId: g.groupId, expiredOffsets: expired, groupDeleted: deleteGroupToo }, 'expired committed offsets');
    const write = deleteGroupToo ? removeConsumerGroup(c, g, records) : c.append(g.groupId, records);
    write.catch((err: Error) => c.log.warn({ groupId: g.groupId, err: err.message }, 'could not write offset expiry tombstones'));
    written += expired + (deleteGroupToo ? 1 : 0);
  }
  return written;
}
