// The KIP-848 consumer group records of `__consumer_offsets`, in Kafka's binary formats
// (group-coordinator/src/main/resources/common/message/ConsumerGroup*.json, written by
// GroupCoordinatorRecordHelpers). A key is an int16 record type (Kafka's CoordinatorRecordType)
// and non-flexible fields; a value is int16 version 0 and flexible fields (compact strings and
// arrays, tagged fields); a null value is a tombstone.
//
//   3 ConsumerGroupMetadata          key group            value Epoch int32, tag 0 MetadataHash int64 (KIP-1101)
//   4 ConsumerGroupPartitionMetadata key group            deprecated since Kafka 4.1 (MetadataHash replaced it): read, never written
//   5 ConsumerGroupMemberMetadata    key group, member    value InstanceId?, RackId?, ClientId, ClientHost,
//                                                          SubscribedTopicNames [string], SubscribedTopicRegex?,
//                                                          RebalanceTimeoutMs int32, ServerAssignor?,
//                                                          tag 0 ClassicMemberMetadata (null for consumer-protocol members)
//   6 ConsumerGroupTargetAssignmentMetadata key group     value AssignmentEpoch int32
//   7 ConsumerGroupTargetAssignmentMember key group, member value TopicPartitions [TopicId uuid, Partitions [int32]]
//   8 ConsumerGroupCurrentMemberAssignment key group, member value MemberEpoch int32, PreviousMemberEpoch int32,
//                                                          State int8, AssignedPartitions, PartitionsPendingRevocation:
//                                                          [TopicId uuid, Partitions [int32], tag 0 AssignmentEpochs [int32] (KIP-1251)]
//  16 ConsumerGroupRegularExpression key group, regex     samsa resolves regexes from live metadata: read, never written
import { Reader, Writer, encodeTagged, type TaggedField } from '../../protocol/primitives/index.js';
import { RecordFormatError } from '../records.js';

export const RecordType = {
  ConsumerGroupMetadata: 3,
  ConsumerGroupPartitionMetadata: 4,
  ConsumerGroupMemberMetadata: 5,
  ConsumerGroupTargetAssignmentMetadata: 6,
  ConsumerGroupTargetAssignmentMember: 7,
  ConsumerGroupCurrentMemberAssignment: 8,
  ConsumerGroupRegularExpression: 16,
} as const;

export type ConsumerRecordKey =
  { type: 3 | 4 | 6; group: string } | { type: 5 | 7 | 8; group: string; memberId: string } | { type: 16; group: string; regex: string };

/** Kafka's modern MemberState byte values. */
export const MEMBER_STATE_CODES = { STABLE: 0, UNREVOKED_PARTITIONS: 1, UNRELEASED_PARTITIONS: 2 } as const;

export interface ConsumerGroupMetadataValue {
  epoch: number;
  metadataHash: number; // 0: none
}

export interface MemberMetadataValue {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
  /** A classic-protocol member of a consumer group (Kafka's online migration; never written by samsa). */
  classicMember: boolean;
}

export interface TopicPartitionsValue {
  topicId: string;
  partitions: number[];
  /** Per partition, the epoch it was assigned at (KIP-1251); null when the record has none. */
  assignmentEpochs: number[] | null;
}

export interface CurrentAssignmentValue {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: number;
  assigned: TopicPartitionsValue[];
  pendingRevocation: TopicPartitionsValue[];
}

// ---- keys ----

export function encodeConsumerKey(key: ConsumerRecordKey): Buffer {
  const w = new Writer(64);
  w.int16(key.type);
  w.string(key.group);
  if ('memberId' in key) w.string(key.memberId);
  else if ('regex' in key) w.string(key.regex);
  return w.toBuffer();
}

