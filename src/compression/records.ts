// The records section of an uncompressed v2 batch, walked without building record objects: the
// structure check and the offset renumbering that a rebuilt batch needs.
//
// Record (Kafka's DefaultRecord): length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, keyLength varint (<0: null), key, valueLength varint (<0: null), value,
// headerCount varint, then per header keyLength varint, key, valueLength varint (<0: null), value.
// Varints are zig-zag; a varint has at most 5 bytes, a varlong 10.
//
// Kafka's LogValidator rebuilds a compressed batch whose inner offsets are not 0, 1, 2, ... (old
// clients got them wrong) and every batch it recompresses for the topic's compression.type: the
// rebuilt batch has offset deltas 0..n-1 and maxTimestamp recomputed from the records. This
// module does the records half of that.
import { ErrorCode, KafkaError } from '../errors.js';
import { cursor, readVarint, readVarlong, varintSize, writeVarint } from '../protocol/records/varint.js';

function invalid(i: number, at: number, what: string): KafkaError {
  return new KafkaError(ErrorCode.INVALID_RECORD, `record ${i} at byte ${at} of the records: ${what}`);
}

export interface RecordsLayout {
  count: number;
  /** The largest timestampDelta (NaN when there are no records). */
  maxTimestampDelta: number;
  /** Whether every offsetDelta is its record's index (0, 1, 2, ...). */
  consecutive: boolean;
  /** Per record: body start (after the length varint), offsetDelta start and end, record end. */
  bounds: Int32Array;
}

/**
 * Checks the structure of `count` records filling `records` exactly (Kafka's DefaultRecord
 * rules). Throws KafkaError INVALID_RECORD naming the record and what is wrong.
 */
export function walkRecords(records: Uint8Array, count: number): RecordsLayout {
  const end = records.length;
  // A record takes at least 7 bytes; checking first keeps a lying count from sizing `bounds`.
  if (count < 0 || count > end / 7) throw new KafkaError(ErrorCode.INVALID_RECORD, `invalid record count ${count} for ${end} bytes of records`);
  const bounds = new Int32Array(count * 4);
  let consecutive = true;
  let maxTimestampDelta = Number.NaN;
  cursor.pos = 0;
  for (let i = 0; i < count; i++) {
    const at = cursor.pos;
    if (at >= end) throw invalid(i, at, `the batch declares ${count} records but its bytes end after ${i}`);
    const len = readVarint(records, end);
    if (cursor.pos < 0) throw invalid(i, at, 'invalid record length varint');
    if (len <= 0 || len > end - cursor.pos) throw invalid(i, at, `invalid record size ${len}, ${end - cursor.pos} bytes left`);
    const bodyStart = cursor.pos;
    const bodyEnd = cursor.pos + len;
    cursor.pos++; // attributes
    const tsDelta = readVarlong(records, bodyEnd);
    if (cursor.pos < 0) throw invalid(i, at, 'invalid timestampDelta');
    if (!(tsDelta <= maxTimestampDelta)) maxTimestampDelta = tsDelta;
    const odStart = cursor.pos;
    const offsetDelta = readVarint(records, bodyEnd);
    if (cursor.pos < 0) throw invalid(i, at, 'invalid offsetDelta');
    if (offsetDelta !== i) consecutive = false;
    const odEnd = cursor.pos;
    const keyLength = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || keyLength > bodyEnd - cursor.pos) throw invalid(i, at, 'invalid key length');
    if (keyLength > 0) cursor.pos += keyLength;
    const valueLength = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || valueLength > bodyEnd - cursor.pos) throw invalid(i, at, 'invalid value length');
    if (valueLength > 0) cursor.pos += valueLength;
    const headers = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || headers < 0 || headers > bodyEnd - cursor.pos) throw invalid(i, at, 'invalid number of record headers');
    for (let h = 0; h < headers; h++) {
      const kl = readVarint(records, bodyEnd);
      if (cursor.pos < 0 || kl < 0 || kl > bodyEnd - cursor.pos) throw invalid(i, at, `invalid header ${h} key length`);
      cursor.pos += kl;
      const vl = readVarint(records, bodyEnd);
      if (cursor.pos < 0 || vl > bodyEnd - cursor.pos) throw invalid(i, at, `invalid header ${h} value length`);
      if (vl > 0) cursor.pos += vl;
    }
    if (cursor.pos !== bodyEnd) throw invalid(i, at, `the record declares ${len} bytes but its fields take ${cursor.pos - bodyStart}`);
    bounds[i * 4] = bodyStart;
    bounds[i * 4 + 1] = odStart;
    bounds[i * 4 + 2] = odEnd;
    bounds[i * 4 + 3] = bodyEnd;
  }
  if (cursor.pos !== end) throw new KafkaError(ErrorCode.INVALID_RECORD, `the batch declares ${count} records but ${end - cursor.pos} bytes remain after them`);
  return { count, maxTimestampDelta, consecutive, bounds };
}

/**
 * The records with offset deltas 0..n-1. Returns `records` itself when they already are, else a
 * new buffer in which each record's length and offsetDelta varints are rewritten and every other
 * byte is copied as it was.
 */
export function renumberRecords(records: Buffer, layout: RecordsLayout): Buffer {
  if (layout.consecutive) return records;
  const { count, bounds } = layout;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const k = i * 4;
    const body = bounds[k + 1]! - bounds[k]! + varintSize(i) + bounds[k + 3]! - bounds[k + 2]!;
    size += varintSize(body) + body;
  }
  const out = Buffer.allocUnsafe(size);
  let q = 0;
  for (let i = 0; i < count; i++) {
    const k = i * 4;
    const [bodyStart, odStart, odEnd, recEnd] = [bounds[k]!, bounds[k + 1]!, bounds[k + 2]!, bounds[k + 3]!];
    q = writeVarint(out, q, odStart - bodyStart + varintSize(i) + recEnd - odEnd);
    q += records.copy(out, q, bodyStart, odStart);
    q = writeVarint(out, q, i);
    q += records.copy(out, q, odEnd, recEnd);
  }
  return out;
}
