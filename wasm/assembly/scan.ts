// Kafka RecordBatch v2 scan over linear memory: the AssemblyScript twin of scanBatches in
// src/accel/js-scan.ts. It applies the same checks in the same order and reports the
// same error codes; the message text is built in JS (wasm/index.mjs) from the detail code and
// numeric arguments left in the result block, so both backends print the same strings.
//
// Every number that JS computes as a double (int64 fields, timestamps, varlongs, record sums) is
// computed here as f64 with the same operations in the same order, so even values past 2^53
// round the same way.
import { crc32cAt } from './crc32c';

// Kafka error codes (src/errors.ts).
const CORRUPT_MESSAGE = 2;
const MESSAGE_TOO_LARGE = 10;
const INVALID_TIMESTAMP = 32;
const UNSUPPORTED_COMPRESSION_TYPE = 76;
const INVALID_RECORD = 87;

// Header layout (src/protocol/records/layout.ts).
const BATCH_LENGTH_OFFSET = 8;
const MAGIC_OFFSET = 16;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const BASE_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
const RECORD_COUNT_OFFSET = 57;
const RECORDS_OFFSET = 61;
const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12;
const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
const LEGACY_MIN_LENGTH = 14;
const HEADER_SIZE_UP_TO_MAGIC = 17;
const CURRENT_MAGIC = 2;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_MASK = 0x08;
const CONTROL_MASK = 0x20;
const ZSTD = 4;
const NONE = 0;

// Option flags (wasm/index.mjs sets them).
export const F_VERIFY_CRC = 1;
export const F_VALIDATE_RECORDS = 2;
export const F_SINGLE_BATCH = 4;
export const F_CLIENT = 8; // !options.internal
export const F_CREATE_TIME = 16; // timestampType === 'CreateTime'

// Detail codes: which message, with which arguments (a0..a3). wasm/index.mjs keeps the texts.
export const D_EMPTY = 1; //                 no record batch (empty records)
export const D_TOO_FEW = 2; //               a0 remaining
export const D_LEGACY_MIN = 3; //            a0 length
export const D_BAD_MAGIC = 4; //             a0 magic
export const D_PAST_END = 5; //              a0 length, a1 bytes left
export const D_OLD_MAGIC = 6; //             a0 magic
export const D_SINGLE_BATCH = 7; //
export const D_BASE_OFFSET = 8; //           a0 baseOffset
export const D_TOO_LARGE = 9; //             a0 size (the limit comes from the options)
export const D_MIN_SIZE = 10; //             a0 size
export const D_CRC = 11; //                  a0 stored, a1 computed
export const D_COMPRESSION = 12; //          a0 compression
export const D_OFFSET_RANGE = 13; //         a0 lastOffsetDelta
export const D_COUNT = 14; //                a0 count
export const D_INCONSISTENT = 15; //         a0 lastOffsetDelta, a1 count
export const D_CONTROL = 16; //
export const D_SEQUENCE = 17; //             a0 baseSequence, a1 producerId
export const D_LOG_APPEND_TIME = 18; //
export const D_NEGATIVE_COUNT = 19; //       a0 count
export const D_BASE_TIMESTAMP = 20; //       a0 baseTimestamp (lo, hi from the options)
export const D_MAX_TIMESTAMP = 21; //        a0 maxTimestamp
// checkRecords
export const D_PREMATURE_EOF = 30; //        a0 count, a1 records read
export const D_BYTES_REMAIN = 31; //         a0 count, a1 bytes left
export const D_RECORD_TIMESTAMP = 32; //     a0 record index, a1 timestamp
export const D_OFFSET_DELTA = 33; //         a0 record, a1 at, a2 offsetDelta
// parseRecord problems, prefixed "record a0 at byte a1: "
export const D_LENGTH_VARINT = 40; //
export const D_RECORD_SIZE = 41; //          a2 len, a3 bytes left
export const D_TIMESTAMP_DELTA = 42; //
export const D_OFFSET_DELTA_VARINT = 43; //
export const D_KEY_LENGTH = 44; //
export const D_VALUE_LENGTH = 45; //
export const D_HEADER_COUNT = 46; //
export const D_HEADER_KEY = 47; //           a2 header index
export const D_HEADER_VALUE = 48; //         a2 header index
export const D_PAYLOAD = 49; //              a2 len, a3 bytes read

