// One log segment: the batches from `baseOffset` on, in Kafka's files (docs/ARCHITECTURE.md, "Formats"):
//   <dir>/<20-digit base offset>.log        record batches exactly as served, offsets stamped
//   <dir>/<20-digit base offset>.index      see offset-index.ts
//   <dir>/<20-digit base offset>.timeindex  see offset-index.ts
// Two engines (issue 12), chosen when the log is created (segment-store.ts): a FileSegment keeps
// its batches in those files, with its most recent batches cached in memory for tail reads; a
// MemorySegment keeps every batch in that cache instead of a file, with the same offsets,
// positions and indexes, so both engines share every rule above this layer.
//
// Readers take a lease on a segment for the time of a read (lease/release): the log cleaner
// replaces segments only once no lease is held (PartitionLog.replaceSegments), so no read's file
// handle is closed under it.
import { read as fsRead, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { OffsetIndex, TimeIndex } from './offset-index.js';
import { readBatchHeaderFields } from '../protocol/records/header.js';
import { BATCH_HEADER_SIZE, LOG_OVERHEAD, MIN_BATCH_SIZE } from '../protocol/records/layout.js';
import type { FdCache } from './fd-cache.js';

export function segmentName(baseOffset: number, suffix: string): string {
  return `${String(baseOffset).padStart(20, '0')}${suffix}`;
}

export interface ReadChunk {
  buffers: Buffer[];
  bytes: number;
  // Offset after the last batch returned (-1 when nothing was returned).
  nextOffset: number;
}

export abstract class Segment {
  size = 0; // bytes appended, including bytes still on their way to the file
  writtenSize = 0; // bytes known to be in the file (disk mode)
  lastOffset: number;
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  readonly index: OffsetIndex;
  readonly timeIndex: TimeIndex;
  private bytesSinceIndex = 0;
  readonly createdMs: number;
  // The batches kept in memory, with their positions: every batch in memory mode; in disk mode
  // the most recent ones (the tail cache), which live consumers read without touching the file.
  // Entries before `memHead` were evicted (compacted away from time to time).
  protected memPositions: number[] = [];
  protected memBuffers: Buffer[] = [];
  protected memHead = 0;
  private memBytes = 0;

  constructor(
    readonly baseOffset: number,
    createdMs: number,
  ) {
    this.lastOffset = baseOffset - 1;
    this.index = new OffsetIndex(baseOffset);
    this.timeIndex = new TimeIndex(baseOffset);
    this.createdMs = createdMs;
  }

  // The cache's size limit: a FileSegment's share of the log manager's global budget (0 once
  // rolled); unlimited for a MemorySegment, whose cache is its only copy.
  protected tailLimit = 0;

  /** Sets the tail cache's size limit (a MemorySegment keeps everything and ignores it). */
  abstract setTailLimit(bytes: number): void;

  /** The first batch whose last offset is >= `offset` (see findCut below). */
  abstract findCut(offset: number): { position: number; baseOffset: number; lastKeptOffset: number } | null;

  /** Whole batches from the one holding `offset` (see FileSegment.read). */
  abstract read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset: number, fds: FdCache): Promise<ReadChunk>;

  // ---- leases (the log cleaner waits for them: PartitionLog.replaceSegments) ----
  private leases = 0;
  private unleasedWaiters: Array<() => void> | null = null;

  /** A reader starts reading this segment. Pair with release(), in a finally. */
  lease(): void {
    this.leases++;
  }

  release(): void {
    if (--this.leases === 0 && this.unleasedWaiters !== null) {
      const waiters = this.unleasedWaiters;
      this.unleasedWaiters = null;
      for (const w of waiters) w();
    }
  }

  get leased(): boolean {
    return this.leases > 0;
  }

  /** read() under a lease (for readers off the hot path: the log cleaner). */
  async readLeased(offset: number, maxBytes: number, minOneBatch: boolean, endOffset: number, fds: FdCache): Promise<ReadChunk> {
    this.lease();
    try {
      return await this.read(offset, maxBytes, minOneBatch, endOffset, fds);
    } finally {
      this.release();
    }
  }

  /** Resolves once no lease is held (at once if none is). */
  whenUnleased(): Promise<void> {
    if (this.leases === 0) return Promise.resolve();
    return new Promise((resolve) => (this.unleasedWaiters ??= []).push(resolve));
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  // Records a batch appended at the end (already stamped). Returns its position. The bytes are
  // kept in the cache (a MemorySegment's only copy); the store writes a FileSegment's.
  addBatch(buf: Buffer, lastOffset: number, maxTimestamp: number, indexIntervalBytes: number): number {
    const position = this.size;
    // The indexes first, the segment's own fields after: an index append that throws leaves
    // maxTimestamp as it was (a failed append once left it at Long.MAX, issue 11).
    // Kafka indexes the batch that crosses the interval: entry = (its last offset, its position).
    if (this.bytesSinceIndex > indexIntervalBytes || position === 0) {
      this.index.append(lastOffset, position);
      this.bytesSinceIndex = 0;
    }
    this.bytesSinceIndex += buf.length;
    if (maxTimestamp > this.maxTimestamp) {
      this.timeIndex.append(maxTimestamp, lastOffset);
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    this.size += buf.length;
    this.lastOffset = lastOffset;
    if (this.tailLimit > 0) {
      this.memPositions.push(position);
      this.memBuffers.push(buf);
      this.memBytes += buf.length;
      this.trimTail(this.tailLimit);
    }
    return position;
  }

  // Evicts the oldest cached batches until at most `limit` bytes remain.
  protected trimTail(limit: number): void {
    while (this.memBytes > limit && this.memHead < this.memBuffers.length) {
      this.memBytes -= this.memBuffers[this.memHead]!.length;
      this.memBuffers[this.memHead++] = EMPTY_BUFFER;
    }
    if (this.memHead > 1024 && this.memHead * 2 > this.memBuffers.length) {
      this.memPositions = this.memPositions.slice(this.memHead);
      this.memBuffers = this.memBuffers.slice(this.memHead);
      this.memHead = 0;
    }
  }

  // Whether the batch containing `offset` is still in memory.
  protected inTail(offset: number): boolean {
    if (this.memHead >= this.memBuffers.length) return false;
    return readBatchHeaderFields(this.memBuffers[this.memHead]!, 0).baseOffset <= offset;
  }

  // Recovery: records a batch found in the file, rebuilding the indexes as appends would have.
  addRecovered(position: number, size: number, lastOffset: number, maxTimestamp: number, indexIntervalBytes: number, rebuildIndexes: boolean): void {
    if (rebuildIndexes) {
      if (this.bytesSinceIndex > indexIntervalBytes || position === 0) {
        this.index.append(lastOffset, position);
        this.bytesSinceIndex = 0;
      }
      if (maxTimestamp > this.maxTimestamp) this.timeIndex.append(maxTimestamp, lastOffset);
    }
    this.bytesSinceIndex += size;
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = lastOffset;
    }
    this.size = position + size;
    this.writtenSize = this.size;
    this.lastOffset = lastOffset;
  }

  // ---- truncation (PartitionLog.truncateTo) ----

  // findCut: the first batch whose last offset is >= `offset`: its position and base offset,
  // and the last offset of the batch before it. Null when every batch ends before `offset`.
  protected findCutInMemory(offset: number): { position: number; baseOffset: number; lastKeptOffset: number } | null {
    let lastKept = this.baseOffset - 1;
    for (let i = 0; i < this.memBuffers.length; i++) {
      const h = readBatchHeaderFields(this.memBuffers[i]!, 0);
      if (h.lastOffset >= offset) return { position: this.memPositions[i]!, baseOffset: h.baseOffset, lastKeptOffset: lastKept };
      lastKept = h.lastOffset;
    }
    return null;
  }

  // Drops every batch from `position` on; `lastOffset` is the last offset kept (baseOffset - 1
  // when none). The indexes lose their entries there, and the largest timestamp comes back from
  // the time index (Kafka's LogSegment.truncateTo). The caller truncates the files.
  truncateTo(position: number, lastOffset: number): void {
    this.index.truncateToPosition(position);
    this.timeIndex.truncateToOffset(lastOffset + 1);
    this.maxTimestamp = this.timeIndex.lastTimestamp;
    this.offsetOfMaxTimestamp = this.timeIndex.lastOffset;
    let keep = this.memPositions.length;
    while (keep > this.memHead && this.memPositions[keep - 1]! >= position) keep--;
    for (let i = keep; i < this.memBuffers.length; i++) this.memBytes -= this.memBuffers[i]!.length;
    this.memPositions.length = keep;
    this.memBuffers.length = keep;
    if (this.memHead > keep) this.memHead = keep;
    this.size = position;
    this.writtenSize = position;
    this.lastOffset = lastOffset;
    this.bytesSinceIndex = 0;
  }

  protected readMemory(offset: number, fromPosition: number, maxBytes: number, minOneBatch: boolean, endOffset: number): ReadChunk {
    const positions = this.memPositions;
    const buffers = this.memBuffers;
    // First batch at or after the indexed position whose last offset reaches `offset`.
    let i = Math.max(this.memHead, lowerBound(positions, fromPosition));
    while (i < buffers.length && readBatchHeaderFields(buffers[i]!, 0).lastOffset < offset) i++;
    const out: Buffer[] = [];
    let bytes = 0;
    let nextOffset = -1;
    for (; i < buffers.length; i++) {
      const b = buffers[i]!;
      const h = readBatchHeaderFields(b, 0);
      if (h.baseOffset >= endOffset) break;
      if (bytes + b.length > maxBytes && !(out.length === 0 && minOneBatch)) break;
      out.push(b);
      bytes += b.length;
      nextOffset = h.lastOffset + 1;
      if (bytes >= maxBytes) break;
    }
    return { buffers: out, bytes, nextOffset };
  }
}

/** The memory engine's segment: every batch kept in the cache, none in a file. */
export class MemorySegment extends Segment {
  constructor(baseOffset: number, createdMs: number) {
    super(baseOffset, createdMs);
    this.tailLimit = Number.POSITIVE_INFINITY;
  }

  override setTailLimit(): void {
    // Nothing to evict: the cache is this segment's only copy.
  }

  override findCut(offset: number): { position: number; baseOffset: number; lastKeptOffset: number } | null {
    return this.findCutInMemory(offset);
  }

  override read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset: number): Promise<ReadChunk> {
    return Promise.resolve(this.readMemory(offset, this.index.lookup(offset), maxBytes, minOneBatch, endOffset));
  }
}

