// Produce (key 0), v3-v13: resolves each partition, hands its batch to the partition log
// (PartitionLog.appendAsLeader owns every rule of a leader append: validation, recompression,
// idempotence, transactions, stamping; storage/leader-append.ts) and maps the results to the
// response. Appends run in request order: the next request on the connection starts after this
// one's appends (ctx.release), while these wait for their writes. acks=0 sends nothing back;
// acks=1 answers once the leader's write reached the file, acks=all once the high watermark
// passed it (on a single broker the same moment; in a cluster the whole ISR has it). Per-partition
// errors do not fail the other partitions.
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { ProduceResponse, type TopicProduceResponse, type PartitionProduceResponse } from '../protocol/generated/produce-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { defineHandler } from './types.js';
import { currentLeaderOf, LeaderEndpoints } from './leader-hint.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { PartitionState } from '../cluster/topic.js';

export const produceHandler = defineHandler({
  request: ProduceRequest,
  response: ProduceResponse,
  minVersion: 3,
  maxVersion: 13,
  // KAFKA-18659: Kafka 4 still lists Produce v0-v2 in ApiVersions (and rejects them), because
  // librdkafka only compresses when the broker's Produce range includes v0. Without this, kcat
  // and confluent-kafka silently stop compressing with gzip, snappy and lz4.
  advertisedMinVersion: 0,
  async handle(req, ctx) {
    const acks = req.acks;
    const useIds = ctx.apiVersion >= 13;
    const broker = ctx.broker;
    const now = Date.now();
    const waits: Promise<void>[] = [];
    const topics: Input<TopicProduceResponse>[] = [];
    // KIP-890 in a cluster: a transaction coordinated by another broker is asked first (only for
    // partitions its producer has no transaction open on; null, no await, in every other case).
    const verifying = broker.txnCoordinator.verifyBeforeProduce(req, useIds);
    if (verifying) await verifying;
    const leaders = new LeaderEndpoints();
    const replicated = broker.replicaManager !== null;
    for (const td of req.topicData) {
      const topic = useIds ? broker.metadata.topicById(td.topicId) : broker.metadata.topic(td.name);
      const partitions: Input<PartitionProduceResponse>[] = [];
      topics.push({ name: useIds ? '' : td.name, topicId: useIds ? td.topicId : ZERO_UUID, partitionResponses: partitions });
      for (const pd of td.partitionData) {
        const res: Input<PartitionProduceResponse> = {
          index: pd.index,
          errorCode: ErrorCode.NONE,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
          errorMessage: null,
        };
        partitions.push(res);
        const state = topic?.partitions[pd.index];
        const log = topic ? broker.logManager.get(topic.name, pd.index) : undefined;
        if (acks !== 0 && acks !== 1 && acks !== -1) res.errorCode = ErrorCode.INVALID_REQUIRED_ACKS;
        else if (!topic) res.errorCode = useIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        else if (!state) res.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        // A follower (or no replica) here: the client refreshes its metadata and goes to the leader.
        else if (state.leader !== broker.nodeId) {
          res.errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
          // KIP-951: where the leader went.
          if (ctx.apiVersion >= 10) {
            res.currentLeader = currentLeaderOf(state);
            leaders.add(state.leader);
          }
        } else if (topic.internal) res.errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION;
        else if (!log) res.errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (res.errorCode !== ErrorCode.NONE || !topic || !state || !log) {
          res.errorMessage =
            res.errorCode === ErrorCode.INVALID_REQUIRED_ACKS
              ? `acks must be 0, 1 or -1 (all), got ${acks}`
              : res.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION
                ? `Cannot append to internal topic ${topic!.name}`
                : null;
          continue;
        }
        // Synchronous for an uncompressed batch (no await on the hot path); a promise when a
        // large compressed batch is validated or recompressed on the pool.
        let r = log.appendAsLeader(Buffer.isBuffer(pd.records) ? pd.records : null, {
          leaderEpoch: state.leaderEpoch,
          apiVersion: ctx.apiVersion,
          requiredAcks: acks,
          inSyncReplicas: state.isr.length,
          now,
          txnVerifier: broker.txnCoordinator,
        });
        if (r instanceof Promise) r = await r;
        if (r.errorCode !== ErrorCode.NONE) {
          res.errorCode = r.errorCode;
          res.errorMessage = r.errorMessage;
          if (r.recordErrors !== null) res.recordErrors = r.recordErrors.map((e) => ({ batchIndex: e.index, batchIndexErrorMessage: e.message }));
          ctx.log.debug({ partition: log.name, clientId: ctx.clientId, error: r.errorMessage }, 'produce rejected');
          continue;
        }
        res.baseOffset = r.baseOffset;
        res.logStartOffset = r.logStartOffset;
        res.logAppendTimeMs = r.logAppendTimeMs;
        if (acks === 0) continue;
        const duplicate = r.duplicate;
        const failed = (err: unknown) => {
          const e = err instanceof KafkaError ? err : new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, String(err));
          res.errorCode = e.code;
          // A retried batch keeps its original offset (as before issue 12); a new one has none.
          res.errorMessage = duplicate ? null : e.message;
          if (!duplicate) res.baseOffset = -1;
        };
        // A single broker: one promise, as before replication (the hot path).
        if (!replicated) {
          waits.push(log.waitDurable(r.lastOffset).catch(failed));
          continue;
        }
        waits.push(
          waitForAcks(log, state, r.lastOffset, acks, req.timeoutMs).then((code) => {
            // Kafka's DelayedProduce: the ISR shrank below min.insync.replicas while waiting.
            if (code !== ErrorCode.NONE) {
              res.errorCode = code;
              res.errorMessage =
                code === ErrorCode.REQUEST_TIMED_OUT
                  ? `the in-sync replicas did not all have the records within ${req.timeoutMs} ms`
                  : `the ISR of ${log.name} shrank below min.insync.replicas=${log.config.minInsyncReplicas} after the append`;
            }
          }, failed),
        );
      }
    }
    // Every append of this request is done and ordered: the next request may start while these
    // wait for their writes.
    ctx.release();
    if (acks === 0) return null;
    await Promise.all(waits);
    return { responses: topics, throttleTimeMs: 0, nodeEndpoints: leaders.endpoints(ctx) };
  },
  errorResponse(req, errorCode) {
    return {
      responses: req.topicData.map((t) => ({
        name: t.name,
        topicId: t.topicId,
        partitionResponses: t.partitionData.map((p) => ({ index: p.index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 })),
      })),
    };
  },
});

// A replicated leader's acks: acks=1 waits for its own write; acks=all for the high watermark
// (the whole ISR, Kafka's DelayedProduce), then checks min.insync.replicas, and gives up after
// the request's timeout.
function waitForAcks(log: PartitionLog, state: PartitionState, lastOffset: number, acks: number, timeoutMs: number): Promise<number> {
  if (acks === 1) return log.waitWritten(lastOffset).then(() => ErrorCode.NONE);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(ErrorCode.REQUEST_TIMED_OUT), Math.max(0, timeoutMs))));
  const reached = log
    .waitDurable(lastOffset)
    .then(() => (state.isr.length < log.config.minInsyncReplicas ? ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND : ErrorCode.NONE));
  return Promise.race([reached, timedOut]).finally(() => clearTimeout(timer));
}
