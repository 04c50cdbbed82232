// AlterPartitionReassignments (key 45, KIP-455). samsa does not move replicas yet (issue 14): a
// target equal to the current replicas succeeds (nothing to do), any other valid target is
// refused; on a single broker that is exactly what a one-broker Kafka cluster answers, per
// partition, with the messages of Kafka's ReplicationControlManager.alterPartitionReassignment.
// - unknown topic or partition: UNKNOWN_TOPIC_OR_PARTITION
// - replicas null (cancel): nothing is ever in progress, so NO_REASSIGNMENT_IN_PROGRESS
// - a replica list that is empty, names a broker twice or names a broker that does not exist:
//   INVALID_REPLICA_ASSIGNMENT (validateManualPartitionAssignment, checked in broker id order)
// - the current replicas: nothing to do, success
import { AlterPartitionReassignmentsRequest, type ReassignablePartition } from '../protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../protocol/generated/alter-partition-reassignments-response.js';
import { ErrorCode, KafkaError } from '../errors.js';
import type { BrokerServices } from './services.js';
import { defineHandler } from './types.js';

function checkTarget(broker: BrokerServices, replicas: readonly number[]): void {
  const invalid = (msg: string) => new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, msg);
  if (replicas.length === 0) throw invalid('The manual partition assignment includes an empty replica list.');
  const sorted = [...replicas].sort((a, b) => a - b);
  const live = new Set(broker.metadata.brokers().map((b) => b.nodeId));
  let prev: number | null = null;
  for (const id of sorted) {
    if (!live.has(id)) throw invalid(`The manual partition assignment includes broker ${id}, but no such broker is registered.`);
    if (id === prev) throw invalid(`The manual partition assignment includes the broker ${id} more than once.`);
    prev = id;
  }
}

function reassign(broker: BrokerServices, topicName: string, target: ReassignablePartition): void {
  const topic = broker.metadata.topic(topicName);
  if (!topic) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find a topic named ${topicName}.`);
  const part = topic.partitions[target.partitionIndex];
  if (!part || part.partition !== target.partitionIndex) {
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Unable to find partition ${topicName}:${target.partitionIndex}.`);
  }
  if (target.replicas === null) throw new KafkaError(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS);
  checkTarget(broker, target.replicas);
  if (target.replicas.length !== part.replicas.length || target.replicas.some((r, i) => r !== part.replicas[i])) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `samsa cannot move replicas yet: ${topicName}:${target.partitionIndex} stays on replicas [${part.replicas.join(', ')}]`,
    );
  }
}

export const alterPartitionReassignmentsHandler = defineHandler({
  request: AlterPartitionReassignmentsRequest,
  response: AlterPartitionReassignmentsResponse,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    let ok = 0;
    let total = 0;
    const responses = req.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        total++;
        try {
          reassign(ctx.broker, t.name, p);
          ok++;
          return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err;
          return { partitionIndex: p.partitionIndex, errorCode: err.code, errorMessage: err.message };
        }
      }),
    }));
    ctx.log.info({ ok, total }, 'partition reassignments altered (replicas are not moved yet)');
    return { throttleTimeMs: 0, allowReplicationFactorChange: req.allowReplicationFactorChange, errorCode: ErrorCode.NONE, errorMessage: null, responses };
  },
  errorResponse(req, errorCode) {
    return {
      allowReplicationFactorChange: req.allowReplicationFactorChange,
      errorCode,
      errorMessage: null,
      responses: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, errorMessage: null })),
      })),
    };
  },
});
