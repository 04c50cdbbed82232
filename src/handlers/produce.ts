// Produce (key 0), v3-v13: each partition's batch is scanned and validated (magic 2, lengths,
// record count, CRC32C, max.message.bytes, timestamps), then checked as Kafka's LogValidator does
// (storage/leader-validation.ts: a compressed batch's records, keys on compacted topics, the
// header maxTimestamp set from the records), stamped in place inside the request frame and
// appended. Only a large compressed batch (validated on the pool) or a recompression awaits; the
// next request on the connection starts after this one's appends, so appends keep request order. acks=0 sends nothing
// back; acks=1 and acks=all answer once the write reached the file (single node: the ISR is this
// broker, so acks=all additionally checks min.insync.replicas). Per-partition errors do not fail
// the other partitions.
import { ProduceRequest } from '../protocol/generated/produce-request.js';
import { ProduceResponse, type TopicProduceResponse, type PartitionProduceResponse } from '../protocol/generated/produce-response.js';
import { ZERO_UUID, type Input } from '../protocol/primitives/index.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK, CompressionType, TRANSACTIONAL_MASK } from '../storage/record-batch.js';
import { runJob } from '../workers/pool.js';
import type { TargetCodec } from '../compression/batch-codec.js';
import { leaderRules, mayHaveKeyErrors, needsValidation, validateBeyondScanSync, setMaxTimestamp, validateBeyondScan, validateUncompressed, type RecordsVerdict } from '../storage/leader-validation.js';
import { accel } from '../accel/index.js';
import { lastSequenceOf } from '../txn/producer-state.js';
import type { AppendBatch } from '../storage/partition-log.js';
import { defineHandler } from './types.js';

const scan = accel.createBatchScan(4);
const stampBatch = accel.stampBatch.bind(accel);

