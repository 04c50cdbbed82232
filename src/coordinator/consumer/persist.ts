// Writing KIP-848 consumer groups to `__consumer_offsets`, as Kafka's GroupMetadataManager does
// (GroupCoordinatorRecordHelpers): a ConsumerGroupMemberMetadata record when a member joins or
// changes its subscription, ConsumerGroupMetadata when the group epoch moves,
// ConsumerGroupTargetAssignmentMember / ...Metadata when a target assignment is computed,
// ConsumerGroupCurrentMemberAssignment when a member's epoch, state or partitions change, and
// tombstones when a member leaves or the group goes.
//
// Each group keeps an image of what its records in the log hold (key -> encoded value). After a
// change, the records that differ from the image are written, so an unchanged heartbeat writes
// nothing. A failed write marks the whole image stale: the next write rewrites every record.
import { createHash } from 'node:crypto';
import type { CoordinatorRecord } from '../offsets-topic.js';
import { ConsumerGroup, MemberState, emptyLogImage, type ConsumerGroupMember, type LogImage } from './group.js';
import type { Assignment } from './assignors.js';
import {
  MEMBER_STATE_CODES,
  RecordType,
  encodeConsumerKey,
  encodeCurrentAssignmentValue,
  encodeGroupEpochValue,
  encodeMemberMetadataValue,
  encodeTargetEpochValue,
  encodeTargetMemberValue,
  type TopicPartitionsValue,
} from './records.js';

const STALE = Buffer.alloc(0); // never equal to an encoded value

function imageOf(g: ConsumerGroup): LogImage {
  return g.logImage;
}

type Slot = 'member' | 'target' | 'current';
const memberKey = (slot: Slot, id: string) => `${slot}\u0000${id}`;
const SLOT_TYPE = {
  member: RecordType.ConsumerGroupMemberMetadata,
  target: RecordType.ConsumerGroupTargetAssignmentMember,
  current: RecordType.ConsumerGroupCurrentMemberAssignment,
} as const;

/**
 * A 52-bit hash of samsa's subscription metadata fingerprint, stored in MetadataHash (KIP-1101).
 * Kafka hashes topic metadata its own way: a log moved between the two only costs one group
 * epoch bump. 0 means "no topics", as in Kafka.
 */
export function metadataHash(fingerprint: string): number {
  if (fingerprint === '') return 0;
  const d = createHash('sha256').update(fingerprint).digest();
  return d.readUIntBE(0, 6) * 16 + (d[6]! >> 4) || 1;
}

function partitionsValue(a: Assignment, epochs: ConsumerGroupMember['assignmentEpochs'] | null): TopicPartitionsValue[] {
  return [...a]
    .filter(([, s]) => s.size > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([topicId, s]) => {
      const partitions = [...s].sort((x, y) => x - y);
      const e = epochs?.get(topicId);
      return { topicId, partitions, assignmentEpochs: e ? partitions.map((p) => e.get(p) ?? 0) : null };
    });
}

const STATE_CODE: Record<MemberState, number> = {
  [MemberState.Stable]: MEMBER_STATE_CODES.STABLE,
  [MemberState.UnrevokedPartitions]: MEMBER_STATE_CODES.UNREVOKED_PARTITIONS,
  [MemberState.UnreleasedPartitions]: MEMBER_STATE_CODES.UNRELEASED_PARTITIONS,
};

function encodeSlot(g: ConsumerGroup, m: ConsumerGroupMember, slot: Slot): Buffer {
  switch (slot) {
    case 'member':
      return encodeMemberMetadataValue({
        instanceId: m.instanceId,
        rackId: m.rackId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames].sort(),
        subscribedTopicRegex: m.subscribedTopicRegex,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        serverAssignor: m.serverAssignor,
        classicMember: false,
      });
    case 'target':
      return encodeTargetMemberValue(partitionsValue(g.targetAssignment.get(m.memberId) ?? new Map(), null));
    case 'current':
      return encodeCurrentAssignmentValue({
        memberEpoch: m.memberEpoch,
        previousMemberEpoch: m.previousMemberEpoch,
        state: STATE_CODE[m.state],
        assigned: partitionsValue(m.assigned, m.assignmentEpochs),
        pendingRevocation: partitionsValue(m.pendingRevocation, m.assignmentEpochs),
      });
  }
}

