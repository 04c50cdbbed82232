// Zig-zag varints (protobuf sint32 / sint64): the one implementation of the record format's
// variable-length integers. Kafka's rules (ByteUtils.readVarint / readVarlong): a varint has at
// most 5 bytes, a varlong 10; varlongs are exact below 2^53.
//
// The readers share one cursor, so they return a plain number and allocate nothing: they read at
// `cursor.pos` and leave it after the varint, or at -1 for a bad one (too long, or running past
// `end`). Every user is synchronous: set `cursor.pos`, read, use the result before any await.

export const cursor = { pos: 0 };

export function readVarint(b: Uint8Array, end: number): number {
  const c = cursor;
  let p = c.pos;
  if (p < 0 || p >= end) return ((c.pos = -1), 0);
  let x = b[p++]!;
  let r = x & 0x7f;
  if (x >= 0x80) {
    for (let shift = 7; ; shift += 7) {
      if (p >= end) return ((c.pos = -1), 0);
      x = b[p++]!;
      if (shift === 28) {
        if (x >= 0x80) return ((c.pos = -1), 0);
        r |= x << 28;
        break;
      }
      r |= (x & 0x7f) << shift;
      if (x < 0x80) break;
    }
  }
  c.pos = p;
  return (r >>> 1) ^ -(r & 1);
}

export function readVarlong(b: Uint8Array, end: number): number {
  let p = cursor.pos;
  let r = 0;
  let mul = 1;
  for (let i = 0; i < 10 && p >= 0; i++) {
    if (p >= end) break;
    const x = b[p++]!;
    r += (x & 0x7f) * mul;
    if (x < 0x80) {
      cursor.pos = p;
      return r % 2 === 1 ? -(r + 1) / 2 : r / 2;
    }
    mul *= 128;
  }
  return ((cursor.pos = -1), 0);
}

/** Bytes of a zig-zag varint (an int32 field of a record: lengths, offset delta, counts). */
export function varintSize(n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  for (; v >= 0x80; v >>>= 7) size++;
  return size;
}

/** Writes `n` at `p`; returns the position after it. */
export function writeVarint(b: Uint8Array, p: number, n: number): number {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  for (; v >= 0x80; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
  b[p++] = v;
  return p;
}

/** Writes `n` (exact below 2^52) at `p`; returns the position after it. */
export function writeVarlong(b: Uint8Array, p: number, n: number): number {
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  for (; v >= 0x80; v = Math.floor(v / 128)) b[p++] = (v % 128) | 0x80;
  b[p++] = v;
  return p;
}
