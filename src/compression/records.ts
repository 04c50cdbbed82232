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
import { varintSize } from '../protocol/records/varint.js';

let cur = 0; // shared cursor of the readers below; -1 after a bad varint

function varint(b: Uint8Array, end: number): number {
  let r = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (cur >= end) break;
    const x = b[cur++]!;
    if (shift === 28 && x > 0x0f) break;
    r |= (x & 0x7f) << shift;
    if (x < 0x80) return (r >>> 1) ^ -(r & 1);
  }
  cur = -1;
  return 0;
}

function varlong(b: Uint8Array, end: number): number {
  let r = 0;
  let mul = 1;
  for (let i = 0; i < 10 && cur < end; i++) {
    const x = b[cur++]!;
    r += (x & 0x7f) * mul;
    if (x < 0x80) return r % 2 === 1 ? -(r + 1) / 2 : r / 2;
    mul *= 128;
  }
  cur = -1;
  return 0;
}

function putVarint(b: Uint8Array, p: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  for (; v >= 0x80; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
  b[p++] = v;
  return p;
}

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
  cur = 0;
  for (let i = 0; i < count; i++) {
    const at = cur;
    if (at >= end) throw invalid(i, at, `the batch declares ${count} records but its bytes end after ${i}`);
    const len = varint(records, end);
    if (cur < 0) throw invalid(i, at, 'invalid record length varint');
    if (len <= 0 || len > end - cur) throw invalid(i, at, `invalid record size ${len}, ${end - cur} bytes left`);
    const bodyStart = cur;
    const bodyEnd = cur + len;
    cur++; // attributes
    const tsDelta = varlong(records, bodyEnd);
    if (cur < 0) throw invalid(i, at, 'invalid timestampDelta');
    if (!(tsDelta <= maxTimestampDelta)) maxTimestampDelta = tsDelta;
    const odStart = cur;
    const offsetDelta = varint(records, bodyEnd);
    if (cur < 0) throw invalid(i, at, 'invalid offsetDelta');
    if (offsetDelta !== i) consecutive = false;
    const odEnd = cur;
    const keyLength = varint(records, bodyEnd);
    if (cur < 0 || keyLength > bodyEnd - cur) throw invalid(i, at, 'invalid key length');
    if (keyLength > 0) cur += keyLength;
    const valueLength = varint(records, bodyEnd);
    if (cur < 0 || valueLength > bodyEnd - cur) throw invalid(i, at, 'invalid value length');
    if (valueLength > 0) cur += valueLength;
    const headers = varint(records, bodyEnd);
    if (cur < 0 || headers < 0 || headers > bodyEnd - cur) throw invalid(i, at, 'invalid number of record headers');
    for (let h = 0; h < headers; h++) {
      const kl = varint(records, bodyEnd);
      if (cur < 0 || kl < 0 || kl > bodyEnd - cur) throw invalid(i, at, `invalid header ${h} key length`);
      cur += kl;
      const vl = varint(records, bodyEnd);
      if (cur < 0 || vl > bodyEnd - cur) throw invalid(i, at, `invalid header ${h} value length`);
      if (vl > 0) cur += vl;
    }
    if (cur !== bodyEnd) throw invalid(i, at, `the record declares ${len} bytes but its fields take ${cur - bodyStart}`);
    bounds[i * 4] = bodyStart;
    bounds[i * 4 + 1] = odStart;
    bounds[i * 4 + 2] = odEnd;
    bounds[i * 4 + 3] = bodyEnd;
  }
  if (cur !== end) throw new KafkaError(ErrorCode.INVALID_RECORD, `the batch declares ${count} records but ${end - cur} bytes remain after them`);
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
    q = putVarint(out, q, odStart - bodyStart + varintSize(i) + recEnd - odEnd);
    q += records.copy(out, q, bodyStart, odStart);
    q = putVarint(out, q, i);
    q += records.copy(out, q, odEnd, recEnd);
  }
  return out;
}
