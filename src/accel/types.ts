// The accel interface: the produce/fetch hot path behind one set of functions, with three
// backends that give identical results for every input (test/accel/parity.test.ts):
//   native  the Rust Node-API addon in native/ (SSE4.2 / ARMv8 CRC32C, scan in Rust)
//   wasm    the AssemblyScript build in wasm/
//   js      the pure-TypeScript reference, src/protocol/records/crc32c.ts and src/accel/js-scan.ts
// The semantics are the reference's; where the reference leaves something to chance (offsets out
// of range, fractional numbers), the interface pins it down and every backend does the same.
import type { BatchScan, ScanOptions, ScanResult } from './batch-scan.js';

export type { BatchScan, ScanOptions, ScanResult };

export type AccelBackend = 'native' | 'wasm' | 'js';

export const ACCEL_BACKENDS: readonly AccelBackend[] = ['native', 'wasm', 'js'];

export interface Accel {
  readonly backend: AccelBackend;
  /** One line for logs and `samsa --version`, e.g. "native (sse4.2 crc32 3-way, samsa-native.linux-x64-gnu.node)". */
  readonly description: string;
  /**
   * CRC-32C of buf[start, end), continuing the finished checksum `init` (unsigned result).
   * start and end are truncated to integers and clamped to [0, buf.length] (NaN counts as 0; a
   * non-number start/end means 0 / buf.length); start >= end gives `init >>> 0`. `init` is taken
   * as a 32-bit pattern (ToUint32). Never throws for a Uint8Array.
   */
  crc32c(buf: Uint8Array, start?: number, end?: number, init?: number): number;
  /**
   * The reference's scanBatches (src/accel/js-scan.ts): same error codes, batch index and
   * message text, same `out` entries. `out` may come from createBatchScan here or from
   * batch-scan.ts; as there, its arrays may be replaced (grown), so read them after the call.
   */
  scanBatches(buf: Buffer, out: BatchScan, options: ScanOptions): ScanResult;
  /** A BatchScan laid out the way this backend fills fastest (any BatchScan works). */
  createBatchScan(initialCapacity?: number): BatchScan;
  /**
   * Writes baseOffset and partitionLeaderEpoch of the batch at `position` (outside the CRC).
   * RangeError unless `position` is an integer with a whole batch header (BATCH_HEADER_SIZE bytes) at it.
   */
  stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void;
  /**
   * LogAppendTime: sets the timestamp-type bit and maxTimestamp, recomputes the CRC. RangeError
   * unless a whole batch (as its batchLength says, at least a v2 header) lies at `position`.
   */
  setLogAppendTime(buf: Buffer, position: number, timestamp: number): void;
}
