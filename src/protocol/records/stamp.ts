// Rewriting header fields of a stored batch in place: the pure-TypeScript versions of the
// accel backends' stampBatch and setLogAppendTime, and the batch CRC.
import { crc32c } from './crc32c.js';
import { readInt32, writeInt32, writeInt64 } from './int64.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  LOG_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  TIMESTAMP_TYPE_MASK,
} from './layout.js';

/** CRC-32C of the batch at `position` as it should be stored (attributes to the end). */
export function computeBatchCrc(buf: Buffer, position: number): number {
  return crc32c(buf, position + ATTRIBUTES_OFFSET, position + LOG_OVERHEAD + readInt32(buf, position + BATCH_LENGTH_OFFSET));
}

/** Writes baseOffset and partitionLeaderEpoch in place. Both lie outside the CRC. */
export function stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void {
  writeInt64(buf, position + BASE_OFFSET_OFFSET, baseOffset);
  writeInt32(buf, position + PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
}

/**
 * Kafka's LogAppendTime: set the timestamp-type bit and maxTimestamp to the append time, leave
 * the records alone (readers take every record's timestamp from maxTimestamp), recompute the CRC.
 */
export function setLogAppendTime(buf: Buffer, position: number, timestamp: number): void {
  const a = buf[position + ATTRIBUTES_OFFSET + 1]! | TIMESTAMP_TYPE_MASK;
  buf[position + ATTRIBUTES_OFFSET + 1] = a;
  writeInt64(buf, position + MAX_TIMESTAMP_OFFSET, timestamp);
  writeInt32(buf, position + CRC_OFFSET, computeBatchCrc(buf, position));
}
