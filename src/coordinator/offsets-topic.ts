// The internal compacted topic `__consumer_offsets`, through the same partition logs as any
// topic: each group lives in partition abs(groupId.hashCode()) % offsets.topic.num.partitions
// (Java's String.hashCode and Kafka's Utils.abs), its records are uncompressed batches built
// with buildBatch, and a write counts only once waitDurable says it is in the log. The topic is
// created on the first group operation (Kafka creates it on the first FindCoordinator), and read
// back whole at start-up: the latest record per key wins, a null value is a tombstone.
import { InternalTopic, type InternalTopicServices } from '../cluster/internal-topic.js';
import type { LogManager } from '../storage/log-manager.js';

/** An internal topic's services plus the partition logs its coordinator reads and writes. */
export interface StateTopicServices extends InternalTopicServices {
  readonly logManager: LogManager;
}
import { buildBatch, type BuildRecord } from '../protocol/records/build.js';
import { iterateRecords } from '../protocol/records/iterate.js';
import { readBatchHeader, type BatchHeader } from '../protocol/records/header.js';
import { stampBatch } from '../protocol/records/stamp.js';
import { ErrorCode, KafkaError } from '../errors.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null; // null: tombstone
}

/**
 * The transaction coordinator's side of loading `__consumer_offsets`: transactional offset
 * batches and their markers (src/txn/txn-offsets.ts, PendingTxnOffsets.replayBatch).
 */
export interface TransactionalOffsetsReplay {
  replayBatch(buf: Buffer, header: BatchHeader, partition: number, fromOffset: number): void;
}

export { javaStringHashCode, partitionForKey as partitionForGroup } from '../cluster/internal-topic.js';

/**
 * Kafka's appendGroupMetadataErrorToResponseError: storage errors become the coordinator errors
 * clients know how to retry.
 */
export function appendErrorCode(err: unknown): number {
  const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

export class OffsetsTopic extends InternalTopic<StateTopicServices> {
  constructor(
    services: StateTopicServices,
    private readonly transactions: TransactionalOffsetsReplay,
  ) {
    super(services, {
      name: OFFSETS_TOPIC,
      partitionsConfig: 'offsets.topic.num.partitions',
      replicationConfig: 'offsets.topic.replication.factor',
      segmentBytesConfig: 'offsets.topic.segment.bytes',
      compressionType: 'producer',
      description: 'offsets',
    });
  }

  /**
   * Appends the records of one group as one batch and resolves once they are durable. Throws a
   * KafkaError with the coordinator error code (appendErrorCode) on failure.
   */
  async append(groupId: string, records: readonly CoordinatorRecord[]): Promise<void> {
    if (records.length === 0) return;
    const topic = this.ensure();
    const partition = this.partitionFor(groupId);
    const state = topic.partitions[partition];
    const log = this.services.logManager.get(OFFSETS_TOPIC, partition);
    if (!state || !log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${OFFSETS_TOPIC}-${partition} is not available`);
    this.checkLeader(partition);
    const now = Date.now();
    const batch = buildBatch(records.map((r): BuildRecord => ({ key: r.key, value: r.value, timestamp: now })));
    try {
      const info = log.append(
        batch,
        [{ position: 0, size: batch.length, lastOffsetDelta: records.length - 1, maxTimestamp: now }],
        state.leaderEpoch,
        now,
        stampBatch,
      );
      await log.waitDurable(info.lastOffset);
    } catch (err) {
      throw new KafkaError(appendErrorCode(err), `could not write to ${OFFSETS_TOPIC}-${partition}: ${(err as Error).message}`);
    }
  }

  /**
   * Replays every record of every partition (start-up), or of one partition (a cluster's
   * onElection), oldest first per partition. It reads to the log end, not the high watermark, as
   * Kafka's CoordinatorLoaderImpl does: a new leader's log holds what the old leader replicated.
   */
  async load(apply: (key: Buffer, value: Buffer | null, partition: number) => void, only?: number): Promise<number> {
    const topic = this.topic;
    if (!topic) return 0;
    let count = 0;
    for (const p of topic.partitions) {
      if (only !== undefined && p.partition !== only) continue;
      const log = this.services.logManager.get(OFFSETS_TOPIC, p.partition);
      if (!log) continue;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const chunk = await log.read(offset, 4 * 1024 * 1024, true, log.logEndOffset);
        if (chunk.buffers.length === 0 || chunk.nextOffset <= offset) break;
        for (const buf of chunk.buffers) {
          const h = readBatchHeader(buf, 0);
          // Transactions: offsets wait for their marker (src/txn/txn-offsets.ts, replayBatch).
          if (h.isControl || h.isTransactional) {
            this.transactions.replayBatch(buf, h, p.partition, offset);
            continue;
          }
          iterateRecords(buf, 0, (recordOffset, _ts, key, value) => {
            if (recordOffset < offset || key === null) return;
            apply(Buffer.from(key), value === null ? null : Buffer.from(value), p.partition);
            count++;
          });
        }
        offset = chunk.nextOffset;
      }
    }
    return count;
  }
}
