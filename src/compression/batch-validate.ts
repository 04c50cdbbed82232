// A produced compressed batch's records, decompressed and validated as Kafka's LogValidator does
// on the leader (validateMessagesAndAssignOffsetsCompressed): a batch whose bytes do not
// decompress is CORRUPT_MESSAGE, records that do not parse are INVALID_RECORD, and the record
// rules (timestamps, keys) come from src/protocol/records/validate.ts. Only the records section is
// decompressed, into a scratch buffer that is dropped: the batch is stored as it came.
//
// Sync for gzip, snappy and lz4 (inline and on pool threads), async for all four (zstd).
import {
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  LOG_OVERHEAD,
  RECORD_COUNT_OFFSET,
  RECORDS_OFFSET,
} from '../protocol/records/layout.js';
import { recordErrorsMessage, validateRecords, type RecordRules, type RecordsVerdict } from '../protocol/records/validate.js';
import { accel } from '../accel/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { decompress, decompressSync } from './codecs.js';
import { readInt64 } from '../protocol/records/int64.js';

interface Parts {
  codec: number;
  records: Buffer;
  count: number;
  baseTimestamp: number;
}

// The caller scanned the batch (whole, v2, CRC checked): only its fields are read here.
function parts(buf: Buffer, position: number): Parts {
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  return {
    codec: buf[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK,
    records: buf.subarray(position + RECORDS_OFFSET, position + size),
    count: buf.readInt32BE(position + RECORD_COUNT_OFFSET),
    baseTimestamp: readInt64(buf, position + BASE_TIMESTAMP_OFFSET),
  };
}

// The decompressed records, behind a copy of the batch's header marked uncompressed, so that the
// accel scan (native where it loads) validates them: much faster than the TypeScript walk.
const scratch = accel.createBatchScan(1);

function scanPlain(buf: Buffer, position: number, plain: Uint8Array, rules: RecordRules): RecordsVerdict | null {
  const batch = Buffer.allocUnsafe(RECORDS_OFFSET + plain.length);
  buf.copy(batch, 0, position, position + RECORDS_OFFSET);
  batch.set(plain, RECORDS_OFFSET);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch[ATTRIBUTES_OFFSET + 1] = batch[ATTRIBUTES_OFFSET + 1]! & ~COMPRESSION_MASK;
  const r = accel.scanBatches(batch, scratch, {
    maxMessageBytes: Infinity,
    verifyCrc: false,
    timestampType: rules.checkTimestamps ? 'CreateTime' : 'LogAppendTime',
    beforeMaxMs: rules.beforeMaxMs,
    afterMaxMs: rules.afterMaxMs,
    now: rules.now,
    validateRecords: true,
    singleBatch: true,
  });
  if (r.ok) return { ok: true, maxTimestamp: scratch.maxTimestamp[0]!, consecutive: true };
  if (r.errorCode === ErrorCode.INVALID_TIMESTAMP && r.recordErrors && r.recordErrors.length > 0) {
    return { ok: false, errorCode: r.errorCode, message: recordErrorsMessage(r.errorCode, r.recordErrors), recordErrors: r.recordErrors };
  }
  // Inner offsets out of order (which Kafka accepts and rebuilds) or records that do not parse:
  // the walk tells them apart and words the answer.
  return null;
}

/** The records' verdict: the fast scan where it can decide (no key rule), else the walk. */
function verdictOf(buf: Buffer, position: number, p: Parts, plain: Uint8Array, rules: RecordRules): RecordsVerdict {
  if (!rules.compacted) {
    const v = scanPlain(buf, position, plain, rules);
    if (v !== null) return v;
  }
  return validateRecords(plain, p.count, p.baseTimestamp, rules);
}

function corrupt(err: unknown): RecordsVerdict {
  if (!(err instanceof KafkaError)) throw err;
  return { ok: false, errorCode: err.code, message: err.message, recordErrors: [] };
}

/** validateCompressedBatch for gzip, snappy, lz4 (and uncompressed batches), on this thread. */
export function validateCompressedBatchSync(buf: Buffer, position: number, rules: RecordRules): RecordsVerdict {
  const p = parts(buf, position);
  let plain: Uint8Array;
  try {
    plain = p.codec === 0 ? p.records : decompressSync(p.codec, p.records);
  } catch (err) {
    return corrupt(err);
  }
  return verdictOf(buf, position, p, plain, rules);
}

/** Decompresses the records of the batch at `position` (any codec) and validates them. */
export async function validateCompressedBatch(buf: Buffer, position: number, rules: RecordRules): Promise<RecordsVerdict> {
  const p = parts(buf, position);
  let plain: Uint8Array;
  try {
    plain = p.codec === 0 ? p.records : await decompress(p.codec, p.records);
  } catch (err) {
    return corrupt(err);
  }
  return verdictOf(buf, position, p, plain, rules);
}
