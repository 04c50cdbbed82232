// The record-level half of the log cleaner: walking the records of an uncompressed v2 batch with
// the positions the cleaner needs (key, null value, timestamp delta), and building the batch that
// holds only the records it keeps.
//
// A rebuilt batch follows Kafka's MemoryRecords.buildRetainedRecordsInto (clients/.../record/
// MemoryRecords.java) for magic 2: the ORIGINAL baseOffset and lastOffsetDelta stay, so every
// kept record keeps its offset and offset delta, and the producer's last sequence
// (baseSequence + lastOffsetDelta) stays what the producer state says; producer fields,
// partition leader epoch and the transactional / control / timestamp-type bits stay; recordCount
// and, for CreateTime, maxTimestamp come from the kept records. With a delete horizon (KIP-534)
// the base timestamp field holds the horizon, attribute bit 6 (hasDeleteHorizonMs) is set, and
// each record's timestamp delta is rewritten against it, so record timestamps do not change.
// Records are otherwise copied byte for byte.
//
// Record (Kafka's DefaultRecord): length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, keyLength varint (<0: null), key, valueLength varint (<0: null), value,
// headerCount varint, headers. Varints are zig-zag.
import { accel } from '../../accel/index.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_MASK,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
} from '../../protocol/records/layout.js';
import { readInt64, writeInt64 } from '../../protocol/records/int64.js';
import { cursor, readVarint, readVarlong, writeVarint, writeVarlong } from '../../protocol/records/varint.js';

/** One record of a batch, as the cleaner sees it. Reused between callbacks: copy what you keep. */
export interface RecordView {
  /** The record's bytes in the batch, its length varint included: [start, end). */
  start: number;
  end: number;
  /** The record's attributes byte (after the length varint). */
  bodyStart: number;
  /** Where the timestampDelta varlong ends (the bytes after it are copied as they are). */
  afterTimestamp: number;
  timestampDelta: number;
  offsetDelta: number;
  /** -1: null key. */
  keyStart: number;
  keyLength: number;
  /** A tombstone: the value is null. */
  nullValue: boolean;
}

// The cleaner reads segments that were checked when written: a bad varint is an exception.
function varint(b: Buffer, end: number): number {
  const at = cursor.pos;
  const v = readVarint(b, end);
  if (cursor.pos < 0) throw new Error(`invalid varint at byte ${at}`);
  return v;
}

function varlong(b: Buffer, end: number): number {
  const at = cursor.pos;
  const v = readVarlong(b, end);
  if (cursor.pos < 0) throw new Error(`invalid varlong at byte ${at}`);
  return v;
}

/**
 * Calls `cb` for every record of the uncompressed batch that fills `batch` from byte 0. Throws
 * on a compressed or malformed batch (a segment the cleaner reads was checked when written).
 */
