// The storage engine of one partition log (issue 12): where its segments, indexes and
// per-partition files live. Chosen once, when the log is created (LogManager: log.dirs or the
// memory mode), so that PartitionLog and the log cleaner hold no engine checks:
//   disk-segment-store.ts    Kafka's files in <log.dir>/<topic>-<partition>/, group-committed writes
//   memory-segment-store.ts  every batch kept in its segment, acknowledged as soon as appended
import type { Segment } from './segment.js';
import type { LogConfig } from './log-config.js';
import type { ProducerStateManager } from './producer-state.js';
import type { AbortedTxn, AbortedTxnIndex } from './txn-index.js';
import type { CleanedSink, SwapHooks } from './cleaner/segment-swap.js';

/** What a store reports back to its log (PartitionLog implements it). */
export interface SegmentStoreOwner {
  readonly name: string;
  readonly config: LogConfig;
  readonly isClosed: boolean;
  /** Every offset below `end` is stored (the high watermark may follow). */
  written(end: number): void;
  /** A write failed: the log goes offline. */
  fail(err: Error): void;
}

export interface SegmentStore {
  /** The partition's directory (disk engine; null in memory, which has none). */
  readonly dir: string | null;
  /** Whether the partition's directory is inside `logDir` (per-log-dir checkpoint files). */
  inLogDir(logDir: string): boolean;

  // ---- segments ----
  /** Prepares a new, empty log (makes its directory). */
  create(): void;
  /** A segment object over existing (or prepared) storage; creates nothing. */
  segment(baseOffset: number, createdMs: number): Segment;
  /** A new, empty segment with its storage created. */
  newSegment(baseOffset: number, createdMs: number): Segment;
  /**
   * Stores the batches appended to `seg` at `position`: `length` bytes of `records` from `start`
   * (a view is made only by an engine that keeps it: no allocation per append in memory). Calls
   * the owner's written(lastOffset + 1) once they are stored: at once (memory) or after the write
   * (disk). Hot path: no await.
   */
  write(seg: Segment, position: number, records: Buffer, start: number, length: number, lastOffset: number, count: number): void;
  /** Writes queued or in progress. */
  readonly writesPending: boolean;
  /** An abrupt stop (Broker.kill): queued writes are dropped, as by kill -9; one in flight ends. */
  dropQueuedWrites(): void;
  /** Drops the segment's bytes from `position` on (its indexes already truncated). */
  truncateSegment(seg: Segment, position: number): void;
  /** Removes a segment's storage (after file.delete.delay.ms on disk, unless the log is closed). */
  deleteSegment(seg: Segment): void;
  /** The segment's last modification time (Kafka keeps it across a clean). */
  segmentMtimeMs(seg: Segment): number;

  // ---- the log cleaner ----
  /** Where the batches of a cleaned segment starting at `baseOffset` go. */
  cleanedSink(baseOffset: number, mtimeMs: number, indexIntervalBytes: number): Promise<CleanedSink>;
  /**
   * Commits `cleaned` in place of `group` in storage, synchronously (Kafka's
   * LocalLog.replaceSegments). Returns the removal of the replaced storage, run once the log's
   * segment list holds `cleaned`.
   */
  swapIn(group: readonly Segment[], cleaned: Segment, hooks?: SwapHooks): () => void;

  // ---- per-partition state files ----
  writeEpochCheckpoint(rows: string[]): void;
  readEpochCheckpoint(): string[][];
  writeProducerSnapshot(offset: number, producers: ProducerStateManager): void;
  /** The newest producer snapshot at or below `maxOffset` (removing newer ones). */
  latestProducerSnapshot(maxOffset: number): { offset: number; read(): Buffer } | null;
  deleteProducerSnapshots(): void;
  appendAbortedTxn(segmentBaseOffset: number, entry: AbortedTxn): void;
  rewriteAbortedTxns(index: AbortedTxnIndex, segmentBaseOffset: number, endOffset: number): void;

  /** Shutdown (writes drained): snapshot the producers and flush the active segment. */
  close(active: Segment, logEndOffset: number, producers: ProducerStateManager, failed: boolean): void;
}

/** Builds a log's store; the log passes itself as the owner. */
export type SegmentStoreFactory = (owner: SegmentStoreOwner) => SegmentStore;