/**
 * The result block: i32 errorCode @0 (0: ok), i32 batchIndex @4, i32 position @8, i32 detail @12,
 * f64 a0..a3 @16..@40, f64 records @48 (the sum of record counts, when ok), i32 @56 the number of
 * record errors (with D_RECORD_TIMESTAMP).
 */
// @ts-ignore: decorator
@lazy export const RESULT: usize = memory.data(64, 16);

/** The reference's MAX_RECORD_ERRORS: KIP-467 record errors kept for one batch. */
const MAX_RECORD_ERRORS = 1000;
/**
 * Every record of the failing batch whose timestamp is out of range, up to MAX_RECORD_ERRORS:
 * f64 timestamp @0, i32 record index @8, 16 bytes each (the reference's `recordErrors`).
 */
// @ts-ignore: decorator
@lazy export const RECORD_ERRORS: usize = memory.data(MAX_RECORD_ERRORS * 16, 16);
let recordErrors: i32 = 0;

// Big-endian reads at buf + p. The caller has checked the bounds.
// @ts-ignore: decorator
@inline function i32be(buf: usize, p: i32): i32 {
  return bswap<i32>(load<i32>(buf + <usize>p));
}
// @ts-ignore: decorator
@inline function i16be(buf: usize, p: i32): i32 {
  return <i32>bswap<i16>(load<i16>(buf + <usize>p));
}
/** int64 as a JS number: one rounding of the exact value, as i32hi * 2^32 + u32lo gives in JS. */
// @ts-ignore: decorator
@inline function i64be(buf: usize, p: i32): f64 {
  return <f64>bswap<i64>(load<i64>(buf + <usize>p));
}

// Varint cursor, as in the reference: -1 marks a bad varint (too long or past `end`).
let cur: i32 = 0;

function varint(buf: usize, end: i32): i32 {
  let p = cur;
  if (p >= end) {
    cur = -1;
    return 0;
  }
  let x = <i32>load<u8>(buf + <usize>(p++));
  let r = x & 0x7f;
  if (x >= 0x80) {
    for (let shift = 7; ; shift += 7) {
      if (p >= end) {
        cur = -1;
        return 0;
      }
      x = <i32>load<u8>(buf + <usize>(p++));
      if (shift == 28) {
        if (x >= 0x80) {
          cur = -1;
          return 0;
        }
        r |= x << 28;
        break;
      }
      r |= (x & 0x7f) << shift;
      if (x < 0x80) break;
    }
  }
  cur = p;
  return <i32>(<u32>r >>> 1) ^ -(r & 1);
}

/** A zig-zag varlong as the reference computes it: in doubles, rounding the same way. */
function varlong(buf: usize, end: i32): f64 {
  let p = cur;
  let r: f64 = 0;
  let mul: f64 = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) break;
    const x = <i32>load<u8>(buf + <usize>(p++));
    r += <f64>(x & 0x7f) * mul;
    if (x < 0x80) {
      cur = p;
      // JS: r % 2 === 1. r is a non-negative integer; from 2^53 on every double is even.
      const odd = r < 9007199254740992.0 && (<i64>r & 1) != 0;
      return odd ? -(r + 1) / 2 : r / 2;
    }
    mul *= 128;
  }
  cur = -1;
  return 0;
}

// What parseRecord read, and the arguments of the last problem found.
let rTimestampDelta: f64 = 0;
let rOffsetDelta: i32 = 0;
let pA2: f64 = 0;
let pA3: f64 = 0;

