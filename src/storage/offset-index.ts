// Sparse indexes of one segment, in Kafka's on-disk formats:
//
//   <base>.index      8-byte entries: relative offset int32 | file position int32
//                     (offset = the last offset of the batch that starts at `position`)
//   <base>.timeindex  12-byte entries: timestamp int64 | relative offset int32
//                     (the largest timestamp so far and the offset of the batch holding it)
//
// Both are append-only while the segment is active, kept in memory as typed arrays for lookups,
// and written to disk with the appends they describe (entries are never rewritten). Unlike Kafka
// the files are not preallocated, so a crash can only leave a short tail, which recovery drops.
import { writeSync } from 'node:fs';
import { toInt64 } from '../protocol/records/int64.js';

export const OFFSET_ENTRY = 8;
export const TIME_ENTRY = 12;

export class OffsetIndex {
  private rel = new Int32Array(64);
  private pos = new Int32Array(64);
  count = 0;
  private pending: Buffer[] = [];

  constructor(readonly baseOffset: number) {}

  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset - 1 : this.baseOffset + this.rel[this.count - 1]!;
  }

  // An entry whose relative offset or position does not fit the file's int32 fields is left
  // out rather than thrown on: the index is sparse, lookups then start at an earlier entry, and
  // no stored batch (a lastOffsetDelta an older validation let through) can stop an append or
  // an index rebuild.
  append(offset: number, position: number): void {
    if (!fitsInt32(offset - this.baseOffset) || !fitsInt32(position)) return;
    if (this.count === this.rel.length) {
      const rel = new Int32Array(this.rel.length * 2);
      rel.set(this.rel);
      this.rel = rel;
      const pos = new Int32Array(this.pos.length * 2);
      pos.set(this.pos);
      this.pos = pos;
    }
    this.rel[this.count] = offset - this.baseOffset;
    this.pos[this.count] = position;
    this.count++;
    const e = Buffer.allocUnsafe(OFFSET_ENTRY);
    e.writeInt32BE(offset - this.baseOffset, 0);
    e.writeInt32BE(position, 4);
    this.pending.push(e);
  }

  // Position of the last indexed batch whose last offset is below `offset`: reading from there
  // reaches the batch that contains `offset` (or 0 when no entry qualifies).
  lookup(offset: number): number {
    const target = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rel[mid]! < target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? 0 : this.pos[found]!;
  }

  // Drops entries at or after `position` (log truncation).
  truncateToPosition(position: number): void {
    while (this.count > 0 && this.pos[this.count - 1]! >= position) this.count--;
    this.pending = [];
  }

  takePending(): Buffer[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  toBuffer(): Buffer {
    const b = Buffer.allocUnsafe(this.count * OFFSET_ENTRY);
    for (let i = 0; i < this.count; i++) {
      b.writeInt32BE(this.rel[i]!, i * OFFSET_ENTRY);
      b.writeInt32BE(this.pos[i]!, i * OFFSET_ENTRY + 4);
    }
    return b;
  }

  // Loads entries from an index file's bytes; returns false if they are inconsistent (not
  // increasing, or pointing past `logSize`), in which case the caller rebuilds the index.
  load(bytes: Buffer, logSize: number): boolean {
    const n = Math.floor(bytes.length / OFFSET_ENTRY);
    let lastRel = -1;
    let lastPos = -1;
    for (let i = 0; i < n; i++) {
      const rel = bytes.readInt32BE(i * OFFSET_ENTRY);
      const pos = bytes.readInt32BE(i * OFFSET_ENTRY + 4);
      if (rel === 0 && pos === 0 && i > 0) break; // preallocated zeros (a Kafka-written index)
      if (rel <= lastRel || pos <= lastPos || pos >= logSize) return false;
      this.append(this.baseOffset + rel, pos);
      lastRel = rel;
      lastPos = pos;
    }
    this.pending = [];
    return bytes.length % OFFSET_ENTRY === 0;
  }
}

export class TimeIndex {
  private ts = new Float64Array(64);
  private rel = new Int32Array(64);
  count = 0;
  private pending: Buffer[] = [];

  constructor(readonly baseOffset: number) {}

  get lastTimestamp(): number {
    return this.count === 0 ? -1 : this.ts[this.count - 1]!;
  }

  // The offset of the last entry: where the segment's largest timestamp is (-1 when empty).
  get lastOffset(): number {
    return this.count === 0 ? -1 : this.baseOffset + this.rel[this.count - 1]!;
  }

  // Never throws for a number: any timestamp a stored batch holds (Long.MAX, Long.MIN) is
  // indexed, so neither an append nor an index rebuild can be stopped by a batch's content.
  append(timestamp: number, offset: number): void {
    if (this.count > 0 && !(timestamp > this.ts[this.count - 1]!)) return;
    if (!fitsInt32(offset - this.baseOffset)) return; // as in OffsetIndex.append
    // The file entry first: nothing in memory changes unless the entry could be built.
    const e = Buffer.allocUnsafe(TIME_ENTRY);
    e.writeBigInt64BE(toInt64(timestamp), 0);
    e.writeInt32BE(offset - this.baseOffset, 8);
    if (this.count === this.ts.length) {
      const ts = new Float64Array(this.ts.length * 2);
      ts.set(this.ts);
      this.ts = ts;
      const rel = new Int32Array(this.rel.length * 2);
      rel.set(this.rel);
      this.rel = rel;
    }
    this.ts[this.count] = timestamp;
    this.rel[this.count] = offset - this.baseOffset;
    this.count++;
    this.pending.push(e);
  }

  // The offset of the last entry with a timestamp below `timestamp`: scanning from there finds
  // the first batch whose max timestamp is >= timestamp. -1 when the first entry already is.
  lookup(timestamp: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? -1 : this.baseOffset + this.rel[found]!;
  }

  truncateToOffset(offset: number): void {
    while (this.count > 0 && this.baseOffset + this.rel[this.count - 1]! >= offset) this.count--;
    this.pending = [];
  }

  takePending(): Buffer[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  toBuffer(): Buffer {
    const b = Buffer.allocUnsafe(this.count * TIME_ENTRY);
    for (let i = 0; i < this.count; i++) {
      b.writeBigInt64BE(toInt64(this.ts[i]!), i * TIME_ENTRY);
      b.writeInt32BE(this.rel[i]!, i * TIME_ENTRY + 8);
    }
    return b;
  }

  load(bytes: Buffer, lastOffset: number): boolean {
    const n = Math.floor(bytes.length / TIME_ENTRY);
    for (let i = 0; i < n; i++) {
      const ts = Number(bytes.readBigInt64BE(i * TIME_ENTRY));
      const rel = bytes.readInt32BE(i * TIME_ENTRY + 8);
      if (ts === 0 && rel === 0 && i > 0) break;
      if (this.baseOffset + rel > lastOffset) return false;
      const before = this.count;
      this.append(ts, this.baseOffset + rel);
      if (this.count === before) return false;
    }
    this.pending = [];
    return bytes.length % TIME_ENTRY === 0;
  }
}

function fitsInt32(n: number): boolean {
  return n >= -0x80000000 && n <= 0x7fffffff && Number.isInteger(n);
}

// Writes index entries appended since the last call to the given file descriptors.
export function writePending(fd: number, entries: Buffer[]): void {
  if (entries.length === 0) return;
  const b = entries.length === 1 ? entries[0]! : Buffer.concat(entries);
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}
