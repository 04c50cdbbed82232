// The memory engine: every batch kept in its MemorySegment, nothing on disk. An append is stored
// when it returns, so the high watermark follows at once.
import { MemorySegment, type Segment } from './segment.js';
import { memorySink } from './cleaner/segment-swap.js';
import type { SegmentStore, SegmentStoreFactory, SegmentStoreOwner } from './segment-store.js';

export class MemorySegmentStore implements SegmentStore {
  readonly dir = null;
  readonly writesPending = false;
  dropQueuedWrites(): void {}

  constructor(private readonly owner: SegmentStoreOwner) {}

  inLogDir(): boolean {
    return false;
  }

  create(): void {}

  segment(baseOffset: number, createdMs: number): Segment {
    return new MemorySegment(baseOffset, createdMs);
  }

  newSegment(baseOffset: number, createdMs: number): Segment {
    return new MemorySegment(baseOffset, createdMs);
  }

  write(seg: Segment, position: number, _records: Buffer, _start: number, length: number, lastOffset: number): void {
    seg.writtenSize = position + length;
    this.owner.written(lastOffset + 1);
  }

  truncateSegment(): void {}
  deleteSegment(): void {}

  segmentMtimeMs(seg: Segment): number {
    return seg.createdMs;
  }

  cleanedSink(baseOffset: number, mtimeMs: number, indexIntervalBytes: number) {
    return Promise.resolve(memorySink(baseOffset, mtimeMs, indexIntervalBytes));
  }

  swapIn(): () => void {
    return () => undefined;
  }

  writeEpochCheckpoint(): void {}
  readEpochCheckpoint(): string[][] {
    return [];
  }
  writeProducerSnapshot(): void {}
  latestProducerSnapshot(): null {
    return null;
  }
  deleteProducerSnapshots(): void {}
  appendAbortedTxn(): void {}
  rewriteAbortedTxns(): void {}
  close(): void {}
}

export const memoryEngine: SegmentStoreFactory = (owner) => new MemorySegmentStore(owner);
