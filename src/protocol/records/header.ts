// Reading a batch header: every field (tools, tests, the storage reader), or the few that the
// storage hot paths need (fetch, recovery, index lookups).
import { readInt16, readInt32, readInt64 } from './int64.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_OFFSET,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CRC_OFFSET,
  DELETE_HORIZON_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
  BASE_OFFSET_OFFSET,
} from './layout.js';

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

/** Every header field of the batch at `position`. */
export function readBatchHeader(buf: Buffer, position: number): BatchHeader {
  if (position < 0 || position + BATCH_HEADER_SIZE > buf.length) {
    throw new RangeError(`readBatchHeader: ${BATCH_HEADER_SIZE} bytes needed at ${position}, the buffer has ${buf.length}`);
  }
  const attributes = readInt16(buf, position + ATTRIBUTES_OFFSET);
  const batchLength = readInt32(buf, position + BATCH_LENGTH_OFFSET);
  return {
    baseOffset: readInt64(buf, position + BASE_OFFSET_OFFSET),
    batchLength,
    size: batchLength + LOG_OVERHEAD,
    partitionLeaderEpoch: readInt32(buf, position + PARTITION_LEADER_EPOCH_OFFSET),
    magic: (buf[position + MAGIC_OFFSET]! << 24) >> 24,
    crc: readInt32(buf, position + CRC_OFFSET) >>> 0,
    attributes,
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & TRANSACTIONAL_MASK) !== 0,
    isControl: (attributes & CONTROL_MASK) !== 0,
    hasDeleteHorizonMs: (attributes & DELETE_HORIZON_MASK) !== 0,
    lastOffsetDelta: readInt32(buf, position + LAST_OFFSET_DELTA_OFFSET),
    baseTimestamp: readInt64(buf, position + BASE_TIMESTAMP_OFFSET),
    maxTimestamp: readInt64(buf, position + MAX_TIMESTAMP_OFFSET),
    producerId: readInt64(buf, position + PRODUCER_ID_OFFSET),
    producerEpoch: readInt16(buf, position + PRODUCER_EPOCH_OFFSET),
    baseSequence: readInt32(buf, position + BASE_SEQUENCE_OFFSET),
    recordCount: readInt32(buf, position + RECORD_COUNT_OFFSET),
  };
}

export interface BatchHeaderFields {
  baseOffset: number;
  size: number; // whole batch in bytes, LOG_OVERHEAD included
  lastOffset: number;
  partitionLeaderEpoch: number;
}

/** The fields the storage hot paths read; the caller has checked that a header is there. */
export function readBatchHeaderFields(buf: Buffer, pos: number): BatchHeaderFields {
  const baseOffset = readInt64(buf, pos + BASE_OFFSET_OFFSET);
  return {
    baseOffset,
    size: buf.readInt32BE(pos + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD,
    lastOffset: baseOffset + buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET),
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH_OFFSET),
  };
}

export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + MAX_TIMESTAMP_OFFSET);
}
