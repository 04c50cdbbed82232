// PartitionLog.appendAsLeader: every rule of a client (Produce) append, in Kafka's order
// (ReplicaManager.appendToLocalLog -> UnifiedLog.appendAsLeader -> LogValidator), with one result
// type: nothing here throws a KafkaError to the caller or returns a bare code.
//   1. exactly one batch, min.insync.replicas for acks=all (Partition.appendRecordsToLeader);
//   2. the scan (accel): magic 2, lengths, record count, CRC32C, max.message.bytes, timestamps;
//   3. zstd needs Produce v7+ (KIP-110);
//   4. beyond the scan (leader-validation.ts): a compressed batch's records, keys on compacted
//      topics with KIP-467 record errors, the header maxTimestamp taken from the records;
//   5. recompression for compression.type, LogAppendTime stamping;
//   6. producer sequence checks and duplicates (KIP-98), transaction verification (KIP-890);
//   7. the append itself, offsets and leader epoch stamped in place.
// Steps 6-7 run in one synchronous stretch after the last await, so the producer state checked
// is the one appended to. An uncompressed batch on a non-compacted topic (the hot path) has no
// await at all: the result is returned directly, not as a promise.
import { ErrorCode, KafkaError } from '../errors.js';
import { ATTRIBUTES_OFFSET, COMPRESSION_MASK, CompressionType, TRANSACTIONAL_MASK } from '../protocol/records/layout.js';
import { type RecordError, type ScanOptions } from '../accel/batch-scan.js';
import {
  leaderRules,
  mayHaveKeyErrors,
  needsValidation,
  validateBeyondScanSync,
  setMaxTimestamp,
  validateBeyondScan,
  validateUncompressed,
  type RecordsVerdict,
} from './leader-validation.js';
import { accel } from '../accel/index.js';
import { runJob } from '../workers/pool.js';
import type { TargetCodec } from '../compression/batch-codec.js';
import { lastSequenceOf } from './producer-state.js';
import type { PartitionLog } from './partition-log.js';

/**
 * Transaction verification (KIP-890 part 1), given to the log so that storage does not import
 * the transaction coordinator: NONE, or the error for a transactional batch of `producerId`.
 */
export interface TxnVerifier {
  verifyProduce(producerId: number, producerEpoch: number, topic: string, partition: number): number;
}

export interface LeaderAppendContext {
  /** The partition's current leader epoch, stamped into the batch. */
  leaderEpoch: number;
  /** The Produce request's version: zstd needs v7+ (KIP-110). */
  apiVersion: number;
  /** The request's acks: -1 (all) checks min.insync.replicas against `inSyncReplicas`. */
  requiredAcks: number;
  inSyncReplicas: number;
  now: number;
  txnVerifier: TxnVerifier;
}

/** The outcome of a leader append; `errorCode` NONE (0) or Kafka's error for the partition. */
export interface LeaderAppendResult {
  errorCode: number;
  errorMessage: string | null;
  /** KIP-467: the rejected records, by index within the batch (Produce v8+). */
  recordErrors: readonly RecordError[] | null;
  /** -1 on error. A duplicate (a producer's retry) gets its original offsets. */
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
  /** The time stamped into the batch with LogAppendTime, else -1. */
  logAppendTimeMs: number;
  duplicate: boolean;
}