/** A KIP-848 consumer group key, or null for another record type. */
export function decodeConsumerKey(buf: Buffer): ConsumerRecordKey | null {
  const r = new Reader(buf);
  const type = r.int16();
  let key: ConsumerRecordKey;
  switch (type) {
    case 3:
    case 4:
    case 6:
      key = { type, group: r.string() };
      break;
    case 5:
    case 7:
    case 8:
      key = { type, group: r.string(), memberId: r.string() };
      break;
    case 16:
      key = { type, group: r.string(), regex: r.string() };
      break;
    default:
      return null;
  }
  check(r, `consumer group key type ${type}`);
  return key;
}

// ---- values ----

function version0(r: Reader, what: string): void {
  const v = r.int16();
  if (r.error === null && v !== 0) throw new RecordFormatError(`${what} version ${v} is unknown (0)`);
}

export function encodeGroupEpochValue(v: ConsumerGroupMetadataValue): Buffer {
  const w = new Writer(24);
  w.int16(0);
  w.int32(v.epoch);
  // MetadataHash is written only when non-zero (its default), like Kafka's generated code.
  w.taggedFields(v.metadataHash !== 0 ? [encodeTagged(0, (t) => t.int64(v.metadataHash))] : null, undefined);
  return w.toBuffer();
}

export function decodeGroupEpochValue(buf: Buffer): ConsumerGroupMetadataValue {
  const r = new Reader(buf);
  version0(r, 'ConsumerGroupMetadataValue');
  const epoch = r.int32();
  let metadataHash = 0;
  r.taggedFields((tag, t, size) => {
    if (tag !== 0 || size !== 8) return false;
    metadataHash = readHash(t);
    return true;
  });
  check(r, 'ConsumerGroupMetadataValue');
  return { epoch, metadataHash };
}

/** Kafka's hashes use all 64 bits; samsa's fit a safe integer. Anything else is "unknown" (0). */
function readHash(r: Reader): number {
  const hi = r.buf.readInt32BE(r.offset);
  const lo = r.buf.readUInt32BE(r.offset + 4);
  r.offset += 8;
  const v = hi * 4294967296 + lo;
  return Number.isSafeInteger(v) ? v : 0;
}

export function encodeMemberMetadataValue(v: MemberMetadataValue): Buffer {
  const w = new Writer(128);
  w.int16(0);
  w.compactNullableString(v.instanceId);
  w.compactNullableString(v.rackId);
  w.compactString(v.clientId);
  w.compactString(v.clientHost);
  w.uvarint(v.subscribedTopicNames.length + 1);
  for (const t of v.subscribedTopicNames) w.compactString(t);
  w.compactNullableString(v.subscribedTopicRegex);
  w.int32(v.rebalanceTimeoutMs);
  w.compactNullableString(v.serverAssignor);
  w.taggedFields(null, undefined); // ClassicMemberMetadata: null (its default) for consumer-protocol members
  return w.toBuffer();
}

export function decodeMemberMetadataValue(buf: Buffer): MemberMetadataValue {
  const r = new Reader(buf);
  version0(r, 'ConsumerGroupMemberMetadataValue');
  const instanceId = r.compactNullableString();
  const rackId = r.compactNullableString();
  const clientId = r.compactString();
  const clientHost = r.compactString();
  const n = r.compactArrayLength();
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < n && r.error === null; i++) subscribedTopicNames.push(r.compactString());
  const subscribedTopicRegex = r.compactNullableString();
  const rebalanceTimeoutMs = r.int32();
  const serverAssignor = r.compactNullableString();
  let classicMember = false;
  r.taggedFields((tag, t, size) => {
    if (tag !== 0) return false;
    // A nullable struct: int8 -1 for null, 1 then the struct.
    classicMember = size > 0 && t.buf.readInt8(t.offset) >= 0;
    t.offset += size;
    return true;
  });
  check(r, 'ConsumerGroupMemberMetadataValue');
  return { instanceId, rackId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor, classicMember };
}

export function encodeTargetEpochValue(assignmentEpoch: number): Buffer {
  const w = new Writer(16);
  w.int16(0);
  w.int32(assignmentEpoch);
  w.taggedFields(null, undefined);
  return w.toBuffer();
}