export function forEachRecord(batch: Buffer, cb: (r: RecordView) => void): void {
  if ((batch[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK) !== 0) throw new Error('forEachRecord: the batch is compressed');
  const end = batch.readInt32BE(BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  if (end > batch.length) throw new Error(`forEachRecord: batchLength runs past the ${batch.length} bytes given`);
  const count = batch.readInt32BE(RECORD_COUNT_OFFSET);
  const r: RecordView = { start: 0, end: 0, bodyStart: 0, afterTimestamp: 0, timestampDelta: 0, offsetDelta: 0, keyStart: -1, keyLength: -1, nullValue: false };
  cursor.pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    r.start = cursor.pos;
    const len = varint(batch, end);
    if (len <= 0 || cursor.pos + len > end) throw new Error(`record ${i}: invalid length ${len}`);
    r.end = cursor.pos + len;
    r.bodyStart = cursor.pos;
    cursor.pos++; // attributes
    r.timestampDelta = varlong(batch, r.end);
    r.afterTimestamp = cursor.pos;
    r.offsetDelta = varint(batch, r.end);
    const kl = varint(batch, r.end);
    r.keyLength = kl;
    r.keyStart = kl < 0 ? -1 : cursor.pos;
    if (kl > 0) cursor.pos += kl;
    r.nullValue = varint(batch, r.end) < 0;
    cursor.pos = r.end; // value and headers are not needed
    cb(r);
    cursor.pos = r.end; // the callback may have used helpers that move the cursor
  }
  if (cursor.pos !== end) throw new Error(`${end - cursor.pos} bytes left after ${count} records`);
}

/** A kept record: its bytes in the source batch and its timestamp delta there. */
export interface KeptRecord {
  start: number;
  end: number;
  bodyStart: number;
  afterTimestamp: number;
  timestampDelta: number;
}

/**
 * The uncompressed batch holding the `kept` records of the uncompressed batch `src` (in order),
 * with the header rules above. `deleteHorizonMs`: the batch's delete horizon, or -1 for none.
 */
export function buildRetainedBatch(src: Buffer, kept: readonly KeptRecord[], deleteHorizonMs: number): Buffer {
  const attributes = src.readInt16BE(ATTRIBUTES_OFFSET);
  const srcBase = readInt64(src, BASE_TIMESTAMP_OFFSET);
  const logAppendTime = (attributes & TIMESTAMP_TYPE_MASK) !== 0;
  const newBase = deleteHorizonMs >= 0 ? deleteHorizonMs : srcBase;
  const rewrite = newBase !== srcBase;
  // A rewritten record grows by at most the difference of two varlongs (10 bytes) and a varint.
  let bound = BATCH_HEADER_SIZE;
  for (const k of kept) bound += k.end - k.start + (rewrite ? 15 : 0);
  const out = Buffer.allocUnsafeSlow(bound);
  src.copy(out, 0, 0, BATCH_HEADER_SIZE);
  let p = BATCH_HEADER_SIZE;
  let maxTimestamp = -1;
  for (const k of kept) {
    const ts = srcBase + k.timestampDelta;
    if (ts > maxTimestamp) maxTimestamp = ts;
    if (!rewrite) {
      p += src.copy(out, p, k.start, k.end);
      continue;
    }
    // attributes, the new timestamp delta, then the rest of the record as it was
    const body = Buffer.allocUnsafe(1 + 10 + (k.end - k.afterTimestamp));
    body[0] = src[k.bodyStart]!;
    let q = writeVarlong(body, 1, ts - newBase);
    q += src.copy(body, q, k.afterTimestamp, k.end);
    p = writeVarint(out, p, q);
    p += body.copy(out, p, 0, q);
  }
  out.writeInt32BE(p - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  let attrs = attributes & ~COMPRESSION_MASK;
  if (deleteHorizonMs >= 0) attrs |= DELETE_HORIZON_MASK;
  out.writeInt16BE(attrs, ATTRIBUTES_OFFSET);
  writeInt64(out, BASE_TIMESTAMP_OFFSET, newBase);
  if (!logAppendTime) writeInt64(out, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  out.writeInt32BE(kept.length, RECORD_COUNT_OFFSET);
  const batch = p === bound ? out : out.subarray(0, p);
  batch.writeUInt32BE(accel.crc32c(batch, ATTRIBUTES_OFFSET, batch.length), CRC_OFFSET);
  return batch;
}

/**
 * Kafka's DefaultRecordBatch.writeEmptyHeader: the header of `src` with no records, kept so that
 * a producer's last sequence (or the last offset of a cleaning round) survives. Uncompressed,
 * no delete horizon, both timestamps = the batch's maxTimestamp, offsets and producer fields kept.
 */
export function emptyBatchOf(src: Buffer): Buffer {
  const out = Buffer.allocUnsafeSlow(BATCH_HEADER_SIZE);
  src.copy(out, 0, 0, BATCH_HEADER_SIZE);
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  const attributes = src.readInt16BE(ATTRIBUTES_OFFSET) & (TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK);
  out.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  src.copy(out, BASE_TIMESTAMP_OFFSET, MAX_TIMESTAMP_OFFSET, MAX_TIMESTAMP_OFFSET + 8);
  out.writeInt32BE(0, RECORD_COUNT_OFFSET);
  out.writeUInt32BE(accel.crc32c(out, ATTRIBUTES_OFFSET, out.length), CRC_OFFSET);
  return out;
}
