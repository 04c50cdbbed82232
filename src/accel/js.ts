// The reference backend: the pure-TypeScript scan (js-scan.ts) and the record format's own
// CRC-32C and header rewrites (src/protocol/records/), behind the interface's argument rules
// (common.ts). Always available; the other backends are tested against it.
import { crc32c } from '../protocol/records/crc32c.js';
import { createBatchScan } from './batch-scan.js';
import { scanBatches } from './js-scan.js';
import { setLogAppendTime, stampBatch } from '../protocol/records/stamp.js';
import { checkHeader, checkWholeBatch, normalizedCrc32c } from './common.js';
import type { Accel } from './types.js';

export const jsAccel: Accel = Object.freeze({
  backend: 'js',
  description: 'js (pure TypeScript reference)',
  crc32c: normalizedCrc32c(crc32c),
  scanBatches,
  createBatchScan,
  stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void {
    checkHeader(buf, position);
    stampBatch(buf, position, baseOffset, partitionLeaderEpoch);
  },
  setLogAppendTime(buf: Buffer, position: number, timestamp: number): void {
    checkWholeBatch(buf, position);
    setLogAppendTime(buf, position, timestamp);
  },
});
