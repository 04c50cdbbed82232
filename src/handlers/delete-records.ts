// DeleteRecords (key 21), v0-v2: moves each partition's log start offset forward to the requested
// offset (-1: the high watermark), as Kafka's Partition.deleteRecordsOnLeader does. Whole segments
// below the new start are deleted; reads below it get OFFSET_OUT_OF_RANGE from then on. The answer
// is the partition's low watermark, which on a single node is the log start offset. Kafka's rules:
// internal topics are refused (INVALID_TOPIC_EXCEPTION), a topic without cleanup.policy=delete
// gets POLICY_VIOLATION, a negative offset or one above the high watermark OFFSET_OUT_OF_RANGE.
// Each partition succeeds or fails on its own. The new start offsets are checkpointed before the
// response, so they survive a crash (Kafka checkpoints them on a timer, and may lose them).
import { DeleteRecordsRequest } from '../protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse, type DeleteRecordsTopicResult, type DeleteRecordsPartitionResult } from '../protocol/generated/delete-records-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { defineHandler } from './types.js';

// Kafka's DeleteRecordsResponse.INVALID_LOW_WATERMARK.
const INVALID_LOW_WATERMARK = -1;

export const deleteRecordsHandler = defineHandler({
  request: DeleteRecordsRequest,
  response: DeleteRecordsResponse,
  minVersion: 0,
  maxVersion: 2,
  handle(req, ctx) {
    const broker = ctx.broker;
    const now = Date.now();
    let moved = false;
    const topics: Input<DeleteRecordsTopicResult>[] = [];
    for (const t of req.topics) {
      const topic = broker.metadata.topic(t.name);
      const partitions: Input<DeleteRecordsPartitionResult>[] = [];
      topics.push({ name: t.name, partitions });
      for (const p of t.partitions) {
        const res = { partitionIndex: p.partitionIndex, lowWatermark: INVALID_LOW_WATERMARK, errorCode: ErrorCode.NONE as number };
        partitions.push(res);
        const log = topic && topic.partitions[p.partitionIndex] ? broker.logManager.get(topic.name, p.partitionIndex) : undefined;
        if (!topic || !log) {
          res.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          continue;
        }
        if (topic.internal) {
          res.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
          continue;
        }
        if (!log.config.cleanupPolicy.includes('delete')) {
          res.errorCode = ErrorCode.POLICY_VIOLATION;
          continue;
        }
        // An offset of -1 means the high watermark; other negative offsets are out of range.
        try {
          const before = log.logStartOffset;
          res.lowWatermark = log.deleteRecordsBefore(p.offset, now);
          if (res.lowWatermark !== before) {
            moved = true;
            ctx.log.info({ partition: log.name, logStartOffset: res.lowWatermark, requested: p.offset, clientId: ctx.clientId }, 'deleted records');
          }
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err;
          res.errorCode = err.code;
        }
      }
    }
    if (moved) broker.logManager.checkpointLogStartOffsets();
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return {
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: INVALID_LOW_WATERMARK, errorCode })),
      })),
    };
  },
});
