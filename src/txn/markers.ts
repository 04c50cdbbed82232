// Transaction markers written by the coordinator (Kafka's EndTransactionMarker); the partition's
// state updates that follow a marker append live in storage/txn-state.ts.
// A marker is a control batch (attributes: transactional | control) of one record:
//   key   = version int16 (0) + type int16 (0 ABORT, 1 COMMIT)
//   value = version int16 (0) + coordinatorEpoch int32
import { buildBatch } from '../protocol/records/build.js';
import { stampBatch } from '../protocol/records/stamp.js';
import { ControlRecordType } from '../protocol/records/control.js';
import type { AppendInfo, PartitionLog } from '../storage/partition-log.js';
import { applyMarker } from '../storage/txn-state.js';

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

// Appends a COMMIT or ABORT marker for `producerId` to a partition log (internal append: no
// client validation) and updates the partition's transaction state. Resolve durability with
// `log.waitDurable(info.lastOffset)`.
export function appendMarker(
  log: PartitionLog,
  leaderEpoch: number,
  producerId: number,
  producerEpoch: number,
  commit: boolean,
  coordinatorEpoch: number,
): AppendInfo {
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
