// A produced compressed batch's records, decompressed and validated as Kafka's LogValidator does
// on the leader (validateMessagesAndAssignOffsetsCompressed): a batch whose bytes do not
// decompress is CORRUPT_MESSAGE, records that do not parse are INVALID_RECORD, and the record
// rules (timestamps, keys) come from storage/log-validator.ts. Only the records section is
// decompressed, into a scratch buffer that is dropped: the batch is stored as it came.
//
// Sync for gzip, snappy and lz4 (inline and on pool threads), async for all four (zstd).
import { ATTRIBUTES_OFFSET, BASE_TIMESTAMP_OFFSET, BATCH_LENGTH_OFFSET, COMPRESSION_MASK, LOG_OVERHEAD, RECORD_COUNT_OFFSET, RECORDS_OFFSET } from '../storage/record-batch.js';
import { validateRecords, type RecordRules, type RecordsVerdict } from '../storage/log-validator.js';
import { KafkaError } from '../errors.js';
import { decompress, decompressSync } from './codecs.js';

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
    baseTimestamp: buf.readInt32BE(position + BASE_TIMESTAMP_OFFSET) * 4294967296 + buf.readUInt32BE(position + BASE_TIMESTAMP_OFFSET + 4),
  };
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
  return validateRecords(plain, p.count, p.baseTimestamp, rules);
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
  return validateRecords(plain, p.count, p.baseTimestamp, rules);
}
