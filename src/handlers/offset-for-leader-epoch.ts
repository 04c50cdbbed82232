// OffsetForLeaderEpoch (key 23), v0-v4: for each partition, the largest leader epoch <= the
// requested one and the offset where that epoch ends (KIP-101, KIP-279); consumers use it after a
// leader change to detect log truncation (KIP-320), followers to find where to truncate.
// As Kafka (ReplicaManager.lastOffsetForLeaderEpoch, Partition.lastOffsetForLeaderEpoch):
// - currentLeaderEpoch (v2+, -1 = not checked) must match the partition's leader epoch: older is
//   FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH;
// - an epoch the log cannot place answers NONE with leaderEpoch -1, endOffset -1; the current
//   leader epoch is always known (Kafka enters it when the replica becomes leader), so on an
//   empty partition it ends at the log end;
// - replicaId (v3+: a follower's broker id, -1 from a consumer, -2 from older clients and tools):
//   in a cluster only the leader answers (Kafka's fetchOnlyFromLeader) except to -2; a replica id
//   that is not a live broker holding a replica of the partition is refused and logged. On a
//   single broker, which leads every partition, it does not change the answer.
import { OffsetForLeaderEpochRequest } from '../protocol/generated/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse, type OffsetForLeaderTopicResult, type EpochEndOffset } from '../protocol/generated/offset-for-leader-epoch-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import { defineHandler } from './types.js';

// Kafka's OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH / UNDEFINED_EPOCH_OFFSET.
const UNDEFINED_EPOCH = -1;
const UNDEFINED_EPOCH_OFFSET = -1;
const DEBUGGING_REPLICA_ID = -2;

export const offsetForLeaderEpochHandler = defineHandler({
  request: OffsetForLeaderEpochRequest,
  response: OffsetForLeaderEpochResponse,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const broker = ctx.broker;
    const topics: Input<OffsetForLeaderTopicResult>[] = [];
    for (const t of req.topics) {
      const topic = broker.metadata.topic(t.topic);
      const partitions: Input<EpochEndOffset>[] = [];
      topics.push({ topic: t.topic, partitions });
      for (const p of t.partitions) {
        const undefinedEnd = { partition: p.partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET };
        const state = topic?.partitions[p.partition];
        const log = topic && state ? broker.logManager.get(topic.name, p.partition) : undefined;
        if (!state || !log) {
          partitions.push({ ...undefinedEnd, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
          continue;
        }
        const replicas = broker.replicaManager;
        if (replicas && (req.replicaId >= 0 || (req.replicaId !== DEBUGGING_REPLICA_ID && state.leader !== broker.nodeId))) {
          const check = req.replicaId >= 0 ? replicas.checkReplica(t.topic, p.partition, req.replicaId) : null;
          if (!check?.ok) {
            if (check)
              ctx.log.warn(
                { partition: `${t.topic}-${p.partition}`, replicaId: req.replicaId, remote: ctx.client.remoteAddress, reason: check.reason },
                'OffsetForLeaderEpoch from a replica refused',
              );
            partitions.push({ ...undefinedEnd, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
            continue;
          }
        }
        // KIP-320: the asker's view of the leader epoch must match ours.
        if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch !== state.leaderEpoch) {
          partitions.push({
            ...undefinedEnd,
            errorCode: p.currentLeaderEpoch < state.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH,
          });
          continue;
        }
        const end = log.endOffsetForEpoch(p.leaderEpoch, state.leaderEpoch);
        partitions.push({ partition: p.partition, errorCode: ErrorCode.NONE, leaderEpoch: end.leaderEpoch, endOffset: end.endOffset });
      }
    }
    return { throttleTimeMs: 0, topics };
  },
  errorResponse(req, errorCode) {
    return {
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET })),
      })),
    };
  },
});
