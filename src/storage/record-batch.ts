// Kafka RecordBatch v2 (magic 2): the pure-TypeScript reference of the produce hot path.
//
// Layout, big-endian (Kafka's DefaultRecordBatch):
//   baseOffset int64 @0 | batchLength int32 @8 (bytes after this field) | partitionLeaderEpoch int32 @12
//   magic int8 @16 | crc uint32 @17 (CRC-32C of attributes @21 .. end of batch) | attributes int16 @21
//   lastOffsetDelta int32 @23 | baseTimestamp int64 @27 | maxTimestamp int64 @35 | producerId int64 @43
//   producerEpoch int16 @51 | baseSequence int32 @53 | recordCount int32 @57 | records @61
// attributes: bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd), bit 3 timestamp type
// (1 = LogAppendTime), bit 4 transactional, bit 5 control, bit 6 hasDeleteHorizonMs.
// Record (Kafka's DefaultRecord): length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, keyLength varint (<0: null), key, valueLength varint (<0: null), value,
// headerCount varint, then per header keyLength varint, key, valueLength varint (<0: null), value.
// Varints are zig-zag (protobuf sint32 / sint64).
//
// The native addon and the wasm build export the same flat functions (buffers, offsets, numbers,
// typed arrays), so the scan allocates nothing per batch. int64 fields become JS numbers: exact
// below 2^53, and -1 stays -1.
import { crc32c } from './crc32c.js';
import { ErrorCode } from '../errors.js';

export const BASE_OFFSET_OFFSET = 0;
export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;
export const RECORDS_OFFSET = 61;
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes that batchLength does not count. */
export const LOG_OVERHEAD = 12;
/** The smallest valid batchLength: a v2 header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** Kafka's LegacyRecord.RECORD_OVERHEAD_V0: a smaller length field is corrupt whatever the magic. */
const LEGACY_MIN_LENGTH = 14;
/** Bytes up to and including magic. */
const HEADER_SIZE_UP_TO_MAGIC = 17;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_MASK = 0x10;
export const CONTROL_MASK = 0x20;
export const DELETE_HORIZON_MASK = 0x40;

export const CompressionType = { None: 0, Gzip: 1, Snappy: 2, Lz4: 3, Zstd: 4 } as const;
/** The type in a control record's key (version int16, type int16): Kafka's ControlRecordType. */
export const ControlRecordType = { Abort: 0, Commit: 1 } as const;

export const NO_TIMESTAMP = -1, NO_PRODUCER_ID = -1, NO_PRODUCER_EPOCH = -1, NO_SEQUENCE = -1, NO_PARTITION_LEADER_EPOCH = -1;

/** Per-batch results of a scan, struct-of-arrays, reused across calls; `count` entries are valid. */
export interface BatchScan {
  count: number;
  position: Int32Array;
  size: Int32Array; // whole batch, LOG_OVERHEAD included
  lastOffsetDelta: Int32Array;
  recordCount: Int32Array;
  attributes: Int16Array;
  producerEpoch: Int16Array;
  baseSequence: Int32Array;
  baseTimestamp: Float64Array;
  maxTimestamp: Float64Array;
  producerId: Float64Array;
}

export function createBatchScan(initialCapacity = 16): BatchScan {
  const n = Math.max(1, initialCapacity | 0);
  const [i32a, i16a, f64a] = [() => new Int32Array(n), () => new Int16Array(n), () => new Float64Array(n)];
  return {
    count: 0, position: i32a(), size: i32a(), lastOffsetDelta: i32a(), recordCount: i32a(), attributes: i16a(),
    producerEpoch: i16a(), baseSequence: i32a(), baseTimestamp: f64a(), maxTimestamp: f64a(), producerId: f64a(),
  };
}

const ARRAYS = ['position', 'size', 'lastOffsetDelta', 'recordCount', 'attributes', 'producerEpoch', 'baseSequence', 'baseTimestamp', 'maxTimestamp', 'producerId'] as const;

function grow(s: BatchScan): void {
  for (const k of ARRAYS) {
    const a = s[k];
    const b = new (a.constructor as new (n: number) => typeof a)(a.length * 2);
    b.set(a);
    (s as unknown as Record<string, typeof a>)[k] = b;
  }
}

