// The record rules of Kafka's LogValidator that the accel scan (src/accel/js-scan.ts) does not apply:
// every record of a compressed batch, once decompressed (timestamps, structure, inner offsets),
// and keys on compacted topics. Pure and synchronous, so the produce path runs it inline on
// small batches and a pool thread runs it on large ones (workers/tasks.ts validateBatch).
//
// As in LogValidator.validateRecord, each record gets at most one error, its key's before its
// timestamp's; all of them are reported (KIP-467 record_errors), and the partition's code is
// INVALID_TIMESTAMP if any is a timestamp error, else INVALID_RECORD (processRecordErrors). A
// record that does not parse fails the whole batch with INVALID_RECORD and no record errors, as
// Kafka's record iterator throws InvalidRecordException.
import { ErrorCode } from '../../errors.js';
import { cursor, readVarint, readVarlong } from './varint.js';

/** A rejected record: its index within the batch (Produce v8+ record_errors, KIP-467). */
export interface RecordError {
  index: number;
  message: string;
}

export interface RecordRules {
  /** "topic-partition", for Kafka's messages. */
  partition: string;
  /** cleanup.policy includes compact: every record needs a key (LogValidator.validateKey). */
  compacted: boolean;
  /** CreateTime client append: record timestamps must lie in [lo, hi] (KIP-937). */
  checkTimestamps: boolean;
  /** The window [lo, hi] = [now - before.max.ms, now + after.max.ms]. */
  now: number;
  beforeMaxMs: number;
  afterMaxMs: number;
  lo: number;
  hi: number;
}

export type RecordsVerdict =
  | {
      ok: true;
      /** The largest record timestamp, -1 if none is larger: what Kafka writes as maxTimestamp. */
      maxTimestamp: number;
      /** Whether offset deltas are 0, 1, 2, ...; if not, Kafka rebuilds the batch. */
      consecutive: boolean;
    }
  | { ok: false; errorCode: number; message: string; recordErrors: RecordError[] };

/** The partition-level message Kafka gives with the record errors (LogValidator.processRecordErrors). */
export function recordErrorsMessage(errorCode: number, errors: readonly RecordError[]): string {
  if (errorCode === ErrorCode.INVALID_TIMESTAMP) return 'One or more records have been rejected due to invalid timestamp';
  // ProduceResponse.RecordError.toString, in a Java list.
  const shown = errors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.index}, message='${e.message}')`);
  return `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`;
}

function invalid(message: string): RecordsVerdict {
  return { ok: false, errorCode: ErrorCode.INVALID_RECORD, message, recordErrors: [] };
}

/**
 * Validates the `count` records that fill `records` exactly (the records section of an
 * uncompressed v2 batch whose base timestamp is `baseTimestamp`).
 */
export function validateRecords(records: Uint8Array, count: number, baseTimestamp: number, rules: RecordRules): RecordsVerdict {
  const end = records.length;
  const errors: RecordError[] = [];
  let timestampError = false;
  let maxTimestamp = -1;
  let consecutive = true;
  cursor.pos = 0;
  for (let i = 0; i < count; i++) {
    const at = cursor.pos;
    if (at >= end) return invalid(`Incorrect declared batch size, premature EOF reached: ${count} records declared, ${i} found`);
    const len = readVarint(records, end);
    if (cursor.pos < 0) return invalid(`record ${i} at byte ${at}: invalid record length varint`);
    if (len <= 0 || len > end - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid record size ${len}, ${end - cursor.pos} bytes left`);
    const bodyEnd = cursor.pos + len;
    cursor.pos++; // attributes: unused in v2
    const timestampDelta = readVarlong(records, bodyEnd);
    if (cursor.pos < 0) return invalid(`record ${i} at byte ${at}: invalid timestampDelta`);
    const offsetDelta = readVarint(records, bodyEnd);
    if (cursor.pos < 0) return invalid(`record ${i} at byte ${at}: invalid offsetDelta`);
    const keyLength = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || keyLength > bodyEnd - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid key length`);
    if (keyLength > 0) cursor.pos += keyLength;
    const valueLength = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || valueLength > bodyEnd - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid value length`);
    if (valueLength > 0) cursor.pos += valueLength;
    const headers = readVarint(records, bodyEnd);
    if (cursor.pos < 0 || headers < 0 || headers > bodyEnd - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid number of record headers`);
    for (let h = 0; h < headers; h++) {
      const kl = readVarint(records, bodyEnd);
      if (cursor.pos < 0 || kl < 0 || kl > bodyEnd - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid header ${h} key length`);
      cursor.pos += kl;
      const vl = readVarint(records, bodyEnd);
      if (cursor.pos < 0 || vl > bodyEnd - cursor.pos) return invalid(`record ${i} at byte ${at}: invalid header ${h} value length`);
      if (vl > 0) cursor.pos += vl;
    }
    if (cursor.pos !== bodyEnd)
      return invalid(`record ${i} at byte ${at}: the record declares ${len} bytes but its fields take ${cursor.pos - (bodyEnd - len)}`);
    if (offsetDelta !== i) consecutive = false;
    const timestamp = baseTimestamp + timestampDelta;
    if (rules.compacted && keyLength < 0) {
      errors.push({ index: i, message: `Compacted topic cannot accept message without key in topic partition ${rules.partition}.` });
    } else if (rules.checkTimestamps && timestamp !== -1 && (timestamp < rules.lo || timestamp > rules.hi)) {
      timestampError = true;
      errors.push({
        index: i,
        message: `Timestamp ${timestamp} of message with offset ${offsetDelta} is out of range. The timestamp should be within [${rules.lo}, ${rules.hi}]`,
      });
    } else if (timestamp > maxTimestamp) {
      maxTimestamp = timestamp;
    }
  }
  if (cursor.pos !== end) return invalid(`Incorrect declared batch size, records still remaining in file: ${end - cursor.pos} bytes after ${count} records`);
  if (errors.length > 0) {
    const errorCode = timestampError ? ErrorCode.INVALID_TIMESTAMP : ErrorCode.INVALID_RECORD;
    return { ok: false, errorCode, message: recordErrorsMessage(errorCode, errors), recordErrors: errors };
  }
  return { ok: true, maxTimestamp, consecutive };
}
