// The internal compacted topic `__transaction_state`: the transaction coordinator's state, one
// record per transactional id in partition abs(transactionalId.hashCode()) %
// transaction.state.log.num.partitions. Records use Kafka's TransactionLogKey (version 0:
// transactionalId string) and TransactionLogValue (version 0: producerId int64, producerEpoch
// int16, transactionTimeoutMs int32, transactionStatus int8, transactionPartitions nullable
// [topic string, partitionIds [int32]], transactionLastUpdateTimestampMs int64,
// transactionStartTimestampMs int64). A null value is a tombstone. Read back whole at start-up.
import type { Broker } from '../broker/broker.js';
import { buildBatch, iterateRecords, readBatchHeader, stampBatch } from '../storage/record-batch.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { InternalTopic } from '../cluster/internal-topic.js';

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

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const h = Buffer.alloc(2);
  h.writeInt16BE(b.length, 0);
  return Buffer.concat([h, b]);
}

export function encodeTxnKey(transactionalId: string): Buffer {
  const v = Buffer.alloc(2);
  v.writeInt16BE(0, 0);
  return Buffer.concat([v, str(transactionalId)]);
}

export function decodeTxnKey(b: Buffer): string | null {
  if (b.length < 4 || b.readInt16BE(0) !== 0) return null;
  const n = b.readInt16BE(2);
  return b.toString('utf8', 4, 4 + n);
}

export function encodeTxnValue(v: TxnLogValue): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(2 + 8 + 2 + 4 + 1);
  head.writeInt16BE(0, 0);
  head.writeBigInt64BE(BigInt(v.producerId), 2);
  head.writeInt16BE(v.producerEpoch, 10);
  head.writeInt32BE(v.timeoutMs, 12);
  head.writeInt8(v.state, 16);
  parts.push(head);
  const byTopic = new Map<string, number[]>();
  for (const p of v.partitions) {
    let l = byTopic.get(p.topic);
    if (!l) byTopic.set(p.topic, (l = []));
    l.push(p.partition);
  }
  const count = Buffer.alloc(4);
  // Kafka writes a null partition list for an Empty transaction.
  count.writeInt32BE(v.state === TxnState.Empty ? -1 : byTopic.size, 0);
  parts.push(count);
  if (v.state !== TxnState.Empty) {
    for (const [topic, ps] of byTopic) {
      const arr = Buffer.alloc(4 + 4 * ps.length);
      arr.writeInt32BE(ps.length, 0);
      ps.forEach((p, i) => arr.writeInt32BE(p, 4 + 4 * i));
      parts.push(str(topic), arr);
    }
  }
  const tail = Buffer.alloc(16);
  tail.writeBigInt64BE(BigInt(v.lastUpdateMs), 0);
  tail.writeBigInt64BE(BigInt(v.startMs), 8);
  parts.push(tail);
  return Buffer.concat(parts);
}

export function decodeTxnValue(b: Buffer): TxnLogValue | null {
  if (b.length < 17 || b.readInt16BE(0) !== 0) return null;
  let p = 17;
  const partitions: Array<{ topic: string; partition: number }> = [];
  const n = b.readInt32BE(p);
  p += 4;
  for (let i = 0; i < n; i++) {
    const len = b.readInt16BE(p);
    const topic = b.toString('utf8', p + 2, p + 2 + len);
    p += 2 + len;
    const m = b.readInt32BE(p);
    p += 4;
    for (let j = 0; j < m; j++, p += 4) partitions.push({ topic, partition: b.readInt32BE(p) });
  }
  return {
    producerId: Number(b.readBigInt64BE(2)),
    producerEpoch: b.readInt16BE(10),
    timeoutMs: b.readInt32BE(12),
    state: b.readInt8(16) as TxnStateId,
    partitions,
    lastUpdateMs: Number(b.readBigInt64BE(p)),
    startMs: Number(b.readBigInt64BE(p + 8)),
  };
}

export class TxnStateLog extends InternalTopic {
  constructor(broker: Broker) {
    super(broker, {
      name: TRANSACTION_STATE_TOPIC,
      partitionsConfig: 'transaction.state.log.num.partitions',
      replicationConfig: 'transaction.state.log.replication.factor',
      segmentBytesConfig: 'transaction.state.log.segment.bytes',
      compressionType: 'uncompressed',
      description: 'transaction state',
    });
  }

  // Appends one record and resolves when it is durable; throws KafkaError otherwise.
  async write(transactionalId: string, value: TxnLogValue | null): Promise<void> {
    const topic = this.ensure();
    const partition = this.partitionFor(transactionalId);
    const state = topic.partitions[partition];
    const log = this.broker.logManager.get(TRANSACTION_STATE_TOPIC, partition);
    if (!state || !log) throw new KafkaError(ErrorCode.COORDINATOR_NOT_AVAILABLE, `${TRANSACTION_STATE_TOPIC}-${partition} is not available`);
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

  // The latest value of every transactional id (tombstones remove it).
  async load(): Promise<Map<string, TxnLogValue>> {
    const out = new Map<string, TxnLogValue>();
    const topic = this.topic;
    if (!topic) return out;
    for (const p of topic.partitions) {
      const log = this.broker.logManager.get(TRANSACTION_STATE_TOPIC, p.partition);
      if (!log) continue;
      let offset = log.logStartOffset;
      while (offset < log.highWatermark) {
        const chunk = await log.read(offset, 4 * 1024 * 1024, true);
        if (chunk.buffers.length === 0 || chunk.nextOffset <= offset) break;
        for (const buf of chunk.buffers) {
          if (readBatchHeader(buf, 0).isControl) continue;
          iterateRecords(buf, 0, (recordOffset, _ts, key, value) => {
            if (recordOffset < offset || key === null) return;
            const id = decodeTxnKey(Buffer.from(key));
            if (id === null) return;
            const v = value === null ? null : decodeTxnValue(Buffer.from(value));
            if (v === null) out.delete(id);
            else out.set(id, v);
          });
        }
        offset = chunk.nextOffset;
      }
    }
    return out;
  }
}
