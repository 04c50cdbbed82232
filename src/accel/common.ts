// What every backend shares: the argument rules of the Accel interface (types.ts), checked once
// in TypeScript so the three backends cannot drift apart on odd input.
import { readInt32 } from '../protocol/records/int64.js';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_OFFSET, LOG_OVERHEAD, MIN_BATCH_LENGTH } from '../protocol/records/layout.js';
import type { AccelBackend } from './types.js';

/** ToIntegerOrInfinity clamped to [0, len]; NaN counts as 0. */
export function clampIndex(x: number, len: number): number {
  if (!(x > 0)) return 0;
  return x >= len ? len : Math.trunc(x);
}

type Crc = (buf: Uint8Array, start: number, end: number, init: number) => number;

/**
 * Wraps a CRC-32C over well-formed arguments (integers, 0 <= start < end <= length) into the
 * interface's crc32c. The native addon applies the same rules itself (native/src/napi/mod.rs).
 */
export function normalizedCrc32c(crc: Crc): (buf: Uint8Array, start?: number, end?: number, init?: number) => number {
  return (buf, start, end, init) => {
    const len = buf.length;
    const s = typeof start === 'number' ? clampIndex(start, len) : 0;
    const e = typeof end === 'number' ? clampIndex(end, len) : len;
    const i = typeof init === 'number' ? init : 0;
    return s < e ? crc(buf, s, e, i) : i >>> 0;
  };
}

/** stampBatch's precondition: an integer position with a whole batch header behind it. */
export function checkHeader(buf: Uint8Array, position: number): void {
  if (!(Number.isInteger(position) && position >= 0 && position + BATCH_HEADER_SIZE <= buf.length)) {
    throw new RangeError(`stampBatch: no batch header at position ${position} of a ${buf.length}-byte buffer`);
  }
}

/** setLogAppendTime's precondition: the whole batch, as its batchLength says, is inside buf. */
export function checkWholeBatch(buf: Uint8Array, position: number): void {
  const header = Number.isInteger(position) && position >= 0 && position + BATCH_HEADER_SIZE <= buf.length;
  const length = header ? readInt32(buf, position + BATCH_LENGTH_OFFSET) : 0;
  if (!header || length < MIN_BATCH_LENGTH || position + LOG_OVERHEAD + length > buf.length) {
    throw new RangeError(`setLogAppendTime: no whole batch at position ${position} of a ${buf.length}-byte buffer`);
  }
}

/** The one error a forced but missing backend gives (SAMSA_ACCEL=native|wasm). */
export class AccelUnavailableError extends Error {
  constructor(
    readonly backend: AccelBackend,
    readonly reason: string,
  ) {
    super(`SAMSA_ACCEL=${backend}, but the ${backend} backend is not available: ${reason}`);
    this.name = 'AccelUnavailableError';
  }
}
