// CRC-32C (Castagnoli) over linear memory: the AssemblyScript twin of src/protocol/records/crc32c.ts.
//
// Reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF (Kafka's Crc32C). Results are
// bit-identical to the reference for every input; only the speed differs.
//
// Slicing-by-16: T[k][b] is the CRC state of byte b followed by k zero bytes, so sixteen input
// bytes cost sixteen independent table loads and one xor tree. One such chain is bound by the
// latency of load -> xor -> load, so buffers of 3 * LANE bytes or more run three chains at once
// over three adjacent LANE-byte stretches and join them with the zero-extension operator:
// crc(A || B) = shift(crc(A), |B|) ^ crc0(B), where shift(s, LANE) is linear in s and tabulated
// (Z, four 256-entry tables). All tables (20 KiB) are computed by the start function into
// zero-filled static segments, so the .wasm carries no table bytes.
//
// No SIMD: wasm SIMD has neither a carry-less multiply nor a gather, so it cannot help a
// table-driven CRC. Tables are addressed through the load instruction's constant offset
// (TABLE + k * 1024), which saves an add per lookup.

const POLY: u32 = 0x82f63b78;
/** Bytes per lane of the three-lane loop; a multiple of 16. */
const LANE: u32 = 512;

// @ts-ignore: decorator
@lazy const TABLE: usize = memory.data(16 * 256 * 4, 64);
// @ts-ignore: decorator
@lazy const ZTABLE: usize = memory.data(4 * 256 * 4, 64);

/** One byte into a raw (not inverted) CRC state. */
// @ts-ignore: decorator
@inline function byte(crc: u32, b: u32): u32 {
  return load<u32>(<usize>((crc ^ b) & 0xff) << 2, TABLE) ^ (crc >>> 8);
}

function buildTables(): void {
  for (let b: u32 = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    store<u32>(TABLE + (<usize>b << 2), c);
  }
  for (let b: u32 = 0; b < 256; b++) {
    let c = load<u32>(TABLE + (<usize>b << 2));
    for (let k: u32 = 1; k < 16; k++) {
      c = byte(c, 0);
      store<u32>(TABLE + (<usize>(k * 256 + b) << 2), c);
    }
  }
  // Z[k][b] = shift(b << 8k, LANE): the sum (xor) of the shifted basis vectors of b's bits.
  for (let k: u32 = 0; k < 4; k++) {
    for (let bit: u32 = 0; bit < 8; bit++) {
      let c: u32 = 1 << (k * 8 + bit);
      for (let i: u32 = 0; i < LANE; i++) c = byte(c, 0);
      for (let b: u32 = 0; b < 256; b++) {
        if (b & (1 << bit)) {
          const at = ZTABLE + (<usize>(k * 256 + b) << 2);
          store<u32>(at, load<u32>(at) ^ c);
        }
      }
    }
  }
}
buildTables();

// Lookups with the table offset folded into the load instruction.
// @ts-ignore: decorator
@inline function T0(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE); }
// @ts-ignore: decorator
@inline function T1(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 1024); }
// @ts-ignore: decorator
@inline function T2(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 2048); }
// @ts-ignore: decorator
@inline function T3(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 3072); }
// @ts-ignore: decorator
@inline function T4(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 4096); }
// @ts-ignore: decorator
@inline function T5(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 5120); }
// @ts-ignore: decorator
@inline function T6(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 6144); }
// @ts-ignore: decorator
@inline function T7(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 7168); }
// @ts-ignore: decorator
@inline function T8(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 8192); }
// @ts-ignore: decorator
@inline function T9(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 9216); }
// @ts-ignore: decorator
@inline function T10(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 10240); }
// @ts-ignore: decorator
@inline function T11(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 11264); }
// @ts-ignore: decorator
@inline function T12(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 12288); }
// @ts-ignore: decorator
@inline function T13(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 13312); }
// @ts-ignore: decorator
@inline function T14(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 14336); }
// @ts-ignore: decorator
@inline function T15(b: u32): u32 { return load<u32>(<usize>b << 2, TABLE + 15360); }

/** shift(s, LANE): the state s followed by LANE zero bytes. */
// @ts-ignore: decorator
@inline function shiftLane(s: u32): u32 {
  return (
    load<u32>(<usize>(s & 0xff) << 2, ZTABLE) ^
    load<u32>(<usize>((s >>> 8) & 0xff) << 2, ZTABLE + 1024) ^
    load<u32>(<usize>((s >>> 16) & 0xff) << 2, ZTABLE + 2048) ^
    load<u32>(<usize>(s >>> 24) << 2, ZTABLE + 3072)
  );
}

/** Sixteen bytes at p into the raw state crc. */
// @ts-ignore: decorator
@inline function step16(crc: u32, p: usize): u32 {
  const a = load<u32>(p) ^ crc;
  const b = load<u32>(p, 4);
  const c = load<u32>(p, 8);
  const d = load<u32>(p, 12);
  return (
    T15(a & 0xff) ^ T14((a >>> 8) & 0xff) ^ T13((a >>> 16) & 0xff) ^ T12(a >>> 24) ^
    T11(b & 0xff) ^ T10((b >>> 8) & 0xff) ^ T9((b >>> 16) & 0xff) ^ T8(b >>> 24) ^
    T7(c & 0xff) ^ T6((c >>> 8) & 0xff) ^ T5((c >>> 16) & 0xff) ^ T4(c >>> 24) ^
    T3(d & 0xff) ^ T2((d >>> 8) & 0xff) ^ T1((d >>> 16) & 0xff) ^ T0(d >>> 24)
  );
}

/**
 * Running CRC-32C of memory [ptr, ptr + len): `init` is a previous result (0 to start), so
 * crc32cAt(p, n, 0) === crc32cAt(p + k, n - k, crc32cAt(p, k, 0)).
 */
export function crc32cAt(ptr: usize, len: usize, init: u32): u32 {
  let crc = ~init;
  let p = ptr;
  const end = ptr + len;
  const stride = <usize>LANE * 3;
  while (end - p >= stride) {
    let a = crc;
    let b: u32 = 0;
    let c: u32 = 0;
    const q = p + <usize>LANE;
    const r = q + <usize>LANE;
    for (let i: usize = 0; i < <usize>LANE; i += 16) {
      a = step16(a, p + i);
      b = step16(b, q + i);
      c = step16(c, r + i);
    }
    crc = shiftLane(shiftLane(a) ^ b) ^ c;
    p += stride;
  }
  while (end - p >= 16) {
    crc = step16(crc, p);
    p += 16;
  }
  while (p < end) {
    crc = byte(crc, <u32>load<u8>(p));
    p++;
  }
  return ~crc;
}
