// Per-partition producer state for idempotence (KIP-98), following Kafka's ProducerAppendInfo:
// per producer id the current epoch and the last 5 batches (sequence range and offsets).
//   - an epoch older than the current one is fenced: INVALID_PRODUCER_EPOCH;
//   - a new epoch must start at sequence 0 (unless we know nothing of the producer);
//   - within an epoch the next batch continues the sequence (lastSeq + 1, wrapping at 2^31-1);
//     a copy of one of the last 5 batches is a retry: it gets its original offsets, no append;
//   - with no state (new producer, or state lost to retention) any sequence is accepted.
// Snapshots use Kafka's `<offset>.snapshot` file format (ProducerStateManager schema v1).
import { readFileSync, writeFileSync, readdirSync, unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, KafkaError } from '../errors.js';
import { crc32c } from '../protocol/records/crc32c.js';
import { toInt64 } from '../protocol/records/int64.js';

export const MAX_BATCHES_PER_PRODUCER = 5;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  batches: BatchMetadata[]; // oldest first, at most MAX_BATCHES_PER_PRODUCER
  lastTimestamp: number;
  coordinatorEpoch: number;
  currentTxnFirstOffset: number; // -1: no transaction in progress
}

export type SequenceCheck = { kind: 'append' } | { kind: 'duplicate'; firstOffset: number; lastOffset: number };