/** Kafka's DefaultRecord.readFrom rules at `cur`. Returns 0 or a D_* problem (args in pA2, pA3). */
function parseRecord(buf: usize, end: i32): i32 {
  const len = varint(buf, end);
  if (cur < 0) return D_LENGTH_VARINT;
  if (len <= 0 || len > end - cur) {
    pA2 = <f64>len;
    pA3 = <f64>(end - cur);
    return D_RECORD_SIZE;
  }
  const bodyStart = cur;
  const bodyEnd = cur + len;
  cur++; // attributes: unused in v2
  rTimestampDelta = varlong(buf, bodyEnd);
  if (cur < 0) return D_TIMESTAMP_DELTA;
  rOffsetDelta = varint(buf, bodyEnd);
  if (cur < 0) return D_OFFSET_DELTA_VARINT;
  const keyLength = varint(buf, bodyEnd);
  if (cur < 0 || keyLength > bodyEnd - cur) return D_KEY_LENGTH;
  if (keyLength > 0) cur += keyLength;
  const valueLength = varint(buf, bodyEnd);
  if (cur < 0 || valueLength > bodyEnd - cur) return D_VALUE_LENGTH;
  if (valueLength > 0) cur += valueLength;
  const headerCount = varint(buf, bodyEnd);
  if (cur < 0 || headerCount < 0 || headerCount > bodyEnd - cur) return D_HEADER_COUNT;
  for (let h = 0; h < headerCount; h++) {
    const kl = varint(buf, bodyEnd);
    if (cur < 0 || kl < 0 || kl > bodyEnd - cur) {
      pA2 = <f64>h;
      return D_HEADER_KEY;
    }
    cur += kl;
    const vl = varint(buf, bodyEnd);
    if (cur < 0 || vl > bodyEnd - cur) {
      pA2 = <f64>h;
      return D_HEADER_VALUE;
    }
    if (vl > 0) cur += vl;
  }
  if (cur != bodyEnd) {
    pA2 = <f64>len;
    pA3 = <f64>(cur - bodyStart);
    return D_PAYLOAD;
  }
  return 0;
}

// What checkRecords found.
let rMaxTimestamp: f64 = -1; // the largest record timestamp (-1 when none is larger)
let rDetail: i32 = 0;
let rA0: f64 = 0;
let rA1: f64 = 0;
let rA2: f64 = 0;
let rA3: f64 = 0;

// @ts-ignore: decorator
@inline function recordError(code: i32, detail: i32, a0: f64, a1: f64, a2: f64, a3: f64): i32 {
  rDetail = detail;
  rA0 = a0;
  rA1 = a1;
  rA2 = a2;
  rA3 = a3;
  return code;
}

/**
 * The records of an uncompressed batch, [start, end): 0, INVALID_RECORD or INVALID_TIMESTAMP.
 * A structural error anywhere wins over a timestamp error, as in Kafka and the reference.
 */
function checkRecords(buf: usize, start: i32, end: i32, count: i32, baseTs: f64, tsCheck: bool, lo: f64, hi: f64): i32 {
  cur = start;
  let badTs = -1;
  let badTimestamp: f64 = 0;
  let maxTs: f64 = -1;
  recordErrors = 0;
  for (let i = 0; i < count; i++) {
    const at = cur;
    if (at >= end) return recordError(INVALID_RECORD, D_PREMATURE_EOF, <f64>count, <f64>i, 0, 0);
    const problem = parseRecord(buf, end);
    if (problem != 0) return recordError(INVALID_RECORD, problem, <f64>i, <f64>at, pA2, pA3);
    if (rOffsetDelta != i) return recordError(INVALID_RECORD, D_OFFSET_DELTA, <f64>i, <f64>at, <f64>rOffsetDelta, 0);
    if (baseTs + rTimestampDelta > maxTs) maxTs = baseTs + rTimestampDelta;
    if (tsCheck) {
      const ts = baseTs + rTimestampDelta;
      if (ts != -1 && (ts < lo || ts > hi)) {
        if (badTs < 0) {
          badTs = i;
          badTimestamp = ts;
        }
        if (recordErrors < MAX_RECORD_ERRORS) {
          const e = RECORD_ERRORS + (<usize>recordErrors << 4);
          store<f64>(e, ts);
          store<i32>(e, i, 8);
          recordErrors++;
        }
      }
    }
  }
  if (cur != end) return recordError(INVALID_RECORD, D_BYTES_REMAIN, <f64>count, <f64>(end - cur), 0, 0);
  rMaxTimestamp = maxTs;
  if (badTs < 0) return 0;
  return recordError(INVALID_TIMESTAMP, D_RECORD_TIMESTAMP, <f64>badTs, badTimestamp, 0, 0);
}

function fail(code: i32, n: i32, p: i32, detail: i32, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0): i32 {
  if (detail != D_RECORD_TIMESTAMP) store<i32>(RESULT, 0, 56);
  store<i32>(RESULT, code, 0);
  store<i32>(RESULT, n, 4);
  store<i32>(RESULT, p, 8);
  store<i32>(RESULT, detail, 12);
  store<f64>(RESULT, a0, 16);
  store<f64>(RESULT, a1, 24);
  store<f64>(RESULT, a2, 32);
  store<f64>(RESULT, a3, 40);
  return n;
}

