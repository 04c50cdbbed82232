// DescribeProducers (key 61), v0 (KIP-664): the active producers of each requested partition, as
// Kafka's KafkaApis.handleDescribeProducersRequest / Partition.activeProducerState report them
// from the partition's producer state (src/storage/producer-state.ts). A partition the metadata does
// not know gets UNKNOWN_TOPIC_OR_PARTITION (with Kafka's default message); one with no local log
// NOT_LEADER_OR_FOLLOWER.
import { DescribeProducersRequest } from '../protocol/generated/describe-producers-request.js';
import { DescribeProducersResponse, type PartitionResponse } from '../protocol/generated/describe-producers-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, errorInfo } from '../errors.js';
import { defineHandler } from './types.js';

const partitionError = (partitionIndex: number, errorCode: number): Input<PartitionResponse> => ({
  partitionIndex,
  errorCode,
  errorMessage: errorInfo(errorCode).message,
  activeProducers: [],
});

export const describeProducersHandler = defineHandler({
  request: DescribeProducersRequest,
  response: DescribeProducersResponse,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const broker = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((p): Input<PartitionResponse> => {
          if (!broker.metadata.topic(t.name)?.partitions[p]) return partitionError(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          const log = broker.logManager.get(t.name, p);
          if (!log) return partitionError(p, ErrorCode.NOT_LEADER_OR_FOLLOWER);
          return {
            partitionIndex: p,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: [...log.producers.producers.values()].map((e) => ({
              producerId: e.producerId,
              producerEpoch: e.epoch,
              // Kafka's ProducerStateEntry.lastSeq: NO_SEQUENCE (-1) with no batch retained.
              lastSequence: e.batches.length > 0 ? e.batches[e.batches.length - 1]!.lastSeq : -1,
              lastTimestamp: e.lastTimestamp,
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: e.currentTxnFirstOffset,
            })),
          };
        }),
      })),
    };
  },
  errorResponse(req, errorCode) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => partitionError(p, errorCode)) })) };
  },
});
