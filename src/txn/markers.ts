// Transaction markers on the partition side (Kafka's EndTransactionMarker and the
// ProducerStateManager / TransactionIndex updates that follow a marker append).
// A marker is a control batch (attributes: transactional | control) of one record:
//   key   = version int16 (0) + type int16 (0 ABORT, 1 COMMIT)
//   value = version int16 (0) + coordinatorEpoch int32
import { buildBatch, stampBatch, ControlRecordType } from '../storage/record-batch.js';
import type { AppendInfo, PartitionLog } from '../storage/partition-log.js';
import { AbortedTxnIndex } from './txn-index.js';

export function markerKey(commit: boolean): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt16BE(0, 0);
  b.writeInt16BE(commit ? ControlRecordType.Commit : ControlRecordType.Abort, 2);
  return b;
}

export function markerValue(coordinatorEpoch: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeInt16BE(0, 0);
  b.writeInt32BE(coordinatorEpoch, 2);
  return b;
}

// The control type of a control batch's first record (its key), or -1 if unreadable.
export function controlTypeOf(batch: Buffer): number {
  // Record layout after the 61-byte header: length varint, attributes int8, timestampDelta
  // varlong, offsetDelta varint, keyLength varint, key. A marker record is small, so these
  // varints are one byte each except the length (one byte too: the record is < 64 bytes).
  let p = 61;
  const skipVarint = () => {
    while (p < batch.length && (batch[p]! & 0x80) !== 0) p++;
    p++;
  };
  skipVarint(); // length
  p++; // attributes
  skipVarint(); // timestamp delta
  skipVarint(); // offset delta
  const keyLen = (batch[p]! >> 1) ^ -(batch[p]! & 1);
  p++;
  if (keyLen < 4 || p + 4 > batch.length) return -1;
  return batch.readInt16BE(p + 2);
}

// Applies a marker that is in the log at `markerOffset` to the producer state and the aborted
// transaction index (used by appends and by the replay at start-up). A new aborted entry is
// also appended to the .txnindex file of the segment holding the marker (unless already there).
export function applyMarker(log: PartitionLog, producerId: number, epoch: number, commit: boolean, coordinatorEpoch: number, markerOffset: number, timestamp: number): void {
  const first = log.producers.completeTxn(producerId, epoch, coordinatorEpoch, timestamp);
  if (commit || first < 0 || log.abortedTxns.has(markerOffset)) return;
  const unstable = log.producers.firstUnstableOffset();
  const entry = { producerId, firstOffset: first, lastOffset: markerOffset, lastStableOffset: unstable >= 0 ? unstable : markerOffset + 1 };
  log.abortedTxns.add(entry);
  if (log.dir !== null) {
    let seg = log.segments[0]!;
    for (const s of log.segments) if (s.baseOffset <= markerOffset) seg = s;
    AbortedTxnIndex.appendToFile(log.dir, seg.baseOffset, entry);
  }
}

// Appends a COMMIT or ABORT marker for `producerId` to a partition log (internal append: no
// client validation) and updates the partition's transaction state. Resolve durability with
// `log.waitDurable(info.lastOffset)`.
export function appendMarker(log: PartitionLog, leaderEpoch: number, producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number): AppendInfo {
  const now = Date.now();
  const batch = buildBatch([{ key: markerKey(commit), value: markerValue(coordinatorEpoch), timestamp: now }], {
    producerId,
    producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    timestamp: now,
  });
  const info = log.append(batch, [{ position: 0, size: batch.length, lastOffsetDelta: 0, maxTimestamp: now }], leaderEpoch, now, stampBatch);
  applyMarker(log, producerId, producerEpoch, commit, coordinatorEpoch, info.baseOffset, now);
  return info;
}
