// ListOffsets (key 2): earliest (-2), latest (-1: the high watermark, or the last stable offset
// for read_committed), max timestamp (-3, KIP-734), earliest local (-4, KIP-405: the log start
// without tiered storage), latest tiered (-5) and earliest pending upload (-6) which have no
// tiered data to name (offset -1), and lookups by timestamp through the time index.
import { ListOffsetsRequest } from '../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse, type ListOffsetsPartitionResponse } from '../protocol/generated/list-offsets-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { readBatchHeader } from '../protocol/records/header.js';
import { iterateRecords } from '../protocol/records/iterate.js';
import { CompressionType } from '../protocol/records/layout.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { runJob } from '../workers/pool.js';
import { defineHandler } from './types.js';

const LATEST = -1;
const EARLIEST = -2;
const MAX_TIMESTAMP = -3;
const EARLIEST_LOCAL = -4;
const LATEST_TIERED = -5;
const EARLIEST_PENDING_UPLOAD = -6;

interface Found {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

function epochAt(log: PartitionLog, offset: number): number {
  let e = -1;
  for (const x of log.epochs) if (x.startOffset <= offset) e = x.epoch;
  return e;
}

async function lookup(log: PartitionLog, timestamp: number, isolation: number): Promise<Found> {
  const stable = isolation === 1 ? log.lastStableOffset : log.highWatermark;
  switch (timestamp) {
    case LATEST:
      return { offset: stable, timestamp: -1, leaderEpoch: epochAt(log, stable - 1) };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1, leaderEpoch: epochAt(log, log.logStartOffset) };
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD:
      return { offset: -1, timestamp: -1, leaderEpoch: -1 };
    case MAX_TIMESTAMP: {
      let best: { ts: number; offset: number } | null = null;
      for (const s of log.segments)
        if (s.maxTimestamp >= 0 && (!best || s.maxTimestamp > best.ts)) best = { ts: s.maxTimestamp, offset: s.offsetOfMaxTimestamp };
      if (!best || best.offset < log.logStartOffset) return { offset: -1, timestamp: -1, leaderEpoch: -1 };
      // The segment remembers the batch; KIP-734 wants the record: find it inside the batch.
      const batch = await log.batchForTimestamp(best.ts);
      const at = batch ? recordAtOrAfter(await uncompressed(batch.buf), best.ts, true) : null;
      const offset = at ?? best.offset;
      return { offset, timestamp: best.ts, leaderEpoch: epochAt(log, offset) };
    }
  }
  if (timestamp < 0) return { offset: -1, timestamp: -1, leaderEpoch: -1 };
  const batch = await log.batchForTimestamp(timestamp);
  if (!batch) return { offset: -1, timestamp: -1, leaderEpoch: -1 };
  // The first record with timestamp >= the target, looking inside the batch (compressed ones
  // are decompressed, as Kafka's FileRecords.searchForTimestamp does).
  const plain = await uncompressed(batch.buf);
  const h = readBatchHeader(plain, 0);
  let offset = Math.max(h.baseOffset, log.logStartOffset);
  let ts = h.maxTimestamp;
  // LogAppendTime: every record carries the batch's append time, so the first one qualifies.
  if ((h.attributes & 0x08) !== 0) return { offset, timestamp: ts, leaderEpoch: epochAt(log, offset) };
  iterateRecords(plain, 0, (o, t) => {
    if (t >= timestamp && o >= log.logStartOffset) {
      offset = o;
      ts = t;
      return false;
    }
    return true;
  });
  return { offset, timestamp: ts, leaderEpoch: epochAt(log, offset) };
}

async function uncompressed(buf: Buffer): Promise<Buffer> {
  const h = readBatchHeader(buf, 0);
  return h.compression === CompressionType.None ? buf : runJob('decompressBatch', { buf, position: 0 });
}

// Offset of the first record in an uncompressed batch with timestamp >= (or ==) `ts`.
function recordAtOrAfter(buf: Buffer, ts: number, exact: boolean): number | null {
  const h = readBatchHeader(buf, 0);
  if ((h.attributes & 0x08) !== 0) return null; // LogAppendTime: every record has the batch's time
  let found: number | null = null;
  iterateRecords(buf, 0, (o, t) => {
    if (exact ? t === ts : t >= ts) {
      found = o;
      return false;
    }
    return true;
  });
  return found;
}

// Kafka's ListOffsetsRequest.DEBUGGING_REPLICA_ID.
const DEBUGGING_REPLICA_ID = -2;

export const listOffsetsHandler = defineHandler({
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
  minVersion: 0,
  maxVersion: 11,
  async handle(req, ctx) {
    const v = ctx.apiVersion;
    const topics = [];
    for (const t of req.topics) {
      const topic = ctx.broker.metadata.topic(t.name);
      const partitions: Input<ListOffsetsPartitionResponse>[] = [];
      for (const p of t.partitions) {
        const base = { partitionIndex: p.partitionIndex, timestamp: -1, offset: -1, leaderEpoch: -1 };
        const log = topic ? ctx.broker.logManager.get(topic.name, p.partitionIndex) : undefined;
        const state = topic?.partitions[p.partitionIndex];
        if (!log || !state) {
          partitions.push({ ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
          continue;
        }
        // In a cluster only the leader answers consumers (Kafka's fetchOnlyFromLeader; the
        // debugging replica id -2 may ask any replica).
        if (ctx.broker.replicaManager && req.replicaId !== DEBUGGING_REPLICA_ID && state.leader !== ctx.broker.nodeId) {
          partitions.push({ ...base, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
          continue;
        }
        if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== state.leaderEpoch) {
          partitions.push({ ...base, errorCode: p.currentLeaderEpoch < state.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH });
          continue;
        }
        if (
          (p.timestamp === MAX_TIMESTAMP && v < 7) ||
          (p.timestamp === EARLIEST_LOCAL && v < 8) ||
          (p.timestamp === LATEST_TIERED && v < 9) ||
          (p.timestamp === EARLIEST_PENDING_UPLOAD && v < 11)
        ) {
          partitions.push({ ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION });
          continue;
        }
        const found = await lookup(log, p.timestamp, req.isolationLevel);
        if (v === 0) {
          partitions.push({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: found.offset >= 0 ? [found.offset] : [] });
        } else {
          partitions.push({
            partitionIndex: p.partitionIndex,
            errorCode: ErrorCode.NONE,
            timestamp: found.timestamp,
            offset: found.offset,
            leaderEpoch: v >= 4 ? found.leaderEpoch : -1,
          });
        }
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })) };
  },
});