export interface ScanOptions {
  /** The topic's max.message.bytes: the largest batch, LOG_OVERHEAD included. */
  maxMessageBytes: number;
  verifyCrc: boolean;
  /** The topic's message.timestamp.type. */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms / after.max.ms (KIP-937); only with CreateTime. */
  beforeMaxMs: number;
  afterMaxMs: number;
  now: number;
  /**
   * Parse every record of uncompressed batches; their `maxTimestamp` entry is then the largest
   * record timestamp (-1 if none is larger), not the header's. Compressed batches get no
   * timestamp check here: the caller validates their records once decompressed. Without this
   * flag, batches are checked at header level (base and max timestamp).
   */
  validateRecords: boolean;
  /**
   * Kafka accepts exactly one batch per partition in Produce v3+ (INVALID_RECORD otherwise).
   * The produce path sets this; other callers may scan any number of concatenated batches.
   */
  singleBatch?: boolean;
  /**
   * Batches samsa wrote itself (transaction markers, coordinator records): skip the rules Kafka
   * applies only to client appends (baseOffset 0, no control batches, count > 0 and matching
   * lastOffsetDelta, a producer id needs a sequence, no LogAppendTime from the producer).
   */
  internal?: boolean;
}

export type ScanResult =
  | { ok: true; batches: number; records: number; bytes: number }
  | { ok: false; errorCode: number; message: string; batchIndex: number; recordErrors?: RecordError[] };

/** A rejected record: its index within the batch (Produce v8+ record_errors, KIP-467). */
export interface RecordError {
  index: number;
  message: string;
}

// Read helpers. Callers check bounds first; these never throw.
function i32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}
function i16(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
}
function i64(b: Uint8Array, p: number): number {
  return i32(b, p) * 4294967296 + (i32(b, p + 4) >>> 0);
}
function w32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}
function w64(b: Uint8Array, p: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  w32(b, p, hi | 0);
  w32(b, p + 4, (v - hi * 4294967296) >>> 0);
}

// Varint readers share one cursor, so they can return a plain number; -1 marks a bad varint
// (too long, or running past `end`). Kafka's rules: a varint has at most 5 bytes, a varlong 10.
let cur = 0;

function varint(b: Uint8Array, end: number): number {
  let p = cur;
  if (p >= end) return (cur = -1), 0;
  let x = b[p++]!;
  let r = x & 0x7f;
  if (x >= 0x80) {
    for (let shift = 7; ; shift += 7) {
      if (p >= end) return (cur = -1), 0;
      x = b[p++]!;
      if (shift === 28) {
        if (x >= 0x80) return (cur = -1), 0;
        r |= x << 28;
        break;
      }
      r |= (x & 0x7f) << shift;
      if (x < 0x80) break;
    }
  }
  cur = p;
  return (r >>> 1) ^ -(r & 1);
}

function varlong(b: Uint8Array, end: number): number {
  let p = cur;
  let r = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= end) break;
    const x = b[p++]!;
    r += (x & 0x7f) * mul;
    if (x < 0x80) {
      cur = p;
      return r % 2 === 1 ? -(r + 1) / 2 : r / 2;
    }
    mul *= 128;
  }
  return (cur = -1), 0;
}

// The record parseRecord just read. Module state, so the hot path allocates nothing.
let rTimestampDelta = 0, rOffsetDelta = 0, rKey = 0, rKeyLength = 0, rValue = 0, rValueLength = 0, rHeaders = 0, rHeaderCount = 0;

/**
 * Parses the record at `cur` (Kafka's DefaultRecord.readFrom rules), leaving `cur` after it.
 * Returns '' or what is wrong. Negative key and value lengths mean null, as in Kafka.
 */
