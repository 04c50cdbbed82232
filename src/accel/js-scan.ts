// The reference backend's scan: the pure-TypeScript validation of the produce hot path. The
// native addon and the wasm build export the same flat functions (buffers, offsets, numbers,
// typed arrays), so the scan allocates nothing per batch.
import { ErrorCode } from '../errors.js';
import { crc32c } from '../protocol/records/crc32c.js';
import { readInt16 as i16, readInt32 as i32, readInt64 as i64 } from '../protocol/records/int64.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  CompressionType,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CRC_OFFSET,
  CURRENT_MAGIC,
  HEADER_SIZE_UP_TO_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LEGACY_MIN_LENGTH,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  MIN_BATCH_LENGTH,
  NO_TIMESTAMP,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from '../protocol/records/layout.js';
import { parsed, parseRecord } from '../protocol/records/record.js';
import { cursor } from '../protocol/records/varint.js';
import { growBatchScan, type BatchScan, type RecordError, type ScanOptions, type ScanResult } from './batch-scan.js';

let recordError = ''; // what checkRecords found, when it returns an error code
let recordsMaxTimestamp = NO_TIMESTAMP; // the largest record timestamp checkRecords saw
let badTimestamps: RecordError[] = []; // every record with an out-of-range timestamp (KIP-467)
const MAX_RECORD_ERRORS = 1000;

/**
 * Walks the records of an uncompressed batch, [start, end). Returns 0, INVALID_RECORD (structure,
 * count, offset deltas) or INVALID_TIMESTAMP. As in Kafka, a structural error anywhere in the
 * batch wins over timestamp errors, which are only collected while parsing goes on.
 */
function checkRecords(b: Uint8Array, start: number, end: number, count: number, baseTs: number, tsCheck: boolean, lo: number, hi: number): number {
  const c = cursor;
  const r = parsed;
  c.pos = start;
  let badTs = -1;
  let badTimestamp = 0;
  let maxTs = NO_TIMESTAMP;
  badTimestamps = [];
  for (let i = 0; i < count; i++) {
    const at = c.pos;
    if (at >= end) return bad(`batch declares ${count} records but its bytes end after ${i} (premature EOF)`);
    const problem = parseRecord(b, end);
    if (problem !== '') return bad(`record ${i} at byte ${at}: ${problem}`);
    // Kafka does not check offset deltas of uncompressed batches, it rewrites only the base
    // offset; samsa stores the batch as sent, so deltas out of order would mean wrong offsets.
    if (r.offsetDelta !== i) return bad(`record ${i} at byte ${at}: offsetDelta ${r.offsetDelta}, expected ${i}`);
    if (baseTs + r.timestampDelta > maxTs) maxTs = baseTs + r.timestampDelta;
    if (tsCheck && badTs < 0) {
      const ts = baseTs + r.timestampDelta;
      if (ts !== NO_TIMESTAMP && (ts < lo || ts > hi)) {
        badTs = i;
        badTimestamp = ts;
      }
    }
    if (tsCheck && badTimestamps.length < MAX_RECORD_ERRORS) {
      const ts = baseTs + r.timestampDelta;
      if (ts !== NO_TIMESTAMP && (ts < lo || ts > hi))
        badTimestamps.push({ index: i, message: `Timestamp ${ts} of message with offset ${i} is out of range. The timestamp should be within [${lo}, ${hi}]` });
    }
  }
  if (c.pos !== end) return bad(`batch declares ${count} records but ${end - c.pos} bytes remain after them`);
  recordsMaxTimestamp = maxTs;
  if (badTs < 0) return 0;
  recordError = `record ${badTs}: timestamp ${badTimestamp} is out of range [${lo}, ${hi}]`;
  return ErrorCode.INVALID_TIMESTAMP;
}

function bad(message: string): number {
  recordError = message;
  return ErrorCode.INVALID_RECORD;
}

function fail(errorCode: number, batchIndex: number, position: number, what: string): ScanResult {
  return { ok: false, errorCode, batchIndex, message: `batch ${batchIndex} at byte ${position}: ${what}` };
}

