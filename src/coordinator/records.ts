// The records of the internal topic `__consumer_offsets`, in Kafka's binary formats, so that
// Kafka's own tools (kafka-dump-log.sh --offsets-decoder) can read what samsa writes and samsa can
// read a log Kafka wrote. Schemas: Kafka's group-coordinator/src/main/resources/common/message/
// OffsetCommitKey.json, OffsetCommitValue.json, GroupMetadataKey.json, GroupMetadataValue.json.
//
// Key:   int16 version, then the fields. The version names the record type (Kafka's
//        CoordinatorRecordSerde): 0 and 1 OffsetCommitKey (group string, topic string, partition
//        int32), 2 GroupMetadataKey (group string). KIP-848 consumer group records (3-8, 16)
//        are consumer/records.ts'; share and streams records samsa skips.
// Value: int16 version, then the fields; a null value is a tombstone.
//   OffsetCommitValue v0-4: offset int64, [v3+ leaderEpoch int32], metadata string,
//     commitTimestamp int64, [v1 only: expireTimestamp int64]; v4 is flexible (compact strings,
//     tagged fields). Kafka writes v3, or v1 when the commit carried a retention time.
//   GroupMetadataValue v0-4: protocolType string, generation int32, protocol string?, leader
//     string?, [v2+ currentStateTimestamp int64], members [memberId string, [v3+ groupInstanceId
//     string?], clientId string, clientHost string, [v1+ rebalanceTimeout int32],
//     sessionTimeout int32, subscription bytes, assignment bytes]; v4 flexible. Kafka writes v3.
// Strings are int16-length UTF-8 (-1 null), bytes int32-length; flexible versions use Kafka's
// compact forms (unsigned varint length + 1).
import { Reader, Writer } from '../protocol/primitives/index.js';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRE = 1;
const GROUP_METADATA_VALUE_VERSION = 3;

export type CoordinatorKey =
  { type: 'offset'; group: string; topic: string; partition: number } | { type: 'group'; group: string } | { type: 'other'; version: number };

export interface OffsetCommitValue {
  offset: number;
  leaderEpoch: number; // -1: none
  metadata: string;
  commitTimestamp: number;
  expireTimestamp: number; // -1: none (only v1 carries one)
}

export interface GroupMemberRecord {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number; // -1: none
  members: GroupMemberRecord[];
}

export class RecordFormatError extends Error {
  override name = 'RecordFormatError';
}

// ---- keys ----

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  const w = new Writer(64);
  w.int16(OFFSET_COMMIT_KEY_VERSION);
  w.string(group);
  w.string(topic);
  w.int32(partition);
  return w.toBuffer();
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const w = new Writer(32);
  w.int16(GROUP_METADATA_KEY_VERSION);
  w.string(group);
  return w.toBuffer();
}

export function decodeKey(buf: Buffer): CoordinatorKey {
  const r = new Reader(buf);
  const version = r.int16();
  let key: CoordinatorKey;
  if (version === 0 || version === 1) key = { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() };
  else if (version === GROUP_METADATA_KEY_VERSION) key = { type: 'group', group: r.string() };
  else return { type: 'other', version };
  check(r, `key version ${version}`);
  return key;
}

// ---- OffsetCommitValue ----

export function encodeOffsetCommitValue(v: OffsetCommitValue): Buffer {
  const version = v.expireTimestamp >= 0 ? OFFSET_COMMIT_VALUE_VERSION_WITH_EXPIRE : OFFSET_COMMIT_VALUE_VERSION;
  const w = new Writer(64 + v.metadata.length * 3);
  w.int16(version);
  w.int64(v.offset);
  if (version >= 3) w.int32(v.leaderEpoch);
  w.string(v.metadata);
  w.int64(v.commitTimestamp);
  if (version === 1) w.int64(v.expireTimestamp);
  return w.toBuffer();
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 4) throw new RecordFormatError(`OffsetCommitValue version ${version} is unknown (0-4)`);
  const flex = version >= 4;
  const v: OffsetCommitValue = {
    offset: r.int64(),
    leaderEpoch: version >= 3 ? r.int32() : -1,
    metadata: flex ? r.compactString() : r.string(),
    commitTimestamp: r.int64(),
    expireTimestamp: version === 1 ? r.int64() : -1,
  };
  if (flex) r.taggedFields(null);
  check(r, `OffsetCommitValue v${version}`);
  return v;
}

// ---- GroupMetadataValue ----

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.int16(GROUP_METADATA_VALUE_VERSION);
  w.string(v.protocolType);
  w.int32(v.generation);
  w.nullableString(v.protocol);
  w.nullableString(v.leader);
  w.int64(v.currentStateTimestamp);
  w.int32(v.members.length);
  for (const m of v.members) {
    w.string(m.memberId);
    w.nullableString(m.groupInstanceId);
    w.string(m.clientId);
    w.string(m.clientHost);
    w.int32(m.rebalanceTimeout);
    w.int32(m.sessionTimeout);
    w.bytes(m.subscription);
    w.bytes(m.assignment);
  }
  return w.toBuffer();
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.int16();
  if (version < 0 || version > 4) throw new RecordFormatError(`GroupMetadataValue version ${version} is unknown (0-4)`);
  const flex = version >= 4;
  const str = () => (flex ? r.compactString() : r.string());
  const nstr = () => (flex ? r.compactNullableString() : r.nullableString());
  const bytes = () => Buffer.from(flex ? r.compactBytes() : r.bytes());
  const v: GroupMetadataValue = {
    protocolType: str(),
    generation: r.int32(),
    protocol: nstr(),
    leader: nstr(),
    currentStateTimestamp: version >= 2 ? r.int64() : -1,
    members: [],
  };
  const n = flex ? r.compactArrayLength() : r.arrayLength();
  for (let i = 0; i < n && r.error === null; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nstr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeout = version >= 1 ? r.int32() : -1;
    const sessionTimeout = r.int32();
    const subscription = bytes();
    const assignment = bytes();
    if (flex) r.taggedFields(null);
    v.members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flex) r.taggedFields(null);
  check(r, `GroupMetadataValue v${version}`);
  return v;
}

function check(r: Reader, what: string): void {
  if (r.error !== null) throw new RecordFormatError(`malformed ${what}: ${r.error}`);
}
