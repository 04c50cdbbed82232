// WriteTxnMarkers (key 27), v1-2 (Kafka 4 serves no v0): the inter-broker API a transaction
// coordinator uses to have the leader of each partition append a COMMIT or ABORT marker
// (Kafka's KafkaApis.handleWriteTxnMarkersRequest). Only a live broker of this cluster may send
// it: any other connection gets CLUSTER_AUTHORIZATION_FAILED for everything it named, and a log
// line (src/cluster/inter-broker.ts says how brokers are recognised). Per partition: unknown ->
// UNKNOWN_TOPIC_OR_PARTITION, led by another broker -> NOT_LEADER_OR_FOLLOWER, else the marker is
// appended here (TransactionCoordinator.writeMarkerLocally, which also completes the pending
// transactional offsets of a __consumer_offsets partition) and answered once durable.
import { WriteTxnMarkersRequest, type WritableTxnMarker } from '../protocol/generated/write-txn-markers-request.js';
import { WriteTxnMarkersResponse, type WritableTxnMarkerResult } from '../protocol/generated/write-txn-markers-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { liveBrokerOf } from '../cluster/inter-broker.js';
import { defineHandler } from './types.js';

function allFailed(markers: readonly WritableTxnMarker[], errorCode: number): Input<WritableTxnMarkerResult>[] {
  return markers.map((m) => ({
    producerId: m.producerId,
    topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
  }));
}

export const writeTxnMarkersHandler = defineHandler({
  request: WriteTxnMarkersRequest,
  response: WriteTxnMarkersResponse,
  minVersion: 1,
  maxVersion: 2,
  async handle(req, ctx) {
    const broker = ctx.broker;
    if (liveBrokerOf(ctx.clientId, broker.metadata.quorum) === null) {
      ctx.log.warn(
        { clientId: ctx.clientId, remote: `${ctx.client.remoteAddress}:${ctx.client.remotePort}` },
        'refused WriteTxnMarkers from a connection that is not a live broker of this cluster',
      );
      return { markers: allFailed(req.markers, ErrorCode.CLUSTER_AUTHORIZATION_FAILED) };
    }
    const txn = broker.txnCoordinator;
    const markers = await Promise.all(
      req.markers.map(async (m): Promise<Input<WritableTxnMarkerResult>> => {
        const marker = { producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch };
        const topics = await Promise.all(
          m.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitionIndexes.map(async (partitionIndex) => {
                if (!broker.metadata.topic(t.name)?.partitions[partitionIndex]) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
                try {
                  await txn.writeMarkerLocally(t.name, partitionIndex, marker);
                  return { partitionIndex, errorCode: ErrorCode.NONE };
                } catch (err) {
                  return { partitionIndex, errorCode: err instanceof KafkaError ? err.code : ErrorCode.KAFKA_STORAGE_ERROR };
                }
              }),
            ),
          })),
        );
        return { producerId: m.producerId, topics };
      }),
    );
    return { markers };
  },
  errorResponse(req, errorCode) {
    return { markers: allFailed(req.markers, errorCode) };
  },
});
