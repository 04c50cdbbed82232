// Building an uncompressed v2 batch with a correct CRC (tests, the bench client, control markers,
// coordinators' state topics).
import { crc32c } from './crc32c.js';
import { writeInt32, writeInt64 } from './int64.js';
import type { RecordHeader } from './iterate.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  CONTROL_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  TRANSACTIONAL_MASK,
} from './layout.js';
import { writeVarint, writeVarlong } from './varint.js';

export interface BuildRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface BuildOptions {
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  partitionLeaderEpoch?: number;
  /** Timestamp for records that have none; defaults to Date.now(). */
  timestamp?: number;
}

function putBytes(b: Buffer, p: number, v: Buffer | null): number {
  p = writeVarint(b, p, v === null ? -1 : v.length);
  return v === null ? p : p + v.copy(b, p);
}

/** An uncompressed v2 batch with a correct CRC. */
export function buildBatch(records: BuildRecord[], opts: BuildOptions = {}): Buffer {
  if (records.length === 0) throw new RangeError('buildBatch: a batch needs at least one record');
  const now = opts.timestamp ?? Date.now();
  const baseTimestamp = records[0]!.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  // Upper bound: a varint takes at most 5 bytes, a varlong 10.
  let bound = BATCH_HEADER_SIZE;
  for (const r of records) {
    bound += 36 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const h of r.headers ?? []) bound += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  }
  const b = Buffer.alloc(bound);
  let p = BATCH_HEADER_SIZE;
  records.forEach((r, i) => {
    const ts = r.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    // The body goes 5 bytes in, then moves back behind its length varint.
    const body = p + 5;
    let q = body;
    b[q++] = 0;
    q = writeVarlong(b, q, ts - baseTimestamp);
    q = writeVarint(b, q, i);
    q = putBytes(b, q, r.key);
    q = putBytes(b, q, r.value);
    const hs = r.headers ?? [];
    q = writeVarint(b, q, hs.length);
    for (const h of hs) {
      q = putBytes(b, q, Buffer.from(h.key, 'utf8'));
      q = putBytes(b, q, h.value);
    }
    p = writeVarint(b, p, q - body);
    b.copyWithin(p, body, q);
    p += q - body;
  });
  const attributes = (opts.transactional ? TRANSACTIONAL_MASK : 0) | (opts.control ? CONTROL_MASK : 0);
  writeInt64(b, BASE_OFFSET_OFFSET, opts.baseOffset ?? 0);
  writeInt32(b, BATCH_LENGTH_OFFSET, p - LOG_OVERHEAD);
  writeInt32(b, PARTITION_LEADER_EPOCH_OFFSET, opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  b[MAGIC_OFFSET] = CURRENT_MAGIC;
  b[ATTRIBUTES_OFFSET + 1] = attributes;
  writeInt32(b, LAST_OFFSET_DELTA_OFFSET, records.length - 1);
  writeInt64(b, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(b, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  writeInt64(b, PRODUCER_ID_OFFSET, opts.producerId ?? NO_PRODUCER_ID);
  const epoch = opts.producerEpoch ?? NO_PRODUCER_EPOCH;
  b[PRODUCER_EPOCH_OFFSET] = epoch >>> 8;
  b[PRODUCER_EPOCH_OFFSET + 1] = epoch;
  writeInt32(b, BASE_SEQUENCE_OFFSET, opts.baseSequence ?? NO_SEQUENCE);
  writeInt32(b, RECORD_COUNT_OFFSET, records.length);
  writeInt32(b, CRC_OFFSET, crc32c(b, ATTRIBUTES_OFFSET, p));
  return p === bound ? b : Buffer.from(b.subarray(0, p));
}
