// The internal compacted topic `__transaction_state`: the transaction coordinator's state, one
// record per transactional id in partition abs(transactionalId.hashCode()) %
// transaction.state.log.num.partitions, in a plain uncompressed batch. Formats after Kafka's
// transaction-coordinator/src/main/resources/common/message/TransactionLogKey.json and
// TransactionLogValue.json, each prefixed by its int16 version:
//   TransactionLogKey v0: transactionalId string.
//   TransactionLogValue v0: producerId int64, producerEpoch int16, transactionTimeoutMs int32,
//     transactionStatus int8 (a TxnState id), transactionPartitions nullable [topic string,
//     partitionIds [int32]] (null when Empty, one entry per topic otherwise),
//     transactionLastUpdateTimestampMs int64, transactionStartTimestampMs int64.
//   TransactionLogValue v1 (flexible): the same fields with compact strings and arrays, a tagged
//     field section after each partitions entry and at the end (tags 0 PreviousProducerId,
//     1 NextProducerId, 2 ClientTransactionVersion; KIP-890).
// Kafka writes v1 only once transaction.version >= 1 is finalized; samsa finalizes no
// transaction.version, so it writes v0 as Kafka does then, and reads both. A null value is a
// tombstone (an expired transactional id). Read back whole at start-up.
import { buildBatch } from '../protocol/records/build.js';
import { iterateRecords } from '../protocol/records/iterate.js';
import { readBatchHeader } from '../protocol/records/header.js';
import { stampBatch } from '../protocol/records/stamp.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { InternalTopic } from '../cluster/internal-topic.js';
import type { StateTopicServices } from '../coordinator/offsets-topic.js';
import { Reader, Writer } from '../protocol/primitives/index.js';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

// Kafka's TransactionState ids (TransactionState.java).
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStateId = (typeof TxnState)[keyof typeof TxnState];
export const TXN_STATE_NAMES = ['Empty', 'Ongoing', 'PrepareCommit', 'PrepareAbort', 'CompleteCommit', 'CompleteAbort', 'Dead', 'PrepareEpochFence'] as const;

export interface TxnLogValue {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateId;
  partitions: Array<{ topic: string; partition: number }>;
  lastUpdateMs: number;
  startMs: number;
}

export const TXN_LOG_KEY_VERSION = 0;
// The value version samsa writes: 0, as Kafka with transaction.version 0.
export const TXN_LOG_VALUE_VERSION = 0;

export function encodeTxnKey(transactionalId: string): Buffer {
  const w = new Writer(32);
  w.int16(TXN_LOG_KEY_VERSION);
  w.string(transactionalId);
  return w.toBuffer();
}

// The transactional id, or null for a key of another version or a malformed one.
export function decodeTxnKey(b: Buffer): string | null {
  const r = new Reader(b);
  if (r.int16() !== TXN_LOG_KEY_VERSION) return null;
  const id = r.string();
  return r.error === null ? id : null;
}

// Partitions grouped by topic, in first-seen order (Kafka groups them the same way).
function byTopic(partitions: Array<{ topic: string; partition: number }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of partitions) {
    const l = out.get(p.topic);
    if (l) l.push(p.partition);
    else out.set(p.topic, [p.partition]);
  }
  return out;
}

export function encodeTxnValue(v: TxnLogValue, version: 0 | 1 = TXN_LOG_VALUE_VERSION): Buffer {
  const flexible = version >= 1;
  const w = new Writer(64);
  w.int16(version);
  w.int64(v.producerId);
  w.int16(v.producerEpoch);
  w.int32(v.timeoutMs);
  w.int8(v.state);
  // Kafka writes a null partition list for an Empty transaction.
  const topics = v.state === TxnState.Empty ? null : byTopic(v.partitions);
  if (topics === null) {
    if (flexible) w.uvarint(0);
    else w.int32(-1);
  } else {
    if (flexible) w.uvarint(topics.size + 1);
    else w.int32(topics.size);
    for (const [topic, ids] of topics) {
      if (flexible) {
        w.compactString(topic);
        w.uvarint(ids.length + 1);
      } else {
        w.string(topic);
        w.int32(ids.length);
      }
      for (const id of ids) w.int32(id);
      if (flexible) w.uvarint(0); // no tagged fields
    }
  }
  w.int64(v.lastUpdateMs);
  w.int64(v.startMs);
  // v1's tagged fields keep their defaults (-1, -1, 0), so none is written.
  if (flexible) w.uvarint(0);
  return w.toBuffer();
}

