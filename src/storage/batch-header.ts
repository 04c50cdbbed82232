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