/**
 * The records that bring the log up to `g`: the records of the `touched` members (and of every
 * member after a failed write), every target assignment when a new one was computed, tombstones
 * for members that are gone, and the group's epochs. In Kafka's order: a member's current
 * assignment is tombstoned before its metadata, and its metadata is written before the epochs.
 */
export function consumerGroupChanges(g: ConsumerGroup, touched: Iterable<string>): CoordinatorRecord[] {
  const img = imageOf(g);
  const group = g.groupId;
  const out: CoordinatorRecord[] = [];
  const ids = new Set<string>();
  for (const id of touched) if (g.members.has(id)) ids.add(id);
  if (img.rewriteAll) for (const id of g.members.keys()) ids.add(id);
  const put = (imageKey: string, key: Buffer, value: Buffer) => {
    const old = img.values.get(imageKey);
    if (old !== undefined && old.equals(value)) return;
    img.values.set(imageKey, value);
    out.push({ key, value });
  };
  const slot = (m: ConsumerGroupMember, s: Slot) => {
    img.members.add(m.memberId);
    put(memberKey(s, m.memberId), encodeConsumerKey({ type: SLOT_TYPE[s], group, memberId: m.memberId }), encodeSlot(g, m, s));
  };
  // Members that left: current assignment, target, then metadata (ConsumerGroup.removeMember).
  for (const id of [...img.members]) {
    if (g.members.has(id)) continue;
    for (const s of ['current', 'target', 'member'] as const) {
      if (img.values.delete(memberKey(s, id))) out.push({ key: encodeConsumerKey({ type: SLOT_TYPE[s], group, memberId: id }), value: null });
    }
    img.members.delete(id);
  }
  for (const id of ids) slot(g.members.get(id)!, 'member');
  put(
    'epoch',
    encodeConsumerKey({ type: RecordType.ConsumerGroupMetadata, group }),
    encodeGroupEpochValue({ epoch: g.groupEpoch, metadataHash: metadataHash(g.metadataFingerprint) }),
  );
  const targetEpoch = encodeTargetEpochValue(g.assignmentEpoch);
  const newTarget = img.rewriteAll || !img.values.get('targetEpoch')?.equals(targetEpoch);
  for (const m of g.members.values()) if (newTarget || ids.has(m.memberId)) slot(m, 'target');
  put('targetEpoch', encodeConsumerKey({ type: RecordType.ConsumerGroupTargetAssignmentMetadata, group }), targetEpoch);
  for (const id of ids) slot(g.members.get(id)!, 'current');
  img.rewriteAll = false;
  return out;
}

/** After a failed write: the log may miss any of the group's records, so rewrite them all next time. */
export function markStale(g: ConsumerGroup): void {
  const img = imageOf(g);
  for (const k of img.values.keys()) img.values.set(k, STALE);
  img.rewriteAll = true;
}

/** The image of a group loaded from the log (nothing to write), `extraKeys` for records samsa does not keep. */
export function adoptLoaded(g: ConsumerGroup, extraKeys: readonly string[]): void {
  g.logImage = emptyLogImage();
  consumerGroupChanges(g, g.members.keys());
  const img = imageOf(g);
  for (const k of extraKeys) img.values.set(k, STALE);
}

/** The key of the deprecated ConsumerGroupPartitionMetadata record in an image (see adoptLoaded). */
export const PARTITION_METADATA_IMAGE_KEY = 'partitionMetadata';

/**
 * The tombstones that delete a consumer group (Kafka's ConsumerGroup.createGroupTombstoneRecords):
 * current assignments, targets, the target epoch, member metadata, then the group epoch.
 */
export function consumerGroupTombstones(g: ConsumerGroup): CoordinatorRecord[] {
  const img = imageOf(g);
  const group = g.groupId;
  const ids = new Set([...img.members, ...g.members.keys()]);
  const out: CoordinatorRecord[] = [];
  const tomb = (key: Buffer) => out.push({ key, value: null });
  for (const id of ids) tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupCurrentMemberAssignment, group, memberId: id }));
  for (const id of ids) tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupTargetAssignmentMember, group, memberId: id }));
  tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupTargetAssignmentMetadata, group }));
  for (const id of ids) tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupMemberMetadata, group, memberId: id }));
  if (img.values.has(PARTITION_METADATA_IMAGE_KEY)) tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupPartitionMetadata, group }));
  tomb(encodeConsumerKey({ type: RecordType.ConsumerGroupMetadata, group }));
  g.logImage = emptyLogImage();
  return out;
}
