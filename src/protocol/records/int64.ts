// Big-endian integer reads and writes on plain bytes, and int64 fields as JS numbers: exact below
// 2^53, and -1 stays -1. Callers check bounds first; the reads never throw.

export function readInt32(b: Uint8Array, p: number): number {
  return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
}

export function readInt16(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16;
}

export function readInt64(b: Uint8Array, p: number): number {
  return readInt32(b, p) * 4294967296 + (readInt32(b, p + 4) >>> 0);
}

export function writeInt32(b: Uint8Array, p: number, v: number): void {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}

export function writeInt64(b: Uint8Array, p: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  writeInt32(b, p, hi | 0);
  writeInt32(b, p + 4, (v - hi * 4294967296) >>> 0);
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * A JS number as the int64 an index or snapshot file stores, clamped to the int64 range. A batch
 * header's Long.MAX_VALUE reads back as 2^63 (the nearest double), which BigInt/writeBigInt64BE
 * refuse: without the clamp one stored timestamp made every index rebuild throw (issue 11).
 */
export function toInt64(n: number): bigint {
  if (Number.isNaN(n)) return -1n;
  if (n >= 2 ** 63) return INT64_MAX;
  if (n <= -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(n));
}
