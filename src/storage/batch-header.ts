// The few RecordBatch header fields the storage layer reads on its hot paths (fetch, recovery,
// index lookups). Layout (RecordBatch v2): baseOffset int64 @0, batchLength int32 @8,
// partitionLeaderEpoch int32 @12, magic int8 @16, crc uint32 @17, attributes int16 @21,
// lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35, ... records @61.

export const LOG_OVERHEAD = 12; // baseOffset + batchLength: the bytes before batchLength counts
export const MIN_BATCH_SIZE = 61;

export interface BatchHeaderFields {
  baseOffset: number;
  size: number; // whole batch in bytes, LOG_OVERHEAD included
  lastOffset: number;
  partitionLeaderEpoch: number;
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}

export function readBatchHeaderFields(buf: Buffer, pos: number): BatchHeaderFields {
  const baseOffset = readInt64(buf, pos);
  return {
    baseOffset,
    size: buf.readInt32BE(pos + 8) + LOG_OVERHEAD,
    lastOffset: baseOffset + buf.readInt32BE(pos + 23),
    partitionLeaderEpoch: buf.readInt32BE(pos + 12),
  };
}

export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return readInt64(buf, pos + 35);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * A JS number as the int64 an index or snapshot file stores, clamped to the int64 range. A batch
 * header's Long.MAX_VALUE reads back as 2^63 (the nearest double), which BigInt/writeBigInt64BE
 * refuse: without the clamp one stored timestamp made every index rebuild throw (issue 11).
 */
export function toInt64(n: number): bigint {
  if (Number.isNaN(n)) return -1n;
  if (n >= 2 ** 63) return INT64_MAX;
  if (n <= -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(n));
}
