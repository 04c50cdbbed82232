// The checks of a follower's append (PartitionLog.appendAsFollower), Kafka's
// UnifiedLog.analyzeAndValidateRecords for replicated batches: whole v2 batches with valid CRCs
// and sizes (the accel scan, without the rules of client appends), offsets increasing from batch
// to batch and starting at or after the log end (UnexpectedAppendOffsetException in Kafka).
import { ErrorCode, KafkaError } from '../errors.js';
import { accel } from '../accel/index.js';
import { readInt64 } from '../protocol/records/int64.js';
import { PARTITION_LEADER_EPOCH_OFFSET } from '../protocol/records/layout.js';

export interface FollowerBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  leaderEpoch: number;
}

// Filled and read within scanFollowerBatches only (synchronous): never shared across an await.
const scanState = accel.createBatchScan(16);

export function scanFollowerBatches(records: Buffer, partition: string, logEndOffset: number, maxMessageBytes: number, now: number): FollowerBatch[] {
  const r = accel.scanBatches(records, scanState, {
    maxMessageBytes,
    verifyCrc: true,
    timestampType: 'LogAppendTime',
    beforeMaxMs: 0,
    afterMaxMs: 0,
    now,
    validateRecords: false,
    internal: true,
  });
  if (!r.ok) throw new KafkaError(r.errorCode, `append to ${partition} as follower: ${r.message}`);
  const out: FollowerBatch[] = [];
  let next = logEndOffset;
  for (let i = 0; i < scanState.count; i++) {
    const position = scanState.position[i]!;
    const baseOffset = readInt64(records, position);
    const lastOffset = baseOffset + scanState.lastOffsetDelta[i]!;
    if (baseOffset < next || lastOffset < baseOffset) {
      throw new KafkaError(
        i === 0 ? ErrorCode.OFFSET_OUT_OF_RANGE : ErrorCode.INVALID_RECORD,
        i === 0
          ? `append to ${partition} as follower: first offset ${baseOffset} is below the log end offset ${logEndOffset}`
          : `append to ${partition} as follower: out of order offsets (batch ${i} starts at ${baseOffset}, after ${next - 1})`,
      );
    }
    out.push({
      position,
      size: scanState.size[i]!,
      baseOffset,
      lastOffset,
      maxTimestamp: scanState.maxTimestamp[i]!,
      leaderEpoch: records.readInt32BE(position + PARTITION_LEADER_EPOCH_OFFSET),
    });
    next = lastOffset + 1;
  }
  return out;
}
