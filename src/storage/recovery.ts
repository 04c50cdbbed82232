// Walks a segment file batch by batch, checking each batch's length and CRC, and reports where
// the valid data ends: recovery truncates a torn tail there and rebuilds the indexes from the
// batches it saw. Reads in large chunks; never holds more than one chunk plus one batch.
import { fstatSync, openSync, closeSync } from 'node:fs';
import { readFully } from './segment.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  MIN_BATCH_SIZE,
  PARTITION_LEADER_EPOCH_OFFSET,
} from '../protocol/records/layout.js';
import { readInt64 } from '../protocol/records/int64.js';
import { accel } from '../accel/index.js';

const CHUNK = 8 * 1024 * 1024;

export interface ScannedBatch {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  partitionLeaderEpoch: number;
}

export interface SegmentScan {
  validBytes: number; // where valid data ends
  fileBytes: number;
  problem: string | null; // why scanning stopped before the end, if it did
}

// Calls `onBatch` for every valid batch from `startPosition`; stops at the first invalid one.
export async function scanSegment(path: string, startPosition: number, expectedFirstOffset: number, onBatch: (b: ScannedBatch) => void): Promise<SegmentScan> {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    let position = startPosition;
    let nextOffset = expectedFirstOffset;
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(fileBytes - startPosition, MIN_BATCH_SIZE)));
    let bufStart = position;
    let bufLen = 0;
    for (;;) {
      if (position === fileBytes) return { validBytes: position, fileBytes, problem: null };
      if (position + LOG_OVERHEAD > fileBytes) return { validBytes: position, fileBytes, problem: `partial batch header at ${position}` };
      // Make sure the batch header is in the buffer.
      if (position + MIN_BATCH_SIZE > bufStart + bufLen) {
        bufStart = position;
        bufLen = await readFully(fd, buf, 0, Math.min(buf.length, fileBytes - position), position);
      }
      const p = position - bufStart;
      if (p + MIN_BATCH_SIZE > bufLen) return { validBytes: position, fileBytes, problem: `partial batch header at ${position}` };
      const baseOffset = readInt64(buf, p + BASE_OFFSET_OFFSET);
      const size = buf.readInt32BE(p + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
      const magic = buf.readInt8(p + MAGIC_OFFSET);
      if (size < MIN_BATCH_SIZE || magic !== CURRENT_MAGIC)
        return { validBytes: position, fileBytes, problem: `invalid batch (size ${size}, magic ${magic}) at ${position}` };
      if (position + size > fileBytes)
        return { validBytes: position, fileBytes, problem: `batch of ${size} bytes at ${position} runs past the end of the file` };
      if (baseOffset < nextOffset)
        return { validBytes: position, fileBytes, problem: `offset ${baseOffset} at ${position} goes backwards (expected >= ${nextOffset})` };
      // Make sure the whole batch is in the buffer.
      if (position + size > bufStart + bufLen) {
        if (size > buf.length) buf = Buffer.allocUnsafe(size);
        bufStart = position;
        bufLen = await readFully(fd, buf, 0, Math.min(buf.length, fileBytes - position), position);
      }
      const q = position - bufStart;
      const storedCrc = buf.readUInt32BE(q + CRC_OFFSET);
      if (accel.crc32c(buf, q + ATTRIBUTES_OFFSET, q + size) !== storedCrc)
        return { validBytes: position, fileBytes, problem: `CRC mismatch in the batch at ${position}` };
      const lastOffset = baseOffset + buf.readInt32BE(q + LAST_OFFSET_DELTA_OFFSET);
      onBatch({
        position,
        size,
        baseOffset,
        lastOffset,
        maxTimestamp: readInt64(buf, q + MAX_TIMESTAMP_OFFSET),
        partitionLeaderEpoch: buf.readInt32BE(q + PARTITION_LEADER_EPOCH_OFFSET),
      });
      nextOffset = lastOffset + 1;
      position += size;
    }
  } finally {
    closeSync(fd);
  }
}
