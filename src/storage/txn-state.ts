// A partition's transaction state as markers change it (Kafka's ProducerStateManager and
// TransactionIndex updates that follow a marker append): storage owns these per-partition files
// (producer snapshots, .txnindex); the transaction coordinator writes the markers
// (txn/markers.ts).
import type { PartitionLog } from './partition-log.js';

// Applies a marker that is in the log at `markerOffset` to the producer state and the aborted
// transaction index (used by appends and by the replay at start-up). A new aborted entry is
// also appended to the .txnindex file of the segment holding the marker (unless already there).
export function applyMarker(
  log: PartitionLog,
  producerId: number,
  epoch: number,
  commit: boolean,
  coordinatorEpoch: number,
  markerOffset: number,
  timestamp: number,
): void {
  const first = log.producers.completeTxn(producerId, epoch, coordinatorEpoch, timestamp);
  if (commit || first < 0 || log.abortedTxns.has(markerOffset)) return;
  const unstable = log.producers.firstUnstableOffset();
  const entry = { producerId, firstOffset: first, lastOffset: markerOffset, lastStableOffset: unstable >= 0 ? unstable : markerOffset + 1 };
  log.abortedTxns.add(entry);
  let seg = log.segments[0]!;
  for (const s of log.segments) if (s.baseOffset <= markerOffset) seg = s;
  log.store.appendAbortedTxn(seg.baseOffset, entry);
}