// The value, or null for an unknown version or malformed bytes.
export function decodeTxnValue(b: Buffer): TxnLogValue | null {
  const r = new Reader(b);
  const version = r.int16();
  if (version !== 0 && version !== 1) return null;
  const flexible = version >= 1;
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const timeoutMs = r.int32();
  const state = r.int8();
  const partitions: Array<{ topic: string; partition: number }> = [];
  const topics = flexible ? r.compactArrayLength() : r.arrayLength();
  for (let i = 0; i < topics && r.error === null; i++) {
    const topic = flexible ? r.compactString() : r.string();
    const n = flexible ? r.compactArrayLength() : r.arrayLength();
    for (let j = 0; j < n && r.error === null; j++) partitions.push({ topic, partition: r.int32() });
    if (flexible) r.taggedFields(null);
  }
  const lastUpdateMs = r.int64();
  const startMs = r.int64();
  if (flexible) r.taggedFields(null);
  if (r.error !== null || state < 0 || state >= TXN_STATE_NAMES.length) return null;
  // Kafka ignores the partitions of an Empty transaction.
  return { producerId, producerEpoch, timeoutMs, state: state as TxnStateId, partitions: state === TxnState.Empty ? [] : partitions, lastUpdateMs, startMs };
}

export class TxnStateLog extends InternalTopic<StateTopicServices> {
  constructor(services: StateTopicServices) {
    super(services, {
      name: TRANSACTION_STATE_TOPIC,
      partitionsConfig: 'transaction.state.log.num.partitions',
      replicationConfig: 'transaction.state.log.replication.factor',
      segmentBytesConfig: 'transaction.state.log.segment.bytes',
      minIsrConfig: 'transaction.state.log.min.isr',
      compressionType: 'uncompressed',
      description: 'transaction state',
    });
  }

  // Appends one record and resolves when it is durable; throws KafkaError otherwise.
  async write(transactionalId: string, value: TxnLogValue | null): Promise<void> {
    const topic = this.ensure();
    const partition = this.partitionFor(transactionalId);
    const state = topic.partitions[partition];
    const log = this.services.logManager.get(TRANSACTION_STATE_TOPIC, partition);
    if (!state || !log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${TRANSACTION_STATE_TOPIC}-${partition} is not available`);
    this.checkLeader(partition);
    const now = Date.now();
    const batch = buildBatch([{ key: encodeTxnKey(transactionalId), value: value === null ? null : encodeTxnValue(value), timestamp: now }]);
    try {
      const info = log.append(batch, [{ position: 0, size: batch.length, lastOffsetDelta: 0, maxTimestamp: now }], state.leaderEpoch, now, stampBatch);
      await log.waitDurable(info.lastOffset);
    } catch (err) {
      // Kafka's coordinator maps storage errors to errors the client retries on.
      throw new KafkaError(ErrorCode.NOT_COORDINATOR, `could not write to ${TRANSACTION_STATE_TOPIC}-${partition}: ${(err as Error).message}`);
    }
  }

  // The latest value of every transactional id (tombstones remove it), of every partition
  // (start-up) or of one (a cluster's onElection). Read to the log end, as the offsets topic is.
  async load(only?: number): Promise<Map<string, TxnLogValue>> {
    const out = new Map<string, TxnLogValue>();
    const topic = this.topic;
    if (!topic) return out;
    for (const p of topic.partitions) {
      if (only !== undefined && p.partition !== only) continue;
      const log = this.services.logManager.get(TRANSACTION_STATE_TOPIC, p.partition);
      if (!log) continue;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const chunk = await log.read(offset, 4 * 1024 * 1024, true, log.logEndOffset);
        if (chunk.buffers.length === 0 || chunk.nextOffset <= offset) break;
        for (const buf of chunk.buffers) {
          if (readBatchHeader(buf, 0).isControl) continue;
          iterateRecords(buf, 0, (recordOffset, _ts, key, value) => {
            if (recordOffset < offset || key === null) return;
            const id = decodeTxnKey(Buffer.from(key));
            if (id === null) return;
            if (value === null) {
              out.delete(id); // tombstone
              return;
            }
            const v = decodeTxnValue(Buffer.from(value));
            if (v === null)
              this.services.log.warn({ transactionalId: id, partition: p.partition, offset: recordOffset }, 'skipping unreadable __transaction_state record');
            else out.set(id, v);
          });
        }
        offset = chunk.nextOffset;
      }
    }
    return out;
  }
}