/** The disk engine's segment: its batches in <dir>/<base>.log, the newest also in the cache. */
export class FileSegment extends Segment {
  // Computed once: every write and read of the segment names its files.
  readonly logPath: string;
  readonly indexPath: string;
  readonly timeIndexPath: string;

  constructor(
    readonly dir: string,
    baseOffset: number,
    createdMs: number,
  ) {
    super(baseOffset, createdMs);
    const base = join(dir, String(baseOffset).padStart(20, '0'));
    this.logPath = `${base}.log`;
    this.indexPath = `${base}.index`;
    this.timeIndexPath = `${base}.timeindex`;
  }

  override setTailLimit(bytes: number): void {
    this.tailLimit = bytes;
    this.trimTail(bytes);
  }

  // Walks the segment from its start, the file's headers read with readSync: truncation is rare
  // and must not interleave with appends.
  override findCut(offset: number): { position: number; baseOffset: number; lastKeptOffset: number } | null {
    let lastKept = this.baseOffset - 1;
    const header = Buffer.allocUnsafe(MIN_BATCH_SIZE);
    const fd = openSync(this.logPath, 'r');
    try {
      for (let position = 0; position + MIN_BATCH_SIZE <= this.writtenSize;) {
        readSync(fd, header, 0, MIN_BATCH_SIZE, position);
        const h = readBatchHeaderFields(header, 0);
        if (h.lastOffset >= offset) return { position, baseOffset: h.baseOffset, lastKeptOffset: lastKept };
        lastKept = h.lastOffset;
        position += h.size;
      }
      return null;
    } finally {
      closeSync(fd);
    }
  }

