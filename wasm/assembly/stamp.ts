// stampBatch and setLogAppendTime over linear memory: the twins of the functions of the same
// names in src/protocol/records/stamp.ts, with the reference's edge behaviour: writes outside
// [0, len) are dropped and reads outside it give 0, as they do on a JS Buffer.
//
// wasm/index.mjs does not call these on the hot path: stamping writes 12 bytes, which JS does
// faster in place than a call that must copy bytes in and back (see wasm/README.md); only the
// CRC of setLogAppendTime runs in wasm. They are exported so the parity test covers them and a
// caller that already holds a batch in wasm memory can use them.
import { crc32cAt } from './crc32c';

// @ts-ignore: decorator
@inline function put8(buf: usize, len: i32, p: i32, v: i32): void {
  if (p >= 0 && p < len) store<u8>(buf + <usize>p, <u8>v);
}
// @ts-ignore: decorator
@inline function get8(buf: usize, len: i32, p: i32): i32 {
  return p >= 0 && p < len ? <i32>load<u8>(buf + <usize>p) : 0;
}

function put32(buf: usize, len: i32, p: i32, v: i32): void {
  put8(buf, len, p, v >>> 24);
  put8(buf, len, p + 1, v >>> 16);
  put8(buf, len, p + 2, v >>> 8);
  put8(buf, len, p + 3, v);
}

/** ECMAScript ToInt32 (what `x | 0` does in JS): NaN and infinities give 0, the rest wrap. */
function toInt32(x: f64): i32 {
  if (!isFinite(x)) return 0;
  const t = Math.trunc(x);
  return <i32><u32>(t - Math.floor(t / 4294967296.0) * 4294967296.0);
}

/** The reference's w64: hi = floor(v / 2^32) and the rest, each as JS would convert them. */
function put64(buf: usize, len: i32, p: i32, v: f64): void {
  const hi = Math.floor(v / 4294967296.0);
  put32(buf, len, p, toInt32(hi));
  put32(buf, len, p + 4, toInt32(v - hi * 4294967296.0));
}

/** Writes baseOffset @0 and partitionLeaderEpoch @12 of the batch at `position`. */
export function stampBatch(buf: usize, len: i32, position: i32, baseOffset: f64, partitionLeaderEpoch: f64): void {
  put64(buf, len, position, baseOffset);
  put32(buf, len, position + 12, toInt32(partitionLeaderEpoch));
}

/** Sets the LogAppendTime bit and maxTimestamp, then recomputes the batch CRC. */
export function setLogAppendTime(buf: usize, len: i32, position: i32, timestamp: f64): void {
  put8(buf, len, position + 22, get8(buf, len, position + 22) | 0x08);
  put64(buf, len, position + 35, timestamp);
  const length = (get8(buf, len, position + 8) << 24) | (get8(buf, len, position + 9) << 16) | (get8(buf, len, position + 10) << 8) | get8(buf, len, position + 11);
  // crc32c(buf, position + 21, position + 12 + length): bounds clamped to the buffer.
  let start = <i64>position + 21;
  let end = <i64>position + 12 + <i64>length;
  if (start < 0) start = 0;
  if (end > <i64>len) end = <i64>len;
  const crc: u32 = start < end ? crc32cAt(buf + <usize>start, <usize>(end - start), 0) : 0;
  put32(buf, len, position + 17, <i32>crc);
}