/** What the append needs of the scanned batch, copied out of the scan state. */
interface ProducedBatch {
  size: number;
  lastOffsetDelta: number;
  attributes: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

// The scan writes into typed arrays (the native backend fills them in one call). This one is
// filled and read within scanProduced, a synchronous function, and never read after it returns,
// so appends that interleave across awaits cannot see each other's results.
const scanState = accel.createBatchScan(1);

type ScanOutcome = { ok: true; batch: ProducedBatch } | { ok: false; errorCode: number; message: string; recordErrors: RecordError[] | null };

function scanProduced(records: Buffer, options: ScanOptions): ScanOutcome {
  const r = accel.scanBatches(records, scanState, options);
  if (!r.ok)
    return { ok: false, errorCode: r.errorCode, message: r.message, recordErrors: r.recordErrors && r.recordErrors.length > 0 ? r.recordErrors : null };
  const s = scanState;
  return {
    ok: true,
    batch: {
      size: s.size[0]!,
      lastOffsetDelta: s.lastOffsetDelta[0]!,
      attributes: s.attributes[0]!,
      maxTimestamp: s.maxTimestamp[0]!,
      producerId: s.producerId[0]!,
      producerEpoch: s.producerEpoch[0]!,
      baseSequence: s.baseSequence[0]!,
    },
  };
}

function failed(errorCode: number, errorMessage: string | null, recordErrors: readonly RecordError[] | null = null): LeaderAppendResult {
  return { errorCode, errorMessage, recordErrors, baseOffset: -1, lastOffset: -1, logStartOffset: -1, logAppendTimeMs: -1, duplicate: false };
}

function fromError(err: unknown): LeaderAppendResult {
  if (!(err instanceof KafkaError)) throw err;
  return failed(err.code, err.message);
}

const codecOf = (records: Buffer) => records[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK;

export function appendAsLeader(log: PartitionLog, records: Buffer | null, ctx: LeaderAppendContext): LeaderAppendResult | Promise<LeaderAppendResult> {
  if (records === null || !Buffer.isBuffer(records) || records.length === 0) {
    return failed(ErrorCode.INVALID_RECORD, 'Produce requests with version 3 are only allowed to contain exactly one record batch');
  }
  const cfg = log.config;
  if (ctx.requiredAcks === -1 && cfg.minInsyncReplicas > ctx.inSyncReplicas) {
    return failed(
      ErrorCode.NOT_ENOUGH_REPLICAS,
      `The size of the current ISR ${ctx.inSyncReplicas} is insufficient to satisfy the min.isr requirement of ${cfg.minInsyncReplicas} for partition ${log.name}`,
    );
  }
  const now = ctx.now;
  const options: ScanOptions = {
    maxMessageBytes: cfg.maxMessageBytes,
    verifyCrc: true,
    timestampType: cfg.timestampType,
    beforeMaxMs: cfg.timestampBeforeMaxMs,
    afterMaxMs: cfg.timestampAfterMaxMs,
    now,
    validateRecords: true,
    singleBatch: true,
  };
  const scan = scanProduced(records, options);
  if (scan.ok && ctx.apiVersion < 7 && (scan.batch.attributes & COMPRESSION_MASK) === CompressionType.Zstd) {
    return failed(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'Produce requests with ZStandard compressed data need version 7 or above');
  }
  const rules = leaderRules(log.name, cfg, now);
  let verdict: RecordsVerdict | null = null;
  if (scan.ok && needsValidation(records, 0, rules)) {
    try {
      verdict = validateBeyondScanSync(records, 0, rules) ?? null;
    } catch (err) {
      return fromError(err);
    }
    // A large compressed batch is decompressed on the pool: the rest of the append follows it.
    if (verdict === null) return validateBeyondScan(records, 0, rules).then((v) => afterValidation(log, records, ctx, options, scan, v), fromError);
  } else if (!scan.ok && mayHaveKeyErrors(scan.errorCode, rules) && codecOf(records) === 0) {
    // Kafka reports keyless records together with bad timestamps.
    verdict = validateUncompressed(records, 0, rules);
  }
  return afterValidation(log, records, ctx, options, scan, verdict);
}

function afterValidation(
  log: PartitionLog,
  records: Buffer,
  ctx: LeaderAppendContext,
  options: ScanOptions,
  scan: ScanOutcome,
  verdict: RecordsVerdict | null,
): LeaderAppendResult | Promise<LeaderAppendResult> {
  if (verdict !== null && !verdict.ok) return failed(verdict.errorCode, verdict.message, verdict.recordErrors.length > 0 ? verdict.recordErrors : null);
  if (!scan.ok) {
    // KIP-467: name the rejected records; the partition message is Kafka's summary.
    if (scan.recordErrors !== null) return failed(scan.errorCode, 'One or more records have been rejected due to invalid timestamp', scan.recordErrors);
    return failed(scan.errorCode, scan.message);
  }
  const cfg = log.config;
  const sourceCodec = codecOf(records);
  // compression.type other than `producer`: the batch is stored with the topic's codec, rebuilt
  // on the pool when large (Kafka's LogValidator recompresses the same way). A compressed batch
  // whose inner offsets are not 0..n-1 is rebuilt in its own codec, as Kafka rebuilds it (old
  // clients wrote them wrong).
  const target: TargetCodec | null =
    cfg.compressionCodec !== null && cfg.compressionCodec !== sourceCodec
      ? cfg.compressionCodec
      : verdict !== null && !verdict.consecutive && sourceCodec !== 0
        ? (sourceCodec as TargetCodec)
        : null;
  if (target !== null) {
    return runJob('recompressBatch', { buf: records, position: 0, codec: target, level: cfg.compressionLevel }).then((rebuilt) => {
      // The rebuilt batch is new bytes: scan it for its header fields and size.
      const again = scanProduced(rebuilt, options);
      if (!again.ok) return failed(again.errorCode, again.message);
      return append(log, rebuilt, again.batch, ctx);
    }, fromError);
  }
  const batch = scan.batch;
  if (cfg.timestampType === 'CreateTime') {
    // LogValidator.setMaxTimestamp: the records' largest timestamp, not the producer's header
    // (the scan reports it for uncompressed batches, the verdict for compressed).
    const maxTimestamp = verdict !== null ? verdict.maxTimestamp : batch.maxTimestamp;
    setMaxTimestamp(records, 0, maxTimestamp);
    batch.maxTimestamp = maxTimestamp;
  }
  return append(log, records, batch, ctx);
}

// Idempotence, transactions, stamping and the append: synchronous from here on.
function append(log: PartitionLog, records: Buffer, batch: ProducedBatch, ctx: LeaderAppendContext): LeaderAppendResult {
  const now = ctx.now;
  const logAppendTime = log.config.timestampType === 'LogAppendTime';
  const producerId = batch.producerId;
  const transactional = (batch.attributes & TRANSACTIONAL_MASK) !== 0;
  const firstSeq = batch.baseSequence;
  const lastSeq = lastSequenceOf(firstSeq, batch.lastOffsetDelta);
  try {
    // Idempotent producers (KIP-98): a retry of a recent batch gets its original offsets.
    if (producerId >= 0) {
      const check = log.producers.check(producerId, batch.producerEpoch, firstSeq, lastSeq);
      if (check.kind === 'duplicate') {
        log.logger.debug({ partition: log.name, producerId, firstSeq, offset: check.firstOffset }, 'duplicate batch: answered with its original offset');
        return {
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          recordErrors: null,
          baseOffset: check.firstOffset,
          lastOffset: check.lastOffset,
          logStartOffset: log.logStartOffset,
          logAppendTimeMs: -1,
          duplicate: true,
        };
      }
      // Transactions: a transactional batch must belong to the producer's ongoing transaction on
      // this partition (KIP-890 part 1 verification); a plain batch from a producer with a
      // transaction open here is INVALID_TXN_STATE (ProducerAppendInfo).
      const txnCode = transactional
        ? ctx.txnVerifier.verifyProduce(producerId, batch.producerEpoch, log.topic, log.partition)
        : log.producers.ongoingTxnFirstOffset(producerId) >= 0
          ? ErrorCode.INVALID_TXN_STATE
          : ErrorCode.NONE;
      if (txnCode !== ErrorCode.NONE) {
        return failed(
          txnCode,
          txnCode === ErrorCode.INVALID_TXN_STATE
            ? `The producer ${producerId} attempted a write to ${log.name} that is not part of its ongoing transaction`
            : null,
        );
      }
    }
    if (logAppendTime) accel.setLogAppendTime(records, 0, now);
    const maxTimestamp = logAppendTime ? now : batch.maxTimestamp;
    const info = log.append(
      records,
      [{ position: 0, size: batch.size, lastOffsetDelta: batch.lastOffsetDelta, maxTimestamp }],
      ctx.leaderEpoch,
      now,
      stampBatch,
    );
    if (producerId >= 0)
      log.producers.update(
        producerId,
        batch.producerEpoch,
        { firstSeq, lastSeq, firstOffset: info.baseOffset, lastOffset: info.lastOffset, timestamp: maxTimestamp },
        transactional,
      );
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      recordErrors: null,
      baseOffset: info.baseOffset,
      lastOffset: info.lastOffset,
      logStartOffset: info.logStartOffset,
      logAppendTimeMs: logAppendTime ? now : -1,
      duplicate: false,
    };
  } catch (err) {
    return fromError(err);
  }
}

const stampBatch = accel.stampBatch.bind(accel);
