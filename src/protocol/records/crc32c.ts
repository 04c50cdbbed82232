// CRC-32C (Castagnoli), the checksum of Kafka's v2 record batches.
//
// Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF (the iSCSI / RFC 3720
// parameters, the same as java.util.zip.CRC32C and Kafka's Crc32C). This is the pure-TypeScript
// reference backend: slicing-by-8, eight 256-entry tables, eight input bytes per step. The native
// addon (SSE4.2 / ARMv8 instructions) and the wasm build must give the same result for every input.
//
// `init` continues a running checksum: crc32c(b, 0, n) === crc32c(b, k, n, crc32c(b, 0, k)).

const POLY = 0x82f63b78;

// TABLE[k * 256 + b]: the CRC of byte b followed by k zero bytes.
const TABLE = buildTable();

function buildTable(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = t[b]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + b] = c;
    }
  }
  return t;
}

/**
 * CRC-32C of `buf[start, end)`, as an unsigned 32-bit number. Out-of-range bounds are clamped to
 * the buffer, so a bad argument gives a wrong checksum rather than an exception.
 */
export function crc32c(buf: Uint8Array, start = 0, end: number = buf.length, init = 0): number {
  const t = TABLE;
  if (start < 0) start = 0;
  if (end > buf.length) end = buf.length;
  let crc = ~init | 0;
  let i = start;
  const end8 = end - 8;
  while (i <= end8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + buf[i + 4]!]! ^
      t[512 + buf[i + 5]!]! ^
      t[256 + buf[i + 6]!]! ^
      t[buf[i + 7]!]!;
    i += 8;
  }
  while (i < end) {
    crc = t[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
    i++;
  }
  return ~crc >>> 0;
}
