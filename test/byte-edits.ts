// In-place edits of test bytes (corrupting a batch, setting attribute bits), with the index
// checked: `buf[i] ^= m` at an index outside the buffer silently changes nothing, so a test
// meant to corrupt a batch would pass it intact. A wrong index throws a RangeError here.
import { ATTRIBUTES_OFFSET } from '../src/protocol/records/layout.js';

function byteAt(buf: Uint8Array, at: number): number {
  const v = buf[at];
  if (v === undefined) throw new RangeError(`byte ${at} is outside the ${buf.length} bytes`);
  return v;
}

// Flips the bits of `mask` in byte `at`.
export function xorByte(buf: Uint8Array, at: number, mask: number): void {
  buf[at] = byteAt(buf, at) ^ mask;
}

// Sets `bits` in the attributes of the batch at `at` (the CRC is not redone).
export function setAttributeBits(batch: Buffer, bits: number, at = 0): void {
  batch.writeUInt16BE(batch.readUInt16BE(at + ATTRIBUTES_OFFSET) | bits, at + ATTRIBUTES_OFFSET);
}
