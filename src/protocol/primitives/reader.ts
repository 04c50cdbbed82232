// Reader over one frame with a sticky error: decoders read every field, then check `error` once.
// After the first failure every read returns a zero value, so a truncated or lying frame can
// never throw mid-way or allocate more than the frame could hold.
import { uuidFromBytes } from './uuid.js';

export interface TaggedField {
  tag: number;
  data: Buffer;
}

export class Reader {
  offset: number;
  error: string | null = null;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    readonly end = buf.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(message: string): void {
    if (this.error === null) this.error = `${message} at byte ${this.offset}`;
    this.offset = this.end;
  }

  private need(n: number): boolean {
    if (this.error !== null) return false;
    if (this.offset + n > this.end) {
      this.fail(`needed ${n} bytes, ${this.end - this.offset} left`);
      return false;
    }
    return true;
  }

  int8(): number {
    if (!this.need(1)) return 0;
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    if (!this.need(2)) return 0;
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    if (!this.need(2)) return 0;
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    if (!this.need(4)) return 0;
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  // int64 as a JS number: exact for |v| < 2^53, which covers every offset, timestamp and
  // producer id a broker hands out. Kafka's sentinels Long.MAX_VALUE and Long.MIN_VALUE map to
  // +Infinity and -Infinity (and back in the Writer); any other value beyond 2^53 is an error.
  int64(): number {
    if (!this.need(8)) return 0;
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    if (hi > 0x1fffff || hi < -0x200000) {
      if (hi === 0x7fffffff && lo === 0xffffffff) return Infinity;
      if (hi === -0x80000000 && lo === 0) return -Infinity;
      this.offset -= 8;
      this.fail('int64 outside the safe integer range');
      return 0;
    }
    return hi * 4294967296 + lo;
  }

  float64(): number {
    if (!this.need(8)) return 0;
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      if (!this.need(1)) return 0;
      const b = this.buf[this.offset++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    this.fail('unsigned varint longer than 5 bytes');
    return 0;
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  uuid(): string {
    if (!this.need(16)) return uuidFromBytes(Buffer.alloc(16));
    const v = uuidFromBytes(this.buf.subarray(this.offset, this.offset + 16));
    this.offset += 16;
    return v;
  }

  private slice(len: number): Buffer {
    if (!this.need(len)) return Buffer.alloc(0);
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  private text(len: number): string {
    if (!this.need(len)) return '';
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) {
      this.fail('null string where a string is required');
      return '';
    }
    return this.text(len);
  }

  nullableString(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.text(len);
  }

  compactString(): string {
    const len = this.uvarint() - 1;
    if (len < 0) {
      this.fail('null compact string where a string is required');
      return '';
    }
    return this.text(len);
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.text(len);
  }

  // Byte fields are views into the frame (no copy); records stay zero-copy up to the log write.
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) {
      this.fail('null bytes where bytes are required');
      return Buffer.alloc(0);
    }
    return this.slice(len);
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.slice(len);
  }

  compactBytes(): Buffer {
    const len = this.uvarint() - 1;
    if (len < 0) {
      this.fail('null compact bytes where bytes are required');
      return Buffer.alloc(0);
    }
    return this.slice(len);
  }

  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    return len < 0 ? null : this.slice(len);
  }

  // Array lengths: -1 is null. A length larger than the bytes left is a lie (every element takes
  // at least one byte), so it fails here instead of allocating.
  arrayLength(): number {
    const len = this.int32();
    if (len > this.remaining) {
      this.fail(`array length ${len} exceeds the ${this.remaining} bytes left`);
      return -1;
    }
    return len;
  }

  compactArrayLength(): number {
    const len = this.uvarint() - 1;
    if (len > this.remaining) {
      this.fail(`array length ${len} exceeds the ${this.remaining} bytes left`);
      return -1;
    }
    return len;
  }

  // The tagged-field section of a flexible struct. Known tags are handed to `onKnown`, which
  // returns false for a tag it does not know; those are kept verbatim so they survive a re-encode.
  taggedFields(onKnown: ((tag: number, r: Reader, size: number) => boolean) | null): TaggedField[] | undefined {
    const count = this.uvarint();
    let unknown: TaggedField[] | undefined;
    let lastTag = -1;
    for (let i = 0; i < count && this.error === null; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      if (tag <= lastTag) {
        this.fail(`tagged fields out of order (tag ${tag} after ${lastTag})`);
        break;
      }
      lastTag = tag;
      if (size > this.remaining) {
        this.fail(`tagged field ${tag} of ${size} bytes exceeds the frame`);
        break;
      }
      const start = this.offset;
      if (onKnown !== null && onKnown(tag, this, size)) {
        if (this.offset !== start + size) this.fail(`tagged field ${tag} size mismatch`);
      } else {
        (unknown ??= []).push({ tag, data: this.slice(size) });
      }
    }
    return unknown;
  }
}