/**
 * Validates the `len` bytes at `buf` as whole v2 batches, exactly as scanBatches does, writing one
 * entry per good batch into the output columns at `out` (room for `cap` entries):
 *   f64 baseTimestamp[cap], maxTimestamp[cap], producerId[cap],
 *   i32 position[cap], size[cap], lastOffsetDelta[cap], recordCount[cap], baseSequence[cap],
 *   i16 attributes[cap], producerEpoch[cap].
 * The scan can be resumed, so the columns stay small whatever the input: it starts at byte `p0`
 * as batch `n0` with `records0` records counted, and when the columns are full it stops with
 * errorCode -1 and the place to go on from (position @8, batchIndex @4, records @48). Returns
 * (and leaves @4) the batch count reached, so this call wrote that minus n0 entries; the result
 * block says ok (errorCode 0, records @48), full (-1) or what is wrong (code, batch, position,
 * detail, arguments). Reads only [buf, buf + len); writes only the columns and the block.
 */
export function scanBatches(buf: usize, len: i32, p0: i32, n0: i32, records0: f64, out: usize, cap: i32, flags: i32, maxMessageBytes: f64, lo: f64, hi: f64): i32 {
  const end = len;
  const client = (flags & F_CLIENT) != 0;
  const verifyCrc = (flags & F_VERIFY_CRC) != 0;
  const validateRecords = (flags & F_VALIDATE_RECORDS) != 0;
  const singleBatch = (flags & F_SINGLE_BATCH) != 0;
  const tsCheck = (flags & F_CREATE_TIME) != 0 && client;
  const c = <usize>cap;
  const oBaseTimestamp = out;
  const oMaxTimestamp = out + (c << 3);
  const oProducerId = out + (c << 4);
  const oPosition = out + c * 24;
  const oSize = oPosition + (c << 2);
  const oLastOffsetDelta = oSize + (c << 2);
  const oRecordCount = oLastOffsetDelta + (c << 2);
  const oBaseSequence = oRecordCount + (c << 2);
  const oAttributes = oBaseSequence + (c << 2);
  const oProducerEpoch = oAttributes + (c << 1);
  let records = records0;
  let n = n0;
  let p = p0;
  if (end == 0) return fail(INVALID_RECORD, 0, 0, D_EMPTY, 0);
  while (p < end) {
    const remaining = end - p;
    if (remaining < LOG_OVERHEAD) return fail(INVALID_RECORD, n, p, D_TOO_FEW, remaining);
    const length = i32be(buf, p + BATCH_LENGTH_OFFSET);
    if (length < LEGACY_MIN_LENGTH) return fail(CORRUPT_MESSAGE, n, p, D_LEGACY_MIN, length);
    if (remaining < HEADER_SIZE_UP_TO_MAGIC) return fail(INVALID_RECORD, n, p, D_TOO_FEW, remaining);
    const magic = <i32>load<i8>(buf + <usize>(p + MAGIC_OFFSET));
    if (magic < 0 || magic > CURRENT_MAGIC) return fail(CORRUPT_MESSAGE, n, p, D_BAD_MAGIC, magic);
    if (length > remaining - LOG_OVERHEAD) return fail(INVALID_RECORD, n, p, D_PAST_END, length, remaining - LOG_OVERHEAD);
    if (magic != CURRENT_MAGIC) return fail(INVALID_RECORD, n, p, D_OLD_MAGIC, magic);
    if (n > 0 && singleBatch) return fail(INVALID_RECORD, n, p, D_SINGLE_BATCH);
    const size = length + LOG_OVERHEAD;
    if (client && (i32be(buf, p) | i32be(buf, p + 4)) != 0) return fail(INVALID_RECORD, n, p, D_BASE_OFFSET, i64be(buf, p));
    if (<f64>size > maxMessageBytes) return fail(MESSAGE_TOO_LARGE, n, p, D_TOO_LARGE, size);
    if (length < MIN_BATCH_LENGTH) return fail(CORRUPT_MESSAGE, n, p, D_MIN_SIZE, size);
    if (verifyCrc) {
      const stored = <u32>i32be(buf, p + CRC_OFFSET);
      const computed = crc32cAt(buf + <usize>(p + ATTRIBUTES_OFFSET), <usize>(size - ATTRIBUTES_OFFSET), 0);
      if (stored != computed) return fail(CORRUPT_MESSAGE, n, p, D_CRC, <f64>stored, <f64>computed);
    }
    const attributes = i16be(buf, p + ATTRIBUTES_OFFSET);
    const compression = attributes & COMPRESSION_MASK;
    if (compression > ZSTD) return fail(UNSUPPORTED_COMPRESSION_TYPE, n, p, D_COMPRESSION, compression);
    const lastOffsetDelta = i32be(buf, p + LAST_OFFSET_DELTA_OFFSET);
    const count = i32be(buf, p + RECORD_COUNT_OFFSET);
    const producerId = i64be(buf, p + PRODUCER_ID_OFFSET);
    const baseSequence = i32be(buf, p + BASE_SEQUENCE_OFFSET);
    if (client) {
      if (lastOffsetDelta < 0) return fail(INVALID_RECORD, n, p, D_OFFSET_RANGE, lastOffsetDelta);
      if (count <= 0) return fail(INVALID_RECORD, n, p, D_COUNT, count);
      if (<i64>count != <i64>lastOffsetDelta + 1) return fail(INVALID_RECORD, n, p, D_INCONSISTENT, lastOffsetDelta, count);
      if (attributes & CONTROL_MASK) return fail(INVALID_RECORD, n, p, D_CONTROL);
      if (producerId >= 0 && baseSequence < 0) return fail(INVALID_RECORD, n, p, D_SEQUENCE, baseSequence, producerId);
      if (attributes & TIMESTAMP_TYPE_MASK) return fail(INVALID_TIMESTAMP, n, p, D_LOG_APPEND_TIME);
    } else if (count < 0) {
      return fail(INVALID_RECORD, n, p, D_NEGATIVE_COUNT, count);
    }
    const baseTimestamp = i64be(buf, p + BASE_TIMESTAMP_OFFSET);
    let maxTimestamp = i64be(buf, p + MAX_TIMESTAMP_OFFSET);
    if (compression == NONE && validateRecords) {
      const code = checkRecords(buf, p + RECORDS_OFFSET, p + size, count, baseTimestamp, tsCheck, lo, hi);
      if (code != 0) {
        store<i32>(RESULT, code == INVALID_TIMESTAMP ? recordErrors : 0, 56);
        return fail(code, n, p, rDetail, rA0, rA1, rA2, rA3);
      }
      // The entry reports the records' largest timestamp, as Kafka's LogValidator sets it.
      maxTimestamp = rMaxTimestamp;
    } else if (tsCheck && !validateRecords) {
      if (baseTimestamp != -1 && (baseTimestamp < lo || baseTimestamp > hi)) return fail(INVALID_TIMESTAMP, n, p, D_BASE_TIMESTAMP, baseTimestamp);
      if (maxTimestamp != -1 && (maxTimestamp < lo || maxTimestamp > hi)) return fail(INVALID_TIMESTAMP, n, p, D_MAX_TIMESTAMP, maxTimestamp);
    }
    const k = <usize>(n - n0);
    store<f64>(oBaseTimestamp + (k << 3), baseTimestamp);
    store<f64>(oMaxTimestamp + (k << 3), maxTimestamp);
    store<f64>(oProducerId + (k << 3), producerId);
    store<i32>(oPosition + (k << 2), p);
    store<i32>(oSize + (k << 2), size);
    store<i32>(oLastOffsetDelta + (k << 2), lastOffsetDelta);
    store<i32>(oRecordCount + (k << 2), count);
    store<i32>(oBaseSequence + (k << 2), baseSequence);
    store<i16>(oAttributes + (k << 1), <i16>attributes);
    store<i16>(oProducerEpoch + (k << 1), <i16>i16be(buf, p + PRODUCER_EPOCH_OFFSET));
    n++;
    records += <f64>count;
    p += size;
    if (n - n0 == cap && p < end) return done(-1, n, p, records);
  }
  return done(0, n, p, records);
}

function done(code: i32, n: i32, p: i32, records: f64): i32 {
  store<i32>(RESULT, code, 0);
  store<i32>(RESULT, n, 4);
  store<i32>(RESULT, p, 8);
  store<f64>(RESULT, records, 48);
  return n;
}