export function lastSequenceOf(firstSeq: number, lastOffsetDelta: number): number {
  const last = firstSeq + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

export class ProducerStateManager {
  readonly producers = new Map<number, ProducerEntry>();

  constructor(readonly partitionName: string) {}

  // Validates a client batch before it is appended. Throws KafkaError with Kafka's code.
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const e = this.producers.get(producerId);
    if (!e) return { kind: 'append' };
    if (epoch < e.epoch) {
      throw new KafkaError(
        ErrorCode.INVALID_PRODUCER_EPOCH,
        `Epoch of producer ${producerId} in ${this.partitionName} is ${epoch}, which is smaller than the last seen epoch ${e.epoch}`,
      );
    }
    if (epoch !== e.epoch) {
      if (firstSeq !== 0) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `Invalid sequence number for new epoch of producer ${producerId} in partition ${this.partitionName}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${e.epoch} (current producer epoch)`,
        );
      }
      return { kind: 'append' };
    }
    const dup = e.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    const last = e.batches[e.batches.length - 1];
    if (last && !inSequence(last.lastSeq, firstSeq)) {
      throw new KafkaError(
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Out of order sequence number for producer ${producerId} in partition ${this.partitionName}: ${firstSeq} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      );
    }
    return { kind: 'append' };
  }

  // Records an appended batch (after check, or while replaying the log at start-up).
  update(producerId: number, epoch: number, b: BatchMetadata, isTransactional: boolean): void {
    let e = this.producers.get(producerId);
    if (!e) {
      e = { producerId, epoch, batches: [], lastTimestamp: b.timestamp, coordinatorEpoch: -1, currentTxnFirstOffset: -1 };
      this.producers.set(producerId, e);
    }
    if (epoch !== e.epoch) {
      e.epoch = epoch;
      e.batches = [];
    }
    e.batches.push(b);
    if (e.batches.length > MAX_BATCHES_PER_PRODUCER) e.batches.shift();
    e.lastTimestamp = Math.max(e.lastTimestamp, b.timestamp);
    if (isTransactional && e.currentTxnFirstOffset < 0) e.currentTxnFirstOffset = b.firstOffset;
  }

  // ---- transactions (KIP-98) ----

  // A COMMIT or ABORT marker of `producerId` was appended at `markerOffset`: its transaction on
  // this partition ends. Returns the transaction's first offset (-1: nothing was written in it).
  // A marker may carry a newer epoch (the coordinator fenced the producer): the entry takes it.
  completeTxn(producerId: number, epoch: number, coordinatorEpoch: number, timestamp: number): number {
    let e = this.producers.get(producerId);
    if (!e) {
      e = { producerId, epoch, batches: [], lastTimestamp: timestamp, coordinatorEpoch, currentTxnFirstOffset: -1 };
      this.producers.set(producerId, e);
    }
    if (epoch > e.epoch) {
      e.epoch = epoch;
      e.batches = [];
    }
    const first = e.currentTxnFirstOffset;
    e.currentTxnFirstOffset = -1;
    e.coordinatorEpoch = coordinatorEpoch;
    e.lastTimestamp = Math.max(e.lastTimestamp, timestamp);
    return first;
  }

  // The first offset of the earliest transaction still open here (-1: none): the last stable
  // offset cannot pass it.
  firstUnstableOffset(): number {
    let min = -1;
    for (const e of this.producers.values()) {
      if (e.currentTxnFirstOffset >= 0 && (min < 0 || e.currentTxnFirstOffset < min)) min = e.currentTxnFirstOffset;
    }
    return min;
  }

  ongoingTxnFirstOffset(producerId: number): number {
    return this.producers.get(producerId)?.currentTxnFirstOffset ?? -1;
  }

  // producer.id.expiration.ms: forget producers idle that long (not in a transaction).
  expire(now: number, expirationMs: number): number {
    let n = 0;
    for (const [id, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && now - e.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        n++;
      }
    }
    return n;
  }

  // ---- snapshots (Kafka's format: version int16, crc uint32 (CRC32C of the entries), entries) ----

  toSnapshot(): Buffer {
    const entries = [...this.producers.values()].filter((e) => e.batches.length > 0);
    const ENTRY = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;
    const buf = Buffer.alloc(2 + 4 + 4 + entries.length * ENTRY);
    buf.writeInt16BE(1, 0);
    let p = 10;
    buf.writeInt32BE(entries.length, 6);
    for (const e of entries) {
      const last = e.batches[e.batches.length - 1]!;
      buf.writeBigInt64BE(toInt64(e.producerId), p); // any stored producer id, Long.MAX included
      buf.writeInt16BE(e.epoch, p + 8);
      buf.writeInt32BE(last.lastSeq, p + 10);
      buf.writeBigInt64BE(toInt64(last.lastOffset), p + 14);
      buf.writeInt32BE(last.lastOffset - last.firstOffset, p + 22);
      buf.writeBigInt64BE(toInt64(e.lastTimestamp), p + 26); // any stored batch timestamp, Long.MAX included
      buf.writeInt32BE(e.coordinatorEpoch, p + 34);
      buf.writeBigInt64BE(toInt64(e.currentTxnFirstOffset), p + 38);
      p += ENTRY;
    }
    buf.writeUInt32BE(crc32c(buf, 6, buf.length), 2);
    return buf;
  }

  // Loads a snapshot; false if it is corrupt (the caller replays the log instead).
  loadSnapshot(buf: Buffer): boolean {
    if (buf.length < 10 || buf.readInt16BE(0) !== 1) return false;
    if (crc32c(buf, 6, buf.length) !== buf.readUInt32BE(2)) return false;
    const n = buf.readInt32BE(6);
    const ENTRY = 46;
    if (n < 0 || 10 + n * ENTRY !== buf.length) return false;
    this.producers.clear();
    for (let i = 0, p = 10; i < n; i++, p += ENTRY) {
      const producerId = Number(buf.readBigInt64BE(p));
      const lastSeq = buf.readInt32BE(p + 10);
      const lastOffset = Number(buf.readBigInt64BE(p + 14));
      const delta = buf.readInt32BE(p + 22);
      const timestamp = Number(buf.readBigInt64BE(p + 26));
      this.producers.set(producerId, {
        producerId,
        epoch: buf.readInt16BE(p + 8),
        batches: [
          {
            firstSeq: lastSeq - delta < 0 ? lastSeq - delta + INT32_MAX + 1 : lastSeq - delta,
            lastSeq,
            firstOffset: lastOffset - delta,
            lastOffset,
            timestamp,
          },
        ],
        lastTimestamp: timestamp,
        coordinatorEpoch: buf.readInt32BE(p + 34),
        currentTxnFirstOffset: Number(buf.readBigInt64BE(p + 38)),
      });
    }
    return true;
  }
}

export function snapshotName(offset: number): string {
  return `${String(offset).padStart(20, '0')}.snapshot`;
}

export function writeSnapshot(dir: string, offset: number, state: ProducerStateManager): void {
  writeFileSync(join(dir, snapshotName(offset)), state.toSnapshot());
}

// The newest snapshot at or below `maxOffset`; removes snapshots above it (they describe data
// that recovery truncated).
export function latestSnapshot(dir: string, maxOffset: number): { offset: number; path: string } | null {
  if (!existsSync(dir)) return null;
  let best: { offset: number; path: string } | null = null;
  for (const f of readdirSync(dir)) {
    const m = /^(\d{20})\.snapshot$/.exec(f);
    if (!m) continue;
    const offset = Number(m[1]);
    const path = join(dir, f);
    if (offset > maxOffset) {
      unlinkSync(path);
      continue;
    }
    if (!best || offset > best.offset) best = { offset, path };
  }
  return best;
}

export function readSnapshotFile(path: string): Buffer {
  return readFileSync(path);
}