function hasZstd(): boolean {
  for (let i = 0; i < scan.count; i++) if ((scan.attributes[i]! & COMPRESSION_MASK) === CompressionType.Zstd) return true;
  return false;
}

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
    const v = ctx.apiVersion;
    const acks = req.acks;
    const useIds = v >= 13;
    const broker = ctx.broker;
    const now = Date.now();
    const waits: Promise<void>[] = [];
    const topics: Input<TopicProduceResponse>[] = [];
    for (const td of req.topicData) {
      const topic = useIds ? broker.metadata.topicById(td.topicId) : broker.metadata.topic(td.name);
      const partitions: Input<PartitionProduceResponse>[] = [];
      topics.push({ name: useIds ? '' : td.name, topicId: useIds ? td.topicId : ZERO_UUID, partitionResponses: partitions });
      for (const pd of td.partitionData) {
        const res: Input<PartitionProduceResponse> = { index: pd.index, errorCode: ErrorCode.NONE, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, errorMessage: null };
        partitions.push(res);
        const fail = (code: number, message: string | null) => {
          res.errorCode = code;
          res.errorMessage = message;
        };
        if (acks !== 0 && acks !== 1 && acks !== -1) {
          fail(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be 0, 1 or -1 (all), got ${acks}`);
          continue;
        }
        if (!topic) {
          fail(useIds ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
          continue;
        }
        const state = topic.partitions[pd.index];
        const log = broker.logManager.get(topic.name, pd.index);
        if (!state || !log) {
          fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
          continue;
        }
        if (topic.internal) {
          fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic.name}`);
          continue;
        }
        let records = pd.records;
        if (records === null || !Buffer.isBuffer(records) || records.length === 0) {
          fail(ErrorCode.INVALID_RECORD, 'Produce requests with version 3 are only allowed to contain exactly one record batch');
          continue;
        }
        const cfg = log.config;
        if (acks === -1 && cfg.minInsyncReplicas > state.isr.length) {
          fail(ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR ${state.isr.length} is insufficient to satisfy the min.isr requirement of ${cfg.minInsyncReplicas} for partition ${log.name}`);
          continue;
        }
        const scanOptions = {
          maxMessageBytes: cfg.maxMessageBytes,
          verifyCrc: true,
          timestampType: cfg.timestampType,
          beforeMaxMs: cfg.timestampBeforeMaxMs,
          afterMaxMs: cfg.timestampAfterMaxMs,
          now,
          validateRecords: true,
          singleBatch: true,
        } as const;
        let result = accel.scanBatches(records, scan, scanOptions);
        // zstd needs Produce v7+ (KIP-110): older clients could not read it back.
        if (result.ok && v < 7 && hasZstd()) {
          fail(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'Produce requests with ZStandard compressed data need version 7 or above');
          continue;
        }
        // Kafka's LogValidator rules beyond the scan (storage/leader-validation.ts): a compressed
        // batch's records, keys on compacted topics, maxTimestamp taken from the records.
        const rules = leaderRules(log.name, cfg, now);
        let verdict: RecordsVerdict | null = null;
        let awaited = false; // whether `scan` may have been used by another request meanwhile
        if (result.ok && needsValidation(records, 0, rules)) {
          try {
            verdict = validateBeyondScanSync(records, 0, rules) ?? null;
            if (verdict === null) {
              verdict = await validateBeyondScan(records, 0, rules);
              awaited = true;
            }
          } catch (err) {
            if (!(err instanceof KafkaError)) throw err;
            fail(err.code, err.message);
            continue;
          }
        } else if (!result.ok && mayHaveKeyErrors(result.errorCode, rules) && (records[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK) === 0) {
          // Kafka reports keyless records together with bad timestamps.
          verdict = validateUncompressed(records, 0, rules);
        }
        if (verdict !== null && !verdict.ok) {
          fail(verdict.errorCode, verdict.message);
          if (verdict.recordErrors.length > 0) res.recordErrors = verdict.recordErrors.map((e) => ({ batchIndex: e.index, batchIndexErrorMessage: e.message }));
          ctx.log.debug({ partition: log.name, clientId: ctx.clientId, error: verdict.message }, 'produce rejected');
          continue;
        }
        if (!result.ok) {
          if (result.recordErrors && result.recordErrors.length > 0) {
            // KIP-467: name the rejected records; the partition message is Kafka's summary.
            fail(result.errorCode, 'One or more records have been rejected due to invalid timestamp');
            res.recordErrors = result.recordErrors.map((e) => ({ batchIndex: e.index, batchIndexErrorMessage: e.message }));
          } else fail(result.errorCode, result.message);
          ctx.log.debug({ partition: log.name, clientId: ctx.clientId, error: result.message }, 'produce rejected');
          continue;
        }
        const sourceCodec = records[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK;
        // compression.type other than `producer`: the batch is stored with the topic's codec,
        // rebuilt on the pool when large (Kafka's LogValidator recompresses the same way). A
        // compressed batch whose inner offsets are not 0..n-1 is rebuilt in its own codec, as
        // Kafka rebuilds it (old clients wrote them wrong).
        const target: TargetCodec | null = cfg.compressionCodec !== null && cfg.compressionCodec !== sourceCodec ? cfg.compressionCodec : verdict !== null && !verdict.consecutive && sourceCodec !== 0 ? (sourceCodec as TargetCodec) : null;
        if (target !== null) {
          try {
            records = await runJob('recompressBatch', { buf: records, position: 0, codec: target, level: cfg.compressionLevel });
          } catch (err) {
            if (!(err instanceof KafkaError)) throw err;
            fail(err.code, err.message);
            continue;
          }
        } else if (cfg.timestampType === 'CreateTime') {
          // LogValidator.setMaxTimestamp: the records' largest timestamp, not the producer's
          // header (the scan reports it for uncompressed batches, the verdict for compressed).
          const maxTimestamp = verdict !== null && verdict.ok ? verdict.maxTimestamp : scan.maxTimestamp[0]!;
          setMaxTimestamp(records, 0, maxTimestamp);
          scan.maxTimestamp[0] = maxTimestamp;
        }
        // Any await above let other requests use `scan`: scan again before using its results.
        if (awaited || target !== null) {
          result = accel.scanBatches(records, scan, scanOptions);
          if (!result.ok) {
            fail(result.errorCode, result.message);
            continue;
          }
        }
        const logAppendTime = cfg.timestampType === 'LogAppendTime';
        const batches: AppendBatch[] = [];
        for (let i = 0; i < scan.count; i++) {
          if (logAppendTime) accel.setLogAppendTime(records, scan.position[i]!, now);
          batches.push({ position: scan.position[i]!, size: scan.size[i]!, lastOffsetDelta: scan.lastOffsetDelta[i]!, maxTimestamp: logAppendTime ? now : scan.maxTimestamp[i]! });
        }
        // Idempotent producers (KIP-98): a retry of a recent batch gets its original offsets.
        const producerId = scan.producerId[0]!;
        let seq: { epoch: number; firstSeq: number; lastSeq: number } | null = null;
        if (producerId >= 0) {
          seq = { epoch: scan.producerEpoch[0]!, firstSeq: scan.baseSequence[0]!, lastSeq: lastSequenceOf(scan.baseSequence[0]!, scan.lastOffsetDelta[0]!) };
          try {
            const check = log.producers.check(producerId, seq.epoch, seq.firstSeq, seq.lastSeq);
            // Transactions: a transactional batch must belong to the producer's ongoing
            // transaction on this partition (KIP-890 part 1 verification); a plain batch from a
            // producer with a transaction open here is INVALID_TXN_STATE (ProducerAppendInfo).
            if (check.kind === 'append') {
              const txnCode = (scan.attributes[0]! & TRANSACTIONAL_MASK) !== 0
                ? broker.txnCoordinator.verifyProduce(producerId, seq.epoch, topic.name, pd.index)
                : log.producers.ongoingTxnFirstOffset(producerId) >= 0 ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
              if (txnCode !== ErrorCode.NONE) {
                fail(txnCode, txnCode === ErrorCode.INVALID_TXN_STATE ? `The producer ${producerId} attempted a write to ${log.name} that is not part of its ongoing transaction` : null);
                continue;
              }
            }
            if (check.kind === 'duplicate') {
              res.baseOffset = check.firstOffset;
              res.logStartOffset = log.logStartOffset;
              if (acks !== 0) waits.push(log.waitDurable(check.lastOffset).catch(() => fail(ErrorCode.KAFKA_STORAGE_ERROR, null)));
              ctx.log.debug({ partition: log.name, producerId, firstSeq: seq.firstSeq, offset: check.firstOffset }, 'duplicate batch: answered with its original offset');
              continue;
            }
          } catch (err) {
            if (!(err instanceof KafkaError)) throw err;
            fail(err.code, err.message);
            continue;
          }
        }
        try {
          const info = log.append(records, batches, state.leaderEpoch, now, stampBatch);
          if (seq) {
            const transactional = (scan.attributes[0]! & TRANSACTIONAL_MASK) !== 0;
            log.producers.update(producerId, seq.epoch, { firstSeq: seq.firstSeq, lastSeq: seq.lastSeq, firstOffset: info.baseOffset, lastOffset: info.lastOffset, timestamp: batches[0]!.maxTimestamp }, transactional);
          }
          res.baseOffset = info.baseOffset;
          res.logStartOffset = info.logStartOffset;
          if (logAppendTime) res.logAppendTimeMs = now;
          if (acks !== 0) {
            waits.push(
              log.waitDurable(info.lastOffset).catch((err: unknown) => {
                const e = err instanceof KafkaError ? err : new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, String(err));
                fail(e.code, e.message);
                res.baseOffset = -1;
              }),
            );
          }
        } catch (err) {
          if (!(err instanceof KafkaError)) throw err;
          fail(err.code, err.message);
        }
      }
    }
    // Every append of this request is done and ordered: the next request may start while these
    // wait for their writes.
    ctx.release();
    if (acks === 0) return null;
    await Promise.all(waits);
    return { responses: topics, throttleTimeMs: 0 };
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