  // Reads whole batches from the one containing `offset` (found through the index), up to
  // `maxBytes` (but always the first batch when `minOneBatch`), ending before `endOffset` (the
  // high watermark) and within `endPosition` bytes.
  override async read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset: number, fds: FdCache): Promise<ReadChunk> {
    const endPosition = this.writtenSize;
    let position = this.index.lookup(offset);
    if (this.inTail(offset)) return this.readMemory(offset, position, maxBytes, minOneBatch, endOffset);
    const out: Buffer[] = [];
    let bytes = 0;
    let nextOffset = -1;
    const path = this.logPath;
    const fd = fds.acquire(path, 'r');
    try {
      // Skip batches that end before `offset`, reading headers only.
      const header = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
      for (;;) {
        if (position + LOG_OVERHEAD > endPosition) return { buffers: out, bytes, nextOffset };
        await readFully(fd, header, 0, BATCH_HEADER_SIZE, position);
        const h = readBatchHeaderFields(header, 0);
        if (h.lastOffset >= offset) break;
        position += h.size;
      }
      const wanted = Math.max(0, Math.min(maxBytes, endPosition - position));
      let chunk = Buffer.allocUnsafe(Math.max(wanted, BATCH_HEADER_SIZE));
      let got = await readFully(fd, chunk, 0, Math.min(chunk.length, endPosition - position), position);
      let p = 0;
      // A whole header must be in the chunk before its fields are read (readBatchHeaderFields
      // reads up to byte 27); fewer than MIN_BATCH_SIZE bytes left cannot hold another batch.
      while (p + MIN_BATCH_SIZE <= got) {
        const h = readBatchHeaderFields(chunk, p);
        if (h.baseOffset >= endOffset) break;
        if (p + h.size > got) {
          if (out.length === 0 && minOneBatch && position + h.size <= endPosition) {
            // The first batch is larger than maxBytes: Kafka returns it whole.
            chunk = Buffer.allocUnsafe(h.size);
            got = await readFully(fd, chunk, 0, h.size, position);
            out.push(chunk);
            bytes = h.size;
            nextOffset = h.lastOffset + 1;
          }
          break;
        }
        out.push(chunk.subarray(p, p + h.size));
        bytes += h.size;
        nextOffset = h.lastOffset + 1;
        p += h.size;
      }
      return { buffers: out, bytes, nextOffset };
    } finally {
      fds.release(path, 'r', fd);
    }
  }
}

const EMPTY_BUFFER = Buffer.alloc(0);

function lowerBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function readFully(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = () => {
      fsRead(fd, buf, offset + done, length - done, position + done, (err, n) => {
        if (err) return reject(err);
        done += n;
        if (n === 0 || done >= length) resolve(done);
        else step();
      });
    };
    if (length <= 0) resolve(0);
    else step();
  });
}
