// A partition's transaction state as markers change it (Kafka's ProducerStateManager and
// TransactionIndex updates that follow a marker append): storage owns these per-partition files
// (producer snapshots, .txnindex); the transaction coordinator writes the markers
// (txn/markers.ts).
import type { PartitionLog } from './partition-log.js';
import { AbortedTxnIndex } from './txn-index.js';
import { RECORDS_OFFSET } from '../protocol/records/layout.js';
import { cursor, readVarint, readVarlong } from '../protocol/records/varint.js';

// The control type of a control batch's first record (its key: version int16, type int16), or -1
// if unreadable. Record layout: see src/protocol/records/record.ts.
export function controlTypeOf(batch: Buffer): number {
  const end = batch.length;
  cursor.pos = RECORDS_OFFSET;
  readVarint(batch, end); // length
  if (cursor.pos < 0) return -1;
  cursor.pos++; // attributes
  readVarlong(batch, end); // timestampDelta
  readVarint(batch, end); // offsetDelta
  const keyLength = readVarint(batch, end);
  if (cursor.pos < 0 || keyLength < 4 || cursor.pos + 4 > end) return -1;
  return batch.readInt16BE(cursor.pos + 2);
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