function parseRecord(b: Uint8Array, end: number): string {
  const len = varint(b, end);
  if (cur < 0) return 'invalid record length varint';
  if (len <= 0 || len > end - cur) return `invalid record size ${len}, ${end - cur} bytes left in the batch`;
  const bodyStart = cur;
  const bodyEnd = cur + len;
  cur++; // attributes: unused in v2
  rTimestampDelta = varlong(b, bodyEnd);
  if (cur < 0) return 'invalid timestampDelta';
  rOffsetDelta = varint(b, bodyEnd);
  if (cur < 0) return 'invalid offsetDelta';
  rKeyLength = varint(b, bodyEnd);
  if (cur < 0 || rKeyLength > bodyEnd - cur) return 'invalid key length';
  rKey = cur;
  if (rKeyLength > 0) cur += rKeyLength;
  rValueLength = varint(b, bodyEnd);
  if (cur < 0 || rValueLength > bodyEnd - cur) return 'invalid value length';
  rValue = cur;
  if (rValueLength > 0) cur += rValueLength;
  rHeaderCount = varint(b, bodyEnd);
  if (cur < 0 || rHeaderCount < 0 || rHeaderCount > bodyEnd - cur) return 'invalid number of record headers';
  rHeaders = cur;
  for (let h = 0; h < rHeaderCount; h++) {
    const kl = varint(b, bodyEnd);
    if (cur < 0 || kl < 0 || kl > bodyEnd - cur) return `invalid header ${h} key length`;
    cur += kl;
    const vl = varint(b, bodyEnd);
    if (cur < 0 || vl > bodyEnd - cur) return `invalid header ${h} value length`;
    if (vl > 0) cur += vl;
  }
  if (cur !== bodyEnd) return `expected to read ${len} bytes in record payload, but read ${cur - bodyStart}`;
  return '';
}

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
  cur = start;
  let badTs = -1;
  let badTimestamp = 0;
  let maxTs = NO_TIMESTAMP;
  badTimestamps = [];
  for (let i = 0; i < count; i++) {
    const at = cur;
    if (at >= end) return bad(`batch declares ${count} records but its bytes end after ${i} (premature EOF)`);
    const problem = parseRecord(b, end);
    if (problem !== '') return bad(`record ${i} at byte ${at}: ${problem}`);
    // Kafka does not check offset deltas of uncompressed batches, it rewrites only the base
    // offset; samsa stores the batch as sent, so deltas out of order would mean wrong offsets.
    if (rOffsetDelta !== i) return bad(`record ${i} at byte ${at}: offsetDelta ${rOffsetDelta}, expected ${i}`);
    if (baseTs + rTimestampDelta > maxTs) maxTs = baseTs + rTimestampDelta;
    if (tsCheck && badTs < 0) {
      const ts = baseTs + rTimestampDelta;
      if (ts !== NO_TIMESTAMP && (ts < lo || ts > hi)) {
        badTs = i;
        badTimestamp = ts;
      }
    }
    if (tsCheck && badTimestamps.length < MAX_RECORD_ERRORS) {
      const ts = baseTs + rTimestampDelta;
      if (ts !== NO_TIMESTAMP && (ts < lo || ts > hi)) badTimestamps.push({ index: i, message: `Timestamp ${ts} of message with offset ${i} is out of range. The timestamp should be within [${lo}, ${hi}]` });
    }
  }
  if (cur !== end) return bad(`batch declares ${count} records but ${end - cur} bytes remain after them`);
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
    if (length < LEGACY_MIN_LENGTH) return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `record size ${length} is less than the minimum record overhead (${LEGACY_MIN_LENGTH})`);
    if (remaining < HEADER_SIZE_UP_TO_MAGIC) return fail(ErrorCode.INVALID_RECORD, n, p, `${remaining} bytes left, too few for a batch header`);
    const magic = (buf[p + MAGIC_OFFSET]! << 24) >> 24;
    if (magic < 0 || magic > CURRENT_MAGIC) return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `invalid magic found in record: ${magic}`);
    if (length > remaining - LOG_OVERHEAD) return fail(ErrorCode.INVALID_RECORD, n, p, `batchLength ${length} runs past the end of the records (${remaining - LOG_OVERHEAD} bytes left)`);
    if (magic !== CURRENT_MAGIC) return fail(ErrorCode.INVALID_RECORD, n, p, `magic ${magic}: produce requests may only contain record batches with magic version 2`);
    if (n > 0 && options.singleBatch === true) return fail(ErrorCode.INVALID_RECORD, n, p, 'produce requests may contain exactly one record batch per partition');
    const size = length + LOG_OVERHEAD;
    // UnifiedLog.analyzeAndValidateRecords
    if (client && (i32(buf, p) | i32(buf, p + 4)) !== 0) return fail(ErrorCode.INVALID_RECORD, n, p, `baseOffset of a produced batch should be 0, but it is ${i64(buf, p)}`);
    if (size > options.maxMessageBytes) return fail(ErrorCode.MESSAGE_TOO_LARGE, n, p, `the record batch size is ${size} bytes which exceeds the maximum configured value of ${options.maxMessageBytes}`);
    if (length < MIN_BATCH_LENGTH) return fail(ErrorCode.CORRUPT_MESSAGE, n, p, `record batch is corrupt (the size ${size} is smaller than the minimum allowed overhead ${BATCH_HEADER_SIZE})`);
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
      if (count !== lastOffsetDelta + 1) return fail(ErrorCode.INVALID_RECORD, n, p, `inconsistent batch offset range [0, ${lastOffsetDelta}] and count of records ${count}`);
      if (attributes & CONTROL_MASK) return fail(ErrorCode.INVALID_RECORD, n, p, 'clients are not allowed to write control records');
      if (producerId >= 0 && baseSequence < 0) return fail(ErrorCode.INVALID_RECORD, n, p, `invalid sequence number ${baseSequence} in record batch with producerId ${producerId}`);
      // Kafka: INVALID_TIMESTAMP on LogAppendTime topics; on CreateTime topics it accepts the batch
      // and rewrites the attribute. samsa rejects both: no client sends it.
      if (attributes & TIMESTAMP_TYPE_MASK) return fail(ErrorCode.INVALID_TIMESTAMP, n, p, 'invalid timestamp type: producer should not set timestamp type to LogAppendTime');
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
      // decompressing it: src/storage/log-validator.ts.)
      if (baseTimestamp !== NO_TIMESTAMP && (baseTimestamp < lo || baseTimestamp > hi)) return fail(ErrorCode.INVALID_TIMESTAMP, n, p, `baseTimestamp ${baseTimestamp} is out of range [${lo}, ${hi}]`);
      if (maxTimestamp !== NO_TIMESTAMP && (maxTimestamp < lo || maxTimestamp > hi)) return fail(ErrorCode.INVALID_TIMESTAMP, n, p, `maxTimestamp ${maxTimestamp} is out of range [${lo}, ${hi}]`);
    }
    if (n === out.position.length) grow(out);
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

