// What the leader checks in a produced batch beyond the accel scan (src/accel/js-scan.ts), in Kafka's
// LogValidator order, kept out of the Produce handler so that PartitionLog.appendAsLeader can
// call it (issue 12):
// - a compressed batch's records are decompressed and validated (timestamps, structure, inner
//   offsets), inline or on the pool by size (workers/pool.ts runValidation);
// - on a compacted topic every record needs a key;
// - the header's maxTimestamp becomes the records' largest timestamp (CreateTime), whatever the
//   producer wrote there: LogValidator's setMaxTimestamp. A header of Long.MAX or far in the
//   future was once stored as sent, which stopped time retention and, through the time index,
//   start-up (issue 11).
import {
  ATTRIBUTES_OFFSET,
  COMPRESSION_MASK,
  CRC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
  BATCH_LENGTH_OFFSET,
  LOG_OVERHEAD,
  BASE_TIMESTAMP_OFFSET,
} from '../protocol/records/layout.js';
import { validateRecords, type RecordRules, type RecordsVerdict } from '../protocol/records/validate.js';
import { runValidation, runsInline } from '../workers/pool.js';
import { hasSyncCodec } from '../compression/codecs.js';
import { validateCompressedBatchSync } from '../compression/batch-validate.js';
import { accel } from '../accel/index.js';
import { ErrorCode } from '../errors.js';
import { toInt64 } from '../protocol/records/int64.js';
import { readInt64 } from '../protocol/records/int64.js';

export type { RecordRules, RecordsVerdict };

export interface LeaderConfig {
  cleanupPolicy: readonly string[] | string;
  timestampType: 'CreateTime' | 'LogAppendTime';
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
}

/** The record rules of a client append to `partition` at `now` (KIP-937 window, compaction). */
export function leaderRules(partition: string, cfg: LeaderConfig, now: number): RecordRules {
  return {
    partition,
    compacted: cfg.cleanupPolicy.includes('compact'),
    checkTimestamps: cfg.timestampType === 'CreateTime',
    now,
    beforeMaxMs: cfg.timestampBeforeMaxMs,
    afterMaxMs: cfg.timestampAfterMaxMs,
    lo: now - cfg.timestampBeforeMaxMs,
    hi: now + cfg.timestampAfterMaxMs,
  };
}

/**
 * Whether the (scanned, valid) batch at `position` has record checks the scan left to the
 * caller: every compressed batch, and uncompressed ones on compacted topics. Synchronous, so a
 * batch with none (the common case) is appended without an await, in request order.
 */
export function needsValidation(records: Buffer, position: number, rules: RecordRules): boolean {
  return rules.compacted || (records[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK) !== 0;
}

/**
 * Those checks, on this thread when they run inline (an uncompressed batch, or a batch below
 * its codec's pool threshold with a synchronous codec): the common case then needs no await.
 * Returns undefined when they must run asynchronously (validateBeyondScan).
 */
export function validateBeyondScanSync(records: Buffer, position: number, rules: RecordRules): RecordsVerdict | undefined {
  const codec = records[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK;
  if (codec === 0) return validateUncompressed(records, position, rules);
  if (!hasSyncCodec(codec) || !runsInline('decompressBatch', { buf: records, position })) return undefined;
  return validateCompressedBatchSync(records, position, rules);
}

/** Those checks, decompressing on the pool when the batch is large (workers/pool.ts). */
export function validateBeyondScan(records: Buffer, position: number, rules: RecordRules): Promise<RecordsVerdict> {
  const compressed = (records[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK) !== 0;
  if (compressed) return runValidation({ buf: records, position }, rules);
  return Promise.resolve(validateUncompressed(records, position, rules));
}

/** The records of an uncompressed batch against `rules`, on this thread. */
export function validateUncompressed(records: Buffer, position: number, rules: RecordRules): RecordsVerdict {
  const end = position + records.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  return validateRecords(
    records.subarray(position + RECORDS_OFFSET, end),
    records.readInt32BE(position + RECORD_COUNT_OFFSET),
    readInt64(records, position + BASE_TIMESTAMP_OFFSET),
    rules,
  );
}

/**
 * Kafka's MutableRecordBatch.setMaxTimestamp for CreateTime: writes `maxTimestamp` into the
 * header of the batch at `position` and recomputes the CRC, only if it differs. Returns whether
 * it did.
 */
export function setMaxTimestamp(buf: Buffer, position: number, maxTimestamp: number): boolean {
  if (readInt64(buf, position + MAX_TIMESTAMP_OFFSET) === maxTimestamp) return false;
  buf.writeBigInt64BE(toInt64(maxTimestamp), position + MAX_TIMESTAMP_OFFSET);
  const end = position + buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  buf.writeUInt32BE(accel.crc32c(buf, position + ATTRIBUTES_OFFSET, end), position + CRC_OFFSET);
  return true;
}

/** Whether a scan failure is one Kafka would report together with key errors (KIP-467). */
export function mayHaveKeyErrors(errorCode: number, rules: RecordRules): boolean {
  return rules.compacted && errorCode === ErrorCode.INVALID_TIMESTAMP;
}
