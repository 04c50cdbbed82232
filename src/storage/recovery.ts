// Walks a segment file batch by batch, checking each batch's length and CRC, and reports where
// the valid data ends: recovery truncates a torn tail there and rebuilds the indexes from the
// batches it saw. Reads in large chunks; never holds more than one chunk plus one batch.
import { fstatSync, openSync, closeSync } from 'node:fs';
import { readFully } from './segment.js';
import { LOG_OVERHEAD, MIN_BATCH_SIZE } from '../protocol/records/layout.js';
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
      const baseOffset = readInt64(buf, p);
      const size = buf.readInt32BE(p + 8) + LOG_OVERHEAD;
      const magic = buf.readInt8(p + 16);
      if (size < MIN_BATCH_SIZE || magic !== 2) return { validBytes: position, fileBytes, problem: `invalid batch (size ${size}, magic ${magic}) at ${position}` };
      if (position + size > fileBytes) return { validBytes: position, fileBytes, problem: `batch of ${size} bytes at ${position} runs past the end of the file` };
      if (baseOffset < nextOffset) return { validBytes: position, fileBytes, problem: `offset ${baseOffset} at ${position} goes backwards (expected >= ${nextOffset})` };
      // Make sure the whole batch is in the buffer.
      if (position + size > bufStart + bufLen) {
        if (size > buf.length) buf = Buffer.allocUnsafe(size);
        bufStart = position;
        bufLen = await readFully(fd, buf, 0, Math.min(buf.length, fileBytes - position), position);
      }
      const q = position - bufStart;
      const storedCrc = buf.readUInt32BE(q + 17);
      if (accel.crc32c(buf, q + 21, q + size) !== storedCrc) return { validBytes: position, fileBytes, problem: `CRC mismatch in the batch at ${position}` };
      const lastOffset = baseOffset + buf.readInt32BE(q + 23);
      onBatch({ position, size, baseOffset, lastOffset, maxTimestamp: readInt64(buf, q + 35), partitionLeaderEpoch: buf.readInt32BE(q + 12) });
      nextOffset = lastOffset + 1;
      position += size;
    }
  } finally {
    closeSync(fd);
  }
}