/** CRC-32C of the batch at `position` as it should be stored (attributes to the end). */
export function computeBatchCrc(buf: Buffer, position: number): number {
  return crc32c(buf, position + ATTRIBUTES_OFFSET, position + LOG_OVERHEAD + i32(buf, position + BATCH_LENGTH_OFFSET));
}

/** Writes baseOffset and partitionLeaderEpoch in place. Both lie outside the CRC. */
export function stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void {
  w64(buf, position + BASE_OFFSET_OFFSET, baseOffset);
  w32(buf, position + PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
}

/**
 * Kafka's LogAppendTime: set the timestamp-type bit and maxTimestamp to the append time, leave
 * the records alone (readers take every record's timestamp from maxTimestamp), recompute the CRC.
 */
export function setLogAppendTime(buf: Buffer, position: number, timestamp: number): void {
  const a = buf[position + ATTRIBUTES_OFFSET + 1]! | TIMESTAMP_TYPE_MASK;
  buf[position + ATTRIBUTES_OFFSET + 1] = a;
  w64(buf, position + MAX_TIMESTAMP_OFFSET, timestamp);
  w32(buf, position + CRC_OFFSET, computeBatchCrc(buf, position));
}

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  /** batchLength + LOG_OVERHEAD */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizonMs: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Every header field of the batch at `position` (tools, tests, the storage reader). */
export function readBatchHeader(buf: Buffer, position: number): BatchHeader {
  if (position < 0 || position + BATCH_HEADER_SIZE > buf.length) {
    throw new RangeError(`readBatchHeader: ${BATCH_HEADER_SIZE} bytes needed at ${position}, the buffer has ${buf.length}`);
  }
  const attributes = i16(buf, position + ATTRIBUTES_OFFSET);
  const batchLength = i32(buf, position + BATCH_LENGTH_OFFSET);
  return {
    baseOffset: i64(buf, position),
    batchLength,
    size: batchLength + LOG_OVERHEAD,
    partitionLeaderEpoch: i32(buf, position + PARTITION_LEADER_EPOCH_OFFSET),
    magic: (buf[position + MAGIC_OFFSET]! << 24) >> 24,
    crc: i32(buf, position + CRC_OFFSET) >>> 0,
    attributes,
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_MASK) !== 0,
    lastOffsetDelta: i32(buf, position + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: i64(buf, position + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: i64(buf, position + MAX_TIMESTAMP_OFFSET),
    producerId: i64(buf, position + PRODUCER_ID_OFFSET),
    producerEpoch: i16(buf, position + PRODUCER_EPOCH_OFFSET),
    baseSequence: i32(buf, position + BASE_SEQUENCE_OFFSET),
    recordCount: i32(buf, position + RECORD_COUNT_OFFSET),
  };
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export type RecordCallback = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]) => void | boolean;

/**
 * Calls `cb` for each record of the uncompressed batch at `position`, with views into `buf`.
 * A callback returning `false` stops the walk. Returns the number of records visited. Throws on
 * a compressed or malformed batch (this is for tools and tests, not the hot path).
 */
export function iterateRecords(buf: Buffer, position: number, cb: RecordCallback): number {
  const h = readBatchHeader(buf, position);
  const where = `batch at byte ${position}`;
  if (h.magic !== CURRENT_MAGIC) throw new Error(`${where}: magic ${h.magic}, only magic 2 is supported`);
  if (h.compression !== CompressionType.None) throw new Error(`${where}: compressed (type ${h.compression}); decompress the records first`);
  const end = position + h.size;
  if (h.batchLength < MIN_BATCH_LENGTH || end > buf.length) throw new Error(`${where}: batchLength ${h.batchLength} does not fit the buffer`);
  const logAppend = h.timestampType === 'LogAppendTime';
  let p = position + RECORDS_OFFSET;
  for (let i = 0; i < h.recordCount; i++) {
    cur = p;
    const problem = p < end ? parseRecord(buf, end) : 'premature EOF';
    if (problem !== '') throw new Error(`${where}: record ${i} at byte ${p}: ${problem}`);
    p = cur;
    const offset = h.baseOffset + rOffsetDelta;
    const timestamp = logAppend ? h.maxTimestamp : h.baseTimestamp + rTimestampDelta;
    const key = rKeyLength < 0 ? null : buf.subarray(rKey, rKey + rKeyLength);
    const value = rValueLength < 0 ? null : buf.subarray(rValue, rValue + rValueLength);
    const headers: RecordHeader[] = [];
    cur = rHeaders;
    for (let k = rHeaderCount; k > 0; k--) {
      const kl = varint(buf, p); // already validated by parseRecord
      const hk = buf.toString('utf8', cur, cur + kl);
      cur += kl;
      const vl = varint(buf, p);
      headers.push({ key: hk, value: vl < 0 ? null : buf.subarray(cur, cur + vl) });
      if (vl > 0) cur += vl;
    }
    if (cb(offset, timestamp, key, value, headers) === false) return i + 1;
  }
  if (p !== end) throw new Error(`${where}: ${end - p} bytes left after ${h.recordCount} records`);
  return h.recordCount;
}

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

/** Bytes of a zig-zag varint (an int32 field of a record: lengths, offset delta, counts). */
export function varintSize(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  for (; v >= 0x80; v >>>= 7) size++;
  return size;
}

function putVarint(b: Buffer, p: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  for (; v >= 0x80; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
  b[p++] = v;
  return p;
}

function putVarlong(b: Buffer, p: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1; // zig-zag, exact below 2^52
  for (; v >= 0x80; v = Math.floor(v / 128)) b[p++] = (v % 128) | 0x80;
  b[p++] = v;
  return p;
}

function putBytes(b: Buffer, p: number, v: Buffer | null): number {
  p = putVarint(b, p, v === null ? -1 : v.length);
  return v === null ? p : p + v.copy(b, p);
}

/** An uncompressed v2 batch with a correct CRC (tests, the bench client, control markers). */
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
    q = putVarlong(b, q, ts - baseTimestamp);
    q = putVarint(b, q, i);
    q = putBytes(b, q, r.key);
    q = putBytes(b, q, r.value);
    const hs = r.headers ?? [];
    q = putVarint(b, q, hs.length);
    for (const h of hs) {
      q = putBytes(b, q, Buffer.from(h.key, 'utf8'));
      q = putBytes(b, q, h.value);
    }
    p = putVarint(b, p, q - body);
    b.copyWithin(p, body, q);
    p += q - body;
  });
  const attributes = (opts.transactional ? TRANSACTIONAL_MASK : 0) | (opts.control ? CONTROL_MASK : 0);
  w64(b, BASE_OFFSET_OFFSET, opts.baseOffset ?? 0);
  w32(b, BATCH_LENGTH_OFFSET, p - LOG_OVERHEAD);
  w32(b, PARTITION_LEADER_EPOCH_OFFSET, opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH);
  b[MAGIC_OFFSET] = CURRENT_MAGIC;
  b[ATTRIBUTES_OFFSET + 1] = attributes;
  w32(b, LAST_OFFSET_DELTA_OFFSET, records.length - 1);
  w64(b, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  w64(b, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  w64(b, PRODUCER_ID_OFFSET, opts.producerId ?? NO_PRODUCER_ID);
  const epoch = opts.producerEpoch ?? NO_PRODUCER_EPOCH;
  b[PRODUCER_EPOCH_OFFSET] = epoch >>> 8;
  b[PRODUCER_EPOCH_OFFSET + 1] = epoch;
  w32(b, BASE_SEQUENCE_OFFSET, opts.baseSequence ?? NO_SEQUENCE);
  w32(b, RECORD_COUNT_OFFSET, records.length);
  w32(b, CRC_OFFSET, crc32c(b, ATTRIBUTES_OFFSET, p));
  return p === bound ? b : Buffer.from(b.subarray(0, p));
}