export function decodeTargetEpochValue(buf: Buffer): number {
  const r = new Reader(buf);
  version0(r, 'ConsumerGroupTargetAssignmentMetadataValue');
  const epoch = r.int32();
  r.taggedFields(null); // newer Kafka versions may add tagged fields (an assignment timestamp)
  check(r, 'ConsumerGroupTargetAssignmentMetadataValue');
  return epoch;
}

export function encodeTargetMemberValue(parts: readonly TopicPartitionsValue[]): Buffer {
  const w = new Writer(64);
  w.int16(0);
  writePartitions(w, parts, false);
  w.taggedFields(null, undefined);
  return w.toBuffer();
}

export function decodeTargetMemberValue(buf: Buffer): TopicPartitionsValue[] {
  const r = new Reader(buf);
  version0(r, 'ConsumerGroupTargetAssignmentMemberValue');
  const parts = readPartitions(r);
  r.taggedFields(null);
  check(r, 'ConsumerGroupTargetAssignmentMemberValue');
  return parts;
}

export function encodeCurrentAssignmentValue(v: CurrentAssignmentValue): Buffer {
  const w = new Writer(96);
  w.int16(0);
  w.int32(v.memberEpoch);
  w.int32(v.previousMemberEpoch);
  w.int8(v.state);
  writePartitions(w, v.assigned, true);
  writePartitions(w, v.pendingRevocation, true);
  w.taggedFields(null, undefined);
  return w.toBuffer();
}

export function decodeCurrentAssignmentValue(buf: Buffer): CurrentAssignmentValue {
  const r = new Reader(buf);
  version0(r, 'ConsumerGroupCurrentMemberAssignmentValue');
  const memberEpoch = r.int32();
  const previousMemberEpoch = r.int32();
  const state = r.int8();
  const assigned = readPartitions(r);
  const pendingRevocation = readPartitions(r);
  r.taggedFields(null);
  check(r, 'ConsumerGroupCurrentMemberAssignmentValue');
  return { memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation };
}

function writePartitions(w: Writer, parts: readonly TopicPartitionsValue[], withEpochs: boolean): void {
  w.uvarint(parts.length + 1);
  for (const tp of parts) {
    w.uuid(tp.topicId);
    w.uvarint(tp.partitions.length + 1);
    for (const p of tp.partitions) w.int32(p);
    const tags: TaggedField[] = [];
    if (withEpochs && tp.assignmentEpochs !== null && tp.assignmentEpochs.length > 0) {
      const epochs = tp.assignmentEpochs;
      tags.push(
        encodeTagged(0, (t) => {
          t.uvarint(epochs.length + 1);
          for (const e of epochs) t.int32(e);
        }),
      );
    }
    w.taggedFields(tags, undefined);
  }
}

function readPartitions(r: Reader): TopicPartitionsValue[] {
  const out: TopicPartitionsValue[] = [];
  const n = r.compactArrayLength();
  for (let i = 0; i < n && r.error === null; i++) {
    const topicId = r.uuid();
    const m = r.compactArrayLength();
    const partitions: number[] = [];
    for (let j = 0; j < m && r.error === null; j++) partitions.push(r.int32());
    let assignmentEpochs: number[] | null = null;
    r.taggedFields((tag, t) => {
      if (tag !== 0) return false;
      const k = t.compactArrayLength();
      if (k >= 0) {
        assignmentEpochs = [];
        for (let j = 0; j < k && t.error === null; j++) assignmentEpochs.push(t.int32());
      }
      return true;
    });
    out.push({ topicId, partitions, assignmentEpochs });
  }
  return out;
}

function check(r: Reader, what: string): void {
  if (r.error !== null) throw new RecordFormatError(`malformed ${what}: ${r.error}`);
  if (r.remaining !== 0) throw new RecordFormatError(`malformed ${what}: ${r.remaining} bytes left over`);
}