/**
 * Validates the `records` bytes of one Produce partition: whole v2 batches that cover `buf`
 * exactly. Fills `out` with one entry per batch and never throws. Error codes and their order
 * follow Kafka 4.x (ProduceRequest.validateRecords, UnifiedLog.analyzeAndValidateRecords,
 * LogValidator); the deviations are noted where they happen.
 */
export function scanBatches(buf: Buffer, out: BatchScan, options: ScanOptions): ScanResult {
  const end = buf.length;
  const client = options.internal !== true;
  const createTime = options.timestampType === 'CreateTime';
  const lo = options.now - options.beforeMaxMs;
  const hi = options.now + options.afterMaxMs;
  let records = 0;
  let n = 0;
  let p = 0;
  out.count = 0;
  if (end === 0) return fail(ErrorCode.INVALID_RECORD, 0, 0, 'no record batch (empty records)');
  while (p < end) {
    const remaining = end - p;
    // Framing, as Kafka's batch iterator does it. A batch that is not all there is not a batch:
    // Kafka then answers "at least one record batch" (INVALID_RECORD) or, past the first batch,
    // silently drops the tail; samsa rejects any bytes that are not whole batches.
    if (remaining < LOG_OVERHEAD) return fail(ErrorCode.INVALID_RECORD, n, p, `${remaining} bytes left, too few for a batch header`);
    const length = i32(buf, p + BATCH_LENGTH_OFFSET);
    if (length < LEGACY_MIN_LENGTH)
      return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `record size ${length} is less than the minimum record overhead (${LEGACY_MIN_LENGTH})`);
    if (remaining < HEADER_SIZE_UP_TO_MAGIC) return fail(ErrorCode.INVALID_RECORD, n, p, `${remaining} bytes left, too few for a batch header`);
    const magic = (buf[p + MAGIC_OFFSET]! << 24) >> 24;
    if (magic < 0 || magic > CURRENT_MAGIC) return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `invalid magic found in record: ${magic}`);
    if (length > remaining - LOG_OVERHEAD)
      return fail(ErrorCode.INVALID_RECORD, n, p, `batchLength ${length} runs past the end of the records (${remaining - LOG_OVERHEAD} bytes left)`);
    if (magic !== CURRENT_MAGIC)
      return fail(ErrorCode.INVALID_RECORD, n, p, `magic ${magic}: produce requests may only contain record batches with magic version 2`);
    if (n > 0 && options.singleBatch === true)
      return fail(ErrorCode.INVALID_RECORD, n, p, 'produce requests may contain exactly one record batch per partition');
    const size = length + LOG_OVERHEAD;
    // UnifiedLog.analyzeAndValidateRecords
    if (client && (i32(buf, p) | i32(buf, p + 4)) !== 0)
      return fail(ErrorCode.INVALID_RECORD, n, p, `baseOffset of a produced batch should be 0, but it is ${i64(buf, p)}`);
    if (size > options.maxMessageBytes)
      return fail(
        ErrorCode.MESSAGE_TOO_LARGE,
        n,
        p,
        `the record batch size is ${size} bytes which exceeds the maximum configured value of ${options.maxMessageBytes}`,
      );
    if (length < MIN_BATCH_LENGTH)
      return fail(
        ErrorCode.CORRUPT_MESSAGE,
        n,
        p,
        `record batch is corrupt (the size ${size} is smaller than the minimum allowed overhead ${BATCH_HEADER_SIZE})`,
      );
    if (options.verifyCrc) {
      const stored = i32(buf, p + CRC_OFFSET) >>> 0;
      const computed = crc32c(buf, p + ATTRIBUTES_OFFSET, p + size);
      if (stored !== computed) return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `record is corrupt (stored crc = ${stored}, computed crc = ${computed})`);
    }
    const attributes = i16(buf, p + ATTRIBUTES_OFFSET);
    const compression = attributes & COMPRESSION_MASK;
    // Kafka throws IllegalArgumentException here (UNKNOWN_SERVER_ERROR); samsa names the problem.
    if (compression > CompressionType.Zstd) return fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, n, p, `unknown compression type id ${compression}`);
    const lastOffsetDelta = i32(buf, p + LAST_OFFSET_DELTA_OFFSET);
    const count = i32(buf, p + RECORD_COUNT_OFFSET);
    const producerId = i64(buf, p + PRODUCER_ID_OFFSET);
    const baseSequence = i32(buf, p + BASE_SEQUENCE_OFFSET);
    // LogValidator.validateBatch (client appends)
    if (client) {
      if (lastOffsetDelta < 0) return fail(ErrorCode.INVALID_RECORD, n, p, `batch has an invalid offset range: lastOffsetDelta ${lastOffsetDelta}`);
      if (count <= 0) return fail(ErrorCode.INVALID_RECORD, n, p, `invalid reported count for record batch: ${count}`);
      if (count !== lastOffsetDelta + 1)
        return fail(ErrorCode.INVALID_RECORD, n, p, `inconsistent batch offset range [0, ${lastOffsetDelta}] and count of records ${count}`);
      if (attributes & CONTROL_MASK) return fail(ErrorCode.INVALID_RECORD, n, p, 'clients are not allowed to write control records');
      if (producerId >= 0 && baseSequence < 0)
        return fail(ErrorCode.INVALID_RECORD, n, p, `invalid sequence number ${baseSequence} in record batch with producerId ${producerId}`);
      // Kafka: INVALID_TIMESTAMP on LogAppendTime topics; on CreateTime topics it accepts the batch
      // and rewrites the attribute. samsa rejects both: no client sends it.
      if (attributes & TIMESTAMP_TYPE_MASK)
        return fail(ErrorCode.INVALID_TIMESTAMP, n, p, 'invalid timestamp type: producer should not set timestamp type to LogAppendTime');
    } else if (count < 0) {
      return fail(ErrorCode.INVALID_RECORD, n, p, `found invalid record count ${count}`);
    }
    const baseTimestamp = i64(buf, p + BASE_TIMESTAMP_OFFSET);
    const maxTimestamp = i64(buf, p + MAX_TIMESTAMP_OFFSET);
    const tsCheck = createTime && client;
    // Kafka's LogValidator sets a validated batch's maxTimestamp from its records, whatever the
    // producer wrote there: the entry reports that value, and the caller rewrites the header.
    let entryMaxTimestamp = maxTimestamp;
    if (compression === CompressionType.None && options.validateRecords) {
      const code = checkRecords(buf, p + RECORDS_OFFSET, p + size, count, baseTimestamp, tsCheck, lo, hi);
      if (code !== 0) {
        const r = fail(code, n, p, recordError);
        if (code === ErrorCode.INVALID_TIMESTAMP && !r.ok) r.recordErrors = badTimestamps;
        return r;
      }
      entryMaxTimestamp = recordsMaxTimestamp;
    } else if (tsCheck && !options.validateRecords) {
      // Header level, when records are not read: the first record's and the largest timestamp.
      // (With validateRecords the caller validates a compressed batch's records after
      // decompressing it: src/protocol/records/validate.ts.)
      if (baseTimestamp !== NO_TIMESTAMP && (baseTimestamp < lo || baseTimestamp > hi))
        return fail(ErrorCode.INVALID_TIMESTAMP, n, p, `baseTimestamp ${baseTimestamp} is out of range [${lo}, ${hi}]`);
      if (maxTimestamp !== NO_TIMESTAMP && (maxTimestamp < lo || maxTimestamp > hi))
        return fail(ErrorCode.INVALID_TIMESTAMP, n, p, `maxTimestamp ${maxTimestamp} is out of range [${lo}, ${hi}]`);
    }
    if (n === out.position.length) growBatchScan(out);
    out.position[n] = p;
    out.size[n] = size;
    out.lastOffsetDelta[n] = lastOffsetDelta;
    out.recordCount[n] = count;
    out.attributes[n] = attributes;
    out.producerEpoch[n] = i16(buf, p + PRODUCER_EPOCH_OFFSET);
    out.baseSequence[n] = baseSequence;
    out.baseTimestamp[n] = baseTimestamp;
    out.maxTimestamp[n] = entryMaxTimestamp;
    out.producerId[n] = producerId;
    out.count = ++n;
    records += count;
    p += size;
  }
  return { ok: true, batches: n, records, bytes: end };
}
