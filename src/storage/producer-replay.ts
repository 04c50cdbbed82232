// Producer state rebuilt from the log's batches (Kafka's ProducerStateManager reload): at
// start-up (log-loader.ts), after a truncation (PartitionLog.truncateTo), and batch by batch for
// a follower's appends (PartitionLog.appendAsFollower), which take the leader's sequence numbers
// and transaction markers as they are, without the checks of a client append.
import type { PartitionLog } from './partition-log.js';
import { readInt64 } from '../protocol/records/int64.js';
import { latestSnapshot, readSnapshotFile, lastSequenceOf } from './producer-state.js';
import { applyMarker, controlTypeOf } from './txn-state.js';

// The newest snapshot at or below the log end (disk), then the batches after it (all of them
// from the log start when there is no usable snapshot). A clean shutdown leaves a snapshot at the
// log end, so nothing is replayed.
export async function rebuildProducerState(plog: PartitionLog): Promise<void> {
  let from = plog.logStartOffset;
  plog.producers.producers.clear();
  const snap = plog.dir === null ? null : latestSnapshot(plog.dir, plog.logEndOffset);
  if (snap && snap.offset >= plog.logStartOffset && plog.producers.loadSnapshot(readSnapshotFile(snap.path))) from = snap.offset;
  while (from < plog.logEndOffset) {
    const chunk = await plog.read(from, 4 * 1024 * 1024, true, plog.logEndOffset);
    if (chunk.buffers.length === 0) break;
    for (const b of chunk.buffers) replayBatch(plog, b);
    from = chunk.nextOffset;
  }
}

// Applies one stored batch (offsets stamped) to the producer state and the aborted-transaction
// index. Header fields by position: baseOffset 0, lastOffsetDelta 23, attributes 21,
// maxTimestamp 35, producerId 43, producerEpoch 51, baseSequence 53.
export function replayBatch(plog: PartitionLog, b: Buffer, position = 0): void {
  const producerId = readInt64(b, position + 43);
  const attributes = b.readInt16BE(position + 21);
  if (producerId < 0) return;
  const firstOffset = readInt64(b, position);
  if ((attributes & 0x20) !== 0) {
    // A transaction marker ends the producer's transaction here (txn-state.ts).
    const type = controlTypeOf(position === 0 ? b : b.subarray(position));
    if (type === 0 || type === 1) applyMarker(plog, producerId, b.readInt16BE(position + 51), type === 1, -1, firstOffset, readInt64(b, position + 35));
    return;
  }
  const delta = b.readInt32BE(position + 23);
  const firstSeq = b.readInt32BE(position + 53);
  plog.producers.update(
    producerId,
    b.readInt16BE(position + 51),
    { firstSeq, lastSeq: lastSequenceOf(firstSeq, delta), firstOffset, lastOffset: firstOffset + delta, timestamp: readInt64(b, position + 35) },
    (attributes & 0x10) !== 0,
  );
}
