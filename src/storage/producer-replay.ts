// Producer state rebuilt from the log's batches (Kafka's ProducerStateManager reload): at
// start-up (log-loader.ts), after a truncation (PartitionLog.truncateTo), and batch by batch for
// a follower's appends (PartitionLog.appendAsFollower), which take the leader's sequence numbers
// and transaction markers as they are, without the checks of a client append.
import type { PartitionLog } from './partition-log.js';
import { readInt64 } from '../protocol/records/int64.js';
import { lastSequenceOf } from './producer-state.js';
import { applyMarker } from './txn-state.js';
import { controlTypeOf } from '../protocol/records/control.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BASE_SEQUENCE_OFFSET,
  CONTROL_MASK,
  LAST_OFFSET_DELTA_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  TRANSACTIONAL_MASK,
} from '../protocol/records/layout.js';

// The newest snapshot at or below the log end (the disk engine keeps them), then the batches after it (all of them
// from the log start when there is no usable snapshot). A clean shutdown leaves a snapshot at the
// log end, so nothing is replayed.
export async function rebuildProducerState(plog: PartitionLog): Promise<void> {
  let from = plog.logStartOffset;
  plog.producers.producers.clear();
  const snap = plog.store.latestProducerSnapshot(plog.logEndOffset);
  if (snap && snap.offset >= plog.logStartOffset && plog.producers.loadSnapshot(snap.read())) from = snap.offset;
  while (from < plog.logEndOffset) {
    const chunk = await plog.read(from, 4 * 1024 * 1024, true, plog.logEndOffset);
    if (chunk.buffers.length === 0) break;
    for (const b of chunk.buffers) replayBatch(plog, b);
    from = chunk.nextOffset;
  }
}

// Applies one stored batch (offsets stamped) to the producer state and the aborted-transaction
// index.
export function replayBatch(plog: PartitionLog, b: Buffer, position = 0): void {
  const producerId = readInt64(b, position + PRODUCER_ID_OFFSET);
  const attributes = b.readInt16BE(position + ATTRIBUTES_OFFSET);
  if (producerId < 0) return;
  const firstOffset = readInt64(b, position + BASE_OFFSET_OFFSET);
  if ((attributes & CONTROL_MASK) !== 0) {
    // A transaction marker ends the producer's transaction here (txn-state.ts).
    const type = controlTypeOf(position === 0 ? b : b.subarray(position));
    if (type === 0 || type === 1)
      applyMarker(
        plog,
        producerId,
        b.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
        type === 1,
        -1,
        firstOffset,
        readInt64(b, position + MAX_TIMESTAMP_OFFSET),
      );
    return;
  }
  const delta = b.readInt32BE(position + LAST_OFFSET_DELTA_OFFSET);
  const firstSeq = b.readInt32BE(position + BASE_SEQUENCE_OFFSET);
  plog.producers.update(
    producerId,
    b.readInt16BE(position + PRODUCER_EPOCH_OFFSET),
    {
      firstSeq,
      lastSeq: lastSequenceOf(firstSeq, delta),
      firstOffset,
      lastOffset: firstOffset + delta,
      timestamp: readInt64(b, position + MAX_TIMESTAMP_OFFSET),
    },
    (attributes & TRANSACTIONAL_MASK) !== 0,
  );
}
