// Append-style writer. Small fields go into a growing scratch buffer; large byte fields (record
// batches in Fetch responses) are kept as references to the caller's buffers, so the bytes a
// producer sent reach the socket without being copied. `finish()` returns the pieces for writev.
import { uuidToBytes } from './uuid.js';
import type { TaggedField } from './reader.js';
import { RecordsChunks } from './records.js';

// Below this a copy is cheaper than an extra iovec entry.
const ZERO_COPY_MIN = 1024;

export class Writer {
  private buf: Buffer;
  private pos = 0;
  private mark = 0; // start of the part of `buf` not yet moved to `chunks`
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.chunkBytes + (this.pos - this.mark);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    // Keep what is already written in the old buffer as a chunk view and start a new buffer.
    if (this.pos > this.mark) {
      const done = this.buf.subarray(this.mark, this.pos);
      this.chunks.push(done);
      this.chunkBytes += done.length;
    }
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2, 256));
    this.pos = 0;
    this.mark = 0;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
  }

  bool(v: boolean): void {
    this.int8(v ? 1 : 0);
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  uint16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  int64(v: number): void {
    this.ensure(8);
    if (!Number.isSafeInteger(v)) {
      // Kafka's Long.MAX_VALUE / Long.MIN_VALUE sentinels (see Reader.int64).
      if (v === Infinity) this.buf.writeBigInt64BE(0x7fffffffffffffffn, this.pos);
      else if (v === -Infinity) this.buf.writeBigInt64BE(-0x8000000000000000n, this.pos);
      else throw new RangeError(`int64 value ${v} is not a safe integer`);
      this.pos += 8;
      return;
    }
    const hi = Math.floor(v / 4294967296);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(v - hi * 4294967296, this.pos + 4);
    this.pos += 8;
  }

  float64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
  }

  uvarint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  uuid(v: string): void {
    this.ensure(16);
    uuidToBytes(v, this.buf, this.pos);
    this.pos += 16;
  }

  private text(v: string, len: number): void {
    this.ensure(len);
    this.buf.write(v, this.pos, len, 'utf8');
    this.pos += len;
  }

  string(v: string): void {
    const len = Buffer.byteLength(v);
    if (len > 0x7fff) throw new RangeError(`string of ${len} bytes is longer than an int16 length allows`);
    this.int16(len);
    this.text(v, len);
  }

  nullableString(v: string | null): void {
    if (v === null) this.int16(-1);
    else this.string(v);
  }

  compactString(v: string): void {
    const len = Buffer.byteLength(v);
    this.uvarint(len + 1);
    this.text(v, len);
  }

  compactNullableString(v: string | null): void {
    if (v === null) this.uvarint(0);
    else this.compactString(v);
  }

  raw(v: Uint8Array | RecordsChunks): void {
    if (v instanceof RecordsChunks) {
      for (const c of v.chunks) this.raw(c);
      return;
    }
    if (v.length >= ZERO_COPY_MIN) {
      if (this.pos > this.mark) {
        const done = this.buf.subarray(this.mark, this.pos);
        this.chunks.push(done);
        this.chunkBytes += done.length;
        this.mark = this.pos;
      }
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.length);
      this.chunks.push(b);
      this.chunkBytes += b.length;
      return;
    }
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  bytes(v: Uint8Array | RecordsChunks): void {
    this.int32(v.length);
    this.raw(v);
  }

  nullableBytes(v: Uint8Array | RecordsChunks | null): void {
    if (v === null) this.int32(-1);
    else this.bytes(v);
  }

  compactBytes(v: Uint8Array | RecordsChunks): void {
    this.uvarint(v.length + 1);
    this.raw(v);
  }

  compactNullableBytes(v: Uint8Array | RecordsChunks | null): void {
    if (v === null) this.uvarint(0);
    else this.compactBytes(v);
  }

  // Writes a tagged-field section: the known fields (already encoded by the caller into
  // `known`, in tag order) merged with unknown fields kept from decoding, all sorted by tag.
  taggedFields(known: TaggedField[] | null, unknown: TaggedField[] | undefined): void {
    let all = known ?? [];
    if (unknown !== undefined && unknown.length > 0) all = [...all, ...unknown].sort((a, b) => a.tag - b.tag);
    this.uvarint(all.length);
    for (const f of all) {
      this.uvarint(f.tag);
      this.uvarint(f.data.length);
      this.raw(f.data);
    }
  }

  // The encoded pieces, in order. The writer must not be used afterwards.
  finish(): Buffer[] {
    if (this.pos > this.mark) this.chunks.push(this.buf.subarray(this.mark, this.pos));
    this.mark = this.pos;
    return this.chunks;
  }

  // The encoded bytes as one buffer (copies when there is more than one piece).
  toBuffer(): Buffer {
    const parts = this.finish();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

// Encodes a tagged field's value with its own writer, as the tagged section needs its size first.
export function encodeTagged(tag: number, write: (w: Writer) => void): TaggedField {
  const w = new Writer(32);
  write(w);
  return { tag, data: w.toBuffer() };
}
