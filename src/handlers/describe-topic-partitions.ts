// DescribeTopicPartitions (key 75, KIP-966): what `kafka-topics.sh --describe` uses. Paginated
// exactly as Kafka's DescribeTopicPartitionsRequestHandler and
// KRaftMetadataCache.getTopicMetadataForDescribeTopicResponse do it:
// - an empty topic list means every topic; names are deduplicated and sorted, and only names
//   >= the cursor's topic are considered;
// - at most max(min(max.request.partition.size.limit, responsePartitionLimit), 1) partitions are
//   returned; the cursor's partition index applies to the cursor's topic only;
// - a topic cut short sets nextCursor to (topic, first partition left out); a limit reached
//   exactly at a topic's end sets nextCursor to (next topic, 0), whether that topic exists or not;
// - an unknown requested topic is UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an
//   illegal name); with "all topics" nothing is unknown;
// - a cursor topic missing from the requested list, or a negative cursor partition, fails the
//   whole request with INVALID_REQUEST (every requested topic gets it, as in Kafka).
import { DescribeTopicPartitionsRequest } from '../protocol/generated/describe-topic-partitions-request.js';
import {
  DescribeTopicPartitionsResponse,
  type Cursor,
  type DescribeTopicPartitionsResponsePartition,
  type DescribeTopicPartitionsResponseTopic,
} from '../protocol/generated/describe-topic-partitions-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { TOPIC_OPERATIONS } from '../cluster/authorized-operations.js';
import { INTERNAL_TOPICS, topicNameProblem, type PartitionState } from '../cluster/topic.js';
import type { RequestContext } from './types.js';
import { defineHandler } from './types.js';

function brokerPartitionLimit(ctx: RequestContext): number {
  return ctx.broker.config.getInt('max.request.partition.size.limit');
}

// Java's String.compareTo: UTF-16 code units, as JavaScript's relational operators compare.
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function partitionInfo(p: PartitionState, alive: Set<number>): Input<DescribeTopicPartitionsResponsePartition> {
  return {
    errorCode: ErrorCode.NONE,
    partitionIndex: p.partition,
    leaderId: alive.has(p.leader) ? p.leader : -1,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: p.replicas,
    isrNodes: p.isr,
    // samsa has no ELR (KIP-966 eligible leader replicas); Kafka sends empty lists then.
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: p.replicas.filter((r) => !alive.has(r)),
  };
}

export const describeTopicPartitionsHandler = defineHandler({
  request: DescribeTopicPartitionsRequest,
  response: DescribeTopicPartitionsResponse,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const md = ctx.broker.metadata;
    const fetchAll = req.topics.length === 0;
    const cursor = req.cursor;
    const cursorTopic = cursor?.topicName ?? '';
    const names = new Set<string>();
    for (const name of fetchAll ? md.topics().map((t) => t.name) : req.topics.map((t) => t.name)) {
      if (name >= cursorTopic) names.add(name);
    }
    if (!fetchAll && cursor && !names.has(cursor.topicName)) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `DescribeTopicPartitionsRequest topic list should contain the cursor topic: ${cursor.topicName}`);
    }
    if (cursor && cursor.partitionIndex < 0) {
      throw new KafkaError(
        ErrorCode.INVALID_REQUEST,
        `DescribeTopicPartitionsRequest cursor partition must be valid: ${cursor.topicName}-${cursor.partitionIndex}`,
      );
    }

    const alive = new Set(md.brokers().map((b) => b.nodeId));
    let remaining = Math.max(Math.min(brokerPartitionLimit(ctx), req.responsePartitionLimit), 1);
    const topics: Input<DescribeTopicPartitionsResponseTopic>[] = [];
    let nextCursor: Input<Cursor> | null = null;
    for (const name of [...names].sort(byName)) {
      if (remaining === 0) {
        // The previous topic ended exactly at the limit: resume at the start of this one.
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const t = md.topic(name);
      if (!t) {
        if (!fetchAll) {
          topics.push({
            errorCode: topicNameProblem(name) ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            name,
            topicId: ZERO_UUID,
            isInternal: INTERNAL_TOPICS.has(name),
            partitions: [],
            topicAuthorizedOperations: TOPIC_OPERATIONS,
          });
        }
        continue;
      }
      const count = t.partitions.length;
      const start = name === cursorTopic ? cursor!.partitionIndex : 0;
      const upper = Math.min(count, start + remaining);
      const partitions = t.partitions
        .filter((p) => p.partition >= start && p.partition < upper)
        .sort((a, b) => a.partition - b.partition)
        .map((p) => partitionInfo(p, alive));
      topics.push({
        errorCode: ErrorCode.NONE,
        name: t.name,
        topicId: t.id,
        isInternal: t.internal,
        partitions,
        topicAuthorizedOperations: TOPIC_OPERATIONS,
      });
      if (upper < count) {
        nextCursor = { topicName: t.name, partitionIndex: upper };
        break;
      }
      remaining -= partitions.length;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
  errorResponse(req, errorCode) {
    return {
      topics: req.topics.map((t) => ({ errorCode, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: [] })),
      nextCursor: null,
    };
  },
});
