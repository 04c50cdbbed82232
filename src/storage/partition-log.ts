// The log of one partition: segments, offsets, the high watermark, appends, reads, roll,
// retention and DeleteRecords. Disk and memory engines share this class: the engine is the
// log's SegmentStore (segment-store.ts), chosen when the log is created; the log cleaner replaces
// segments through replaceSegments, and readers lease the segments they read.
// Three ways in (issue 12): appendAsLeader (a client's batch, every leader rule:
// leader-append.ts), appendAsFollower (a leader's batches as they are: follower-scan.ts), and
// append (batches samsa builds itself: markers, coordinator records); truncateTo and
// truncateFullyAndStartAt repair a follower's divergence. Storage owns every per-partition file:
// segments and indexes, producer snapshots (producer-state.ts), .txnindex (txn-index.ts).
//
// Appends are synchronous up to the page cache hand-off: offsets are assigned, batches stamped
// in place inside the request frame (no copy), indexes updated, and the bytes handed to the
// store (disk: queued for one positional writev per flush of the queue, group commit,
// disk-segment-store.ts). The high watermark, and with it the ack of acks=1/all and the
// visibility to consumers, advances when the store reports the write (written()), so an
// acknowledged record is in the file and survives `kill -9`.
import { segmentName, type Segment, type ReadChunk } from './segment.js';
import { readBatchHeaderFields } from '../protocol/records/header.js';
import { MAX_TIMESTAMP_OFFSET, MIN_BATCH_SIZE } from '../protocol/records/layout.js';
import type { LogConfig } from './log-config.js';
import type { FdCache } from './fd-cache.js';
import type { Logger } from '../log.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { ProducerStateManager } from './producer-state.js';
import { replayBatch, rebuildProducerState } from './producer-replay.js';
import { scanFollowerBatches } from './follower-scan.js';
import { AbortedTxnIndex } from './txn-index.js';
import type { SegmentStore, SegmentStoreFactory, SegmentStoreOwner } from './segment-store.js';
import { CleaningAborted, runHook, type SwapHooks } from './cleaner/segment-swap.js';
import { appendAsLeader, type LeaderAppendContext, type LeaderAppendResult } from './leader-append.js';

export type { LeaderAppendContext, LeaderAppendResult, TxnVerifier } from './leader-append.js';

export interface AppendBatch {
  position: number; // within `records`
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: number; // after LogAppendTime, if applied
}

export interface AppendInfo {
  baseOffset: number;
  lastOffset: number;
  logStartOffset: number;
}

export interface ReadResult extends ReadChunk {
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
}

export class PartitionLog implements SegmentStoreOwner {
  segments: Segment[] = [];
  logStartOffset = 0;
  logEndOffset = 0;
  highWatermark = 0;
  // Leader epoch cache: (epoch, first offset of that epoch), ascending (KIP-101).
  epochs: Array<{ epoch: number; startOffset: number }> = [];
  private failed: Error | null = null;
  private readonly ackWaiters: Array<{ offset: number; resolve: () => void; reject: (e: Error) => void }> = [];
  // Idempotent producers' sequence state (KIP-98).
  readonly producers: ProducerStateManager;
  // Transactions (KIP-98): aborted transactions for read_committed fetches (.txnindex).
  readonly abortedTxns = new AbortedTxnIndex();
  // Called whenever the high watermark advances (fetch long polls wait on it).
  onHighWatermark: (() => void) | null = null;
  // Called when a failed write takes the log offline (the log manager brings it back).
  onOffline: ((err: Error) => void) | null = null;
  private closed = false;
  // A follower's high watermark is the leader's (updateFollowerHighWatermark), not its own log
  // end: null while this log is appended to as a leader.
  private followerHighWatermark: number | null = null;
  // A leader of a replicated partition (src/replication/): the smallest log end offset of the
  // other ISR members (-1 while one is unknown), which caps the high watermark (Kafka's
  // Partition.maybeIncrementLeaderHW). Infinity on a single broker: the ISR is this broker.
  private isrEnd = Number.POSITIVE_INFINITY;
  // acks=1 waits for the leader's own write only (writtenEnd), acks=all for the high watermark.
  private readonly writeWaiters: Array<{ offset: number; resolve: () => void; reject: (e: Error) => void }> = [];
  // Called after each write reached the store, while this log leads a partition with followers:
  // their fetches read up to the written end, so their long polls wake on it (not on the HW).
  onWritten: (() => void) | null = null;

  // The storage engine (disk files or memory), chosen once, here.
  readonly store: SegmentStore;

  constructor(
    readonly topic: string,
    readonly partition: number,
    engine: SegmentStoreFactory,
    public config: LogConfig,
    private readonly fds: FdCache,
    private readonly log: Logger,
  ) {
    this.producers = new ProducerStateManager(`${topic}-${partition}`);
    this.store = engine(this);
  }

  /** The partition's directory (disk engine), else null. */
  get dir(): string | null {
    return this.store.dir;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get name(): string {
    return `${this.topic}-${this.partition}`;
  }

  get logger(): Logger {
    return this.log;
  }

  // The last stable offset: the first offset of the earliest open transaction, else the high
  // watermark (read_committed consumers read no further).
  get lastStableOffset(): number {
    const first = this.producers.firstUnstableOffset();
    return first >= 0 && first < this.highWatermark ? first : this.highWatermark;
  }

  get activeSegment(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  get sizeInBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  // A new, empty log (CreateTopics) or the start of recovery (see log-loader.ts), whose first
  // segment starts at `baseOffset`.
  initEmpty(now: number, baseOffset = 0): void {
    this.store.create();
    this.segments = [this.newSegment(baseOffset, now)];
  }

  // Bytes of recent batches the active segment keeps in memory for fetches from the tail (a
  // FileSegment's cache; a MemorySegment keeps everything anyway).
  private tailBytes = 0;
  set tailLimit(bytes: number) {
    this.tailBytes = bytes;
    this.segments[this.segments.length - 1]?.setTailLimit(bytes);
  }

  newSegment(baseOffset: number, now: number): Segment {
    const s = this.store.newSegment(baseOffset, now);
    s.setTailLimit(this.tailBytes);
    return s;
  }

  // ---- append ----

  // A client's batch (Produce): every leader rule, then the append (leader-append.ts). Returns
  // the result directly when nothing had to wait (an uncompressed batch: the hot path), else a
  // promise of it.
  appendAsLeader(records: Buffer | null, context: LeaderAppendContext): LeaderAppendResult | Promise<LeaderAppendResult> {
    return appendAsLeader(this, records, context);
  }

  // Appends already validated batches that lie back to back in `records` (a view into the
  // request frame). Stamps offsets and the leader epoch in place. Returns the assigned offsets;
  // `waitDurable(lastOffset)` resolves when they are written.
  append(
    records: Buffer,
    batches: readonly AppendBatch[],
    leaderEpoch: number,
    now: number,
    stamp: (buf: Buffer, pos: number, baseOffset: number, epoch: number) => void,
  ): AppendInfo {
    if (this.failed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.name} is offline: ${this.failed.message}`);
    this.followerHighWatermark = null;
    const first = batches[0]!;
    // Everything that can refuse the append is checked before anything changes: a half-done
    // append must not leave offsets, indexes or the segment's max timestamp behind (issue 11).
    let total = 0;
    for (const b of batches) {
      if (!(b.size >= MIN_BATCH_SIZE && b.position >= 0 && b.position + b.size <= records.length && b.position === first.position + total)) {
        throw new KafkaError(
          ErrorCode.CORRUPT_MESSAGE,
          `append to ${this.name}: batch of ${b.size} bytes at ${b.position} is not inside the ${records.length} bytes given`,
        );
      }
      total += b.size;
    }
    this.maybeRoll(total, now, this.logEndOffset);
    const seg = this.activeSegment;
    const baseOffset = this.logEndOffset;
    let offset = baseOffset;
    const startPosition = seg.size;
    let count = 0;
    for (const b of batches) {
      stamp(records, b.position, offset, leaderEpoch);
      const last = offset + b.lastOffsetDelta;
      seg.addBatch(records.subarray(b.position, b.position + b.size), last, b.maxTimestamp, this.config.indexIntervalBytes);
      count += b.lastOffsetDelta + 1;
      offset = last + 1;
    }
    this.logEndOffset = offset;
    if (this.epochs.length === 0 || leaderEpoch > this.epochs[this.epochs.length - 1]!.epoch) {
      this.epochs.push({ epoch: leaderEpoch, startOffset: baseOffset });
      this.writeEpochCheckpoint();
    }
    this.store.write(seg, startPosition, records, first.position, total, offset - 1, count);
    return { baseOffset, lastOffset: offset - 1, logStartOffset: this.logStartOffset };
  }

  // A follower's append (replication): the leader's batches with their offsets and leader epochs
  // as given. Checked: CRC, magic 2, whole batches, max.message.bytes, offsets increasing and not
  // below the log end (gaps are allowed: a compacted leader log has them, as in Kafka's
  // UnifiedLog.appendAsFollower). Producer state and aborted transactions follow the batches,
  // without the sequence checks of a client append. Throws KafkaError for bad input, with nothing
  // changed.
  appendAsFollower(records: Buffer, now = Date.now()): AppendInfo {
    if (this.failed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.name} is offline: ${this.failed.message}`);
    // Nothing fetched: nothing to do (Kafka returns before appending when no bytes are valid).
    if (records.length === 0) return { baseOffset: -1, lastOffset: this.logEndOffset - 1, logStartOffset: this.logStartOffset };
    const batches = scanFollowerBatches(records, this.name, this.logEndOffset, this.config.maxMessageBytes, now);
    // Becoming a follower: the high watermark stays until the leader's is known.
    if (this.followerHighWatermark === null) this.followerHighWatermark = this.highWatermark;
    const first = batches[0]!;
    const last = batches[batches.length - 1]!;
    this.maybeRoll(records.length, now, last.lastOffset, first.baseOffset);
    const seg = this.activeSegment;
    const startPosition = seg.size;
    let recordCount = 0;
    let epochsChanged = false;
    for (const b of batches) {
      seg.addBatch(records.subarray(b.position, b.position + b.size), b.lastOffset, b.maxTimestamp, this.config.indexIntervalBytes);
      recordCount += b.lastOffset - b.baseOffset + 1;
      // Kafka's LeaderEpochFileCache.assign: a newer epoch starts at this batch.
      const latest = this.epochs[this.epochs.length - 1];
      if (b.leaderEpoch >= 0 && (!latest || b.leaderEpoch > latest.epoch)) {
        this.epochs.push({ epoch: b.leaderEpoch, startOffset: b.baseOffset });
        epochsChanged = true;
      }
    }
    this.logEndOffset = last.lastOffset + 1;
    if (epochsChanged) this.writeEpochCheckpoint();
    for (const b of batches) replayBatch(this, records, b.position);
    this.store.write(seg, startPosition, records, 0, records.length, last.lastOffset, recordCount);
    return { baseOffset: first.baseOffset, lastOffset: last.lastOffset, logStartOffset: this.logStartOffset };
  }

  // ---- truncation (a follower whose log diverged from its leader's, KIP-101) ----

  // Removes every record at or after `offset` (Kafka's UnifiedLog.truncateTo). A batch that
  // straddles `offset` goes whole. Refused below the high watermark: those records were
  // acknowledged and may have been read, unless `belowHighWatermark` (a follower after an unclean
  // leader election: the new leader's log wins, as in Kafka; the high watermark follows down).
  // Waits for queued writes first; synchronous after that.
  async truncateTo(offset: number, belowHighWatermark = false): Promise<void> {
    await this.drainWrites();
    if (offset >= this.logEndOffset) return;
    if (belowHighWatermark && offset < this.highWatermark) {
      this.highWatermark = offset;
      if (this.followerHighWatermark !== null) this.followerHighWatermark = Math.min(this.followerHighWatermark, offset);
    }
    if (offset < this.highWatermark) throw this.belowHighWatermark(offset);
    const keep = this.segmentIndexFor(offset);
    // Kafka keeps a segment whose base offset equals `offset` (emptied), and drops those after.
    const seg = this.segments[keep]!;
    const cut = seg.findCut(offset);
    const end = cut === null ? offset : Math.min(offset, cut.baseOffset);
    if (belowHighWatermark && end < this.highWatermark) this.highWatermark = end;
    if (end < this.highWatermark) throw this.belowHighWatermark(end);
    for (const doomed of this.segments.splice(keep + 1)) this.store.deleteSegment(doomed);
    if (cut !== null) {
      seg.truncateTo(cut.position, cut.lastKeptOffset);
      this.store.truncateSegment(seg, cut.position);
    }
    this.logEndOffset = end;
    this.writtenEnd = Math.min(this.writtenEnd, end);
    this.activeSegment.setTailLimit(this.tailBytes);
    this.truncateEpochsFromEnd(end);
    this.abortedTxns.truncateFrom(end);
    this.store.rewriteAbortedTxns(this.abortedTxns, seg.baseOffset, end);
    // Producer state as of `end`: the newest snapshot at or below it, then the batches after.
    await rebuildProducerState(this);
    this.log.info({ partition: this.name, offset: end }, 'truncated log');
  }

  // Removes every record and starts the log empty at `offset` (Kafka's
  // UnifiedLog.truncateFullyAndStartAt): a follower whose fetch offset is outside the leader's
  // log (below its log start, or past its end) starts over. The high watermark and log start
  // become `offset`, even below the old high watermark: that is the point of starting over.
  async truncateFullyAndStartAt(offset: number, now = Date.now()): Promise<void> {
    await this.drainWrites();
    for (const doomed of this.segments.splice(0)) this.store.deleteSegment(doomed);
    this.store.deleteProducerSnapshots();
    this.segments = [this.newSegment(offset, now)];
    this.logStartOffset = this.logEndOffset = this.highWatermark = this.writtenEnd = offset;
    if (this.followerHighWatermark !== null) this.followerHighWatermark = offset;
    this.epochs = [];
    this.writeEpochCheckpoint();
    this.abortedTxns.clear();
    this.producers.producers.clear();
    this.log.info({ partition: this.name, offset }, 'truncated log fully');
  }

  private belowHighWatermark(offset: number): KafkaError {
    return new KafkaError(
      ErrorCode.OFFSET_OUT_OF_RANGE,
      `Cannot truncate ${this.name} to ${offset}: below its high watermark ${this.highWatermark}, whose records were acknowledged`,
    );
  }

  // Resolves when every queued write has reached the file (a truncation waits for this before it
  // touches the files).
  async drainWrites(): Promise<void> {
    while (this.store.writesPending && !this.failed) await new Promise((r) => setTimeout(r, 1));
    if (this.failed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.name} is offline: ${this.failed.message}`);
  }

  // Kafka's LeaderEpochFileCache.truncateFromEnd: epochs starting at or after the new log end go.
  private truncateEpochsFromEnd(end: number): void {
    const n = this.epochs.length;
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1]!.startOffset >= end) this.epochs.pop();
    if (this.epochs.length !== n) this.writeEpochCheckpoint();
  }

  // Resolves once every offset up to `lastOffset` is in this broker's store (acks=1): on a single
  // broker the same moment as waitDurable; on a replicated leader, before the ISR has it.
  waitWritten(lastOffset: number): Promise<void> {
    if (this.durableEnd > lastOffset) return Promise.resolve();
    if (this.failed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, this.failed.message));
    return new Promise((resolve, reject) => this.writeWaiters.push({ offset: lastOffset, resolve, reject }));
  }

  // Resolves once every offset up to `lastOffset` is written (the high watermark passed it).
  waitDurable(lastOffset: number): Promise<void> {
    if (this.highWatermark > lastOffset) return Promise.resolve();
    if (this.failed) return Promise.reject(new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, this.failed.message));
    return new Promise((resolve, reject) => this.ackWaiters.push({ offset: lastOffset, resolve, reject }));
  }

  // `upTo`: the largest offset the active segment would hold after the append (a leader append
  // checks the log end, as before; a follower append its batches' last offset).
  private maybeRoll(incomingBytes: number, now: number, upTo: number, rollAt = this.logEndOffset): void {
    const seg = this.activeSegment;
    if (seg.isEmpty) return;
    const tooBig = seg.size + incomingBytes > this.config.segmentBytes;
    // ---- log cleaner: a compacted log also rolls at max.compaction.lag.ms (KIP-354, Kafka's
    // LogConfig.maxSegmentMs), so records in the active segment become cleanable in time. ----
    const segmentMs = this.config.cleanupPolicy.includes('compact') ? Math.min(this.config.segmentMs, this.config.maxCompactionLagMs) : this.config.segmentMs;
    const tooOld = now - seg.createdMs > segmentMs - this.config.segmentJitterMs;
    // Index positions and relative offsets are int32 in Kafka's formats.
    const offsetsFull = upTo - seg.baseOffset > 0x7fffffff - 1;
    if (tooBig || tooOld || offsetsFull) this.roll(now, tooBig ? 'segment.bytes' : tooOld ? 'segment.ms' : 'offset range', rollAt);
  }

  // `baseOffset`: the new segment's; a follower rolls at its next batch's base offset, which may
  // lie past the log end when the leader's log was compacted (Kafka's UnifiedLog.maybeRoll).
  roll(now: number, why: string, baseOffset = this.logEndOffset): void {
    // Only the active segment keeps a tail cache; the old one is read from the page cache.
    this.activeSegment.setTailLimit(0);
    const next = this.newSegment(baseOffset, now);
    this.segments.push(next);
    // Kafka snapshots producer state at every roll, so recovery replays at most one segment.
    this.store.writeProducerSnapshot(next.baseOffset, this.producers);
    this.log.debug({ partition: this.name, baseOffset: next.baseOffset, why }, 'rolled segment');
  }

  // Every offset below `end` is in the file (disk) or kept (memory). A leader's high watermark
  // follows (single node: the ISR is this broker); a follower's stays at most the leader's.
  private writtenEnd = 0;
  written(end: number): void {
    this.writtenEnd = end;
    this.advanceHighWatermark(Math.min(end, this.followerHighWatermark ?? this.isrEnd));
    while (this.writeWaiters.length > 0 && this.writeWaiters[0]!.offset < end) this.writeWaiters.shift()!.resolve();
    this.onWritten?.();
  }

  // Offsets below this are written: everything appended when no write is queued or running.
  private get durableEnd(): number {
    return this.store.writesPending ? this.writtenEnd : this.logEndOffset;
  }

  // The end of what is in this broker's store: a leader serves its followers up to here, and
  // counts it as its own log end offset in the ISR's high watermark.
  get writtenEndOffset(): number {
    return this.durableEnd;
  }

  // The newest leader epoch in the epoch cache, -1 if none (a follower's lastFetchedEpoch).
  get latestEpoch(): number {
    return this.epochs.length > 0 ? this.epochs[this.epochs.length - 1]!.epoch : -1;
  }

  // ---- roles (src/replication/ReplicaManager) ----

  // Leads a partition: the high watermark is min(written end, `isrEnd`) from now on.
  makeLeader(isrEnd: number): void {
    this.followerHighWatermark = null;
    this.updateIsrEnd(isrEnd);
  }

  // Follows: the high watermark stays where it is until the leader's is known. Produce requests
  // still waiting for acks learn that this broker no longer leads (Kafka's DelayedProduce), and
  // retry on the new leader.
  makeFollower(): void {
    this.isrEnd = Number.POSITIVE_INFINITY;
    this.onWritten = null;
    if (this.followerHighWatermark === null) this.followerHighWatermark = this.highWatermark;
    if (this.ackWaiters.length > 0 || this.writeWaiters.length > 0) {
      const e = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.name} is no longer led by this broker`);
      for (const w of this.ackWaiters.splice(0)) w.reject(e);
      for (const w of this.writeWaiters.splice(0)) w.reject(e);
    }
  }

  // The leader's view of the other ISR members changed (a fetch, an ISR change).
  updateIsrEnd(isrEnd: number): void {
    this.isrEnd = isrEnd;
    this.advanceHighWatermark(Math.min(this.durableEnd, isrEnd));
  }

  // A replicated log's high watermark at start-up (replication-offset-checkpoint): Kafka's
  // UnifiedLog.updateHighWatermark, kept within [log start, log end]. Loading sets it to the log
  // end, which only a single broker may assume.
  restoreHighWatermark(hw: number): void {
    this.highWatermark = Math.max(this.logStartOffset, Math.min(hw, this.logEndOffset));
  }

  // The leader's high watermark, from a follower's fetch response (Kafka's
  // UnifiedLog.updateHighWatermark): this log's moves there once the records are written here.
  updateFollowerHighWatermark(leaderHighWatermark: number): void {
    this.followerHighWatermark = leaderHighWatermark;
    this.advanceHighWatermark(Math.min(leaderHighWatermark, this.durableEnd));
  }

  private advanceHighWatermark(hw: number): void {
    if (hw <= this.highWatermark) return;
    this.highWatermark = hw;
    while (this.ackWaiters.length > 0 && this.ackWaiters[0]!.offset < hw) this.ackWaiters.shift()!.resolve();
    this.onHighWatermark?.();
  }

  // A failed write takes the log offline (as Kafka takes a failed log dir offline): nothing
  // after the failure is acknowledged.
  fail(err: Error): void {
    this.failed = err;
    this.log.error({ partition: this.name, err: err.message }, 'log write failed; partition offline');
    const e = new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `write to ${this.name} failed: ${err.message}`);
    for (const w of this.ackWaiters.splice(0)) w.reject(e);
    for (const w of this.writeWaiters.splice(0)) w.reject(e);
    this.onOffline?.(err);
  }

  // ---- read ----

  checkFetchOffset(offset: number): void {
    if (offset < this.logStartOffset || offset > this.logEndOffset) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Offset ${offset} is out of range for partition ${this.name}: log start offset ${this.logStartOffset}, log end offset ${this.logEndOffset}`,
      );
    }
  }

  // Whole batches from the one containing `offset`, up to `maxBytes` (the first batch even when
  // larger, if `minOneBatch`), not past `endOffset` (high watermark or last stable offset).
  async read(offset: number, maxBytes: number, minOneBatch: boolean, endOffset = this.highWatermark): Promise<ReadResult> {
    this.checkFetchOffset(offset);
    const result: ReadResult = {
      buffers: [],
      bytes: 0,
      nextOffset: -1,
      highWatermark: this.highWatermark,
      logStartOffset: this.logStartOffset,
      lastStableOffset: this.lastStableOffset,
    };
    if (offset >= endOffset) return result;
    let seg: Segment | undefined = this.segments[this.segmentIndexFor(offset)];
    let from = offset;
    while (seg !== undefined && result.bytes < maxBytes) {
      seg.lease(); // the log cleaner does not replace a segment while it is read
      let chunk: ReadChunk;
      try {
        chunk = await seg.read(from, maxBytes - result.bytes, minOneBatch && result.buffers.length === 0, endOffset, this.fds);
      } finally {
        seg.release();
      }
      result.buffers.push(...chunk.buffers);
      result.bytes += chunk.bytes;
      if (chunk.nextOffset >= 0) {
        result.nextOffset = chunk.nextOffset;
        from = chunk.nextOffset;
      }
      // Continue into the next segment only if this one was read to its end. An empty chunk from
      // a segment that still has batches at or after `from` means the next batch did not fit:
      // stop there rather than skip it and serve later segments.
      if (!(chunk.nextOffset > seg.lastOffset || (chunk.nextOffset < 0 && seg.lastOffset < from))) break;
      if (from >= endOffset) break;
      // ---- log cleaner: the segment list may have changed during the await (the cleaner swapped
      // cleaned segments in, retention deleted the oldest), so positions in it are not stable.
      // Go on after `seg` if it is still listed (from its base offset: a cleaned segment may end,
      // or be empty, well before the next begins); else from the segment that now holds `from` (a
      // cleaned replacement holds a subset of the same offsets, possibly merged with the next). ----
      const at = this.segments.indexOf(seg);
      seg = at >= 0 ? this.segments[at + 1] : this.segments[this.segmentIndexFor(from)];
      if (seg !== undefined && seg.baseOffset > from) from = seg.baseOffset;
    }
    return result;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ---- offsets by time (ListOffsets) ----

  // The first batch whose max timestamp is >= `timestamp`: its base offset and max timestamp,
  // or null when no record is that recent.
  async batchForTimestamp(timestamp: number): Promise<{ buf: Buffer; position: number } | null> {
    for (const seg of this.segments) {
      if (seg.maxTimestamp < timestamp) continue;
      const from = Math.max(seg.timeIndex.lookup(timestamp), seg.baseOffset, this.logStartOffset);
      let offset = from;
      for (;;) {
        seg.lease();
        let chunk: ReadChunk;
        try {
          chunk = await seg.read(offset, 64 * 1024, true, this.highWatermark, this.fds);
        } finally {
          seg.release();
        }
        if (chunk.buffers.length === 0) break;
        for (const b of chunk.buffers) {
          const h = readBatchHeaderFields(b, 0);
          if (h.lastOffset >= this.logStartOffset && b.readBigInt64BE(MAX_TIMESTAMP_OFFSET) >= BigInt(timestamp)) return { buf: b, position: 0 };
        }
        offset = chunk.nextOffset;
      }
    }
    return null;
  }

  // ---- retention and DeleteRecords ----

  // DeleteRecords: moves the log start offset forward (never back); whole segments below it go.
  deleteRecordsBefore(offset: number, now: number): number {
    const target = offset === -1 ? this.highWatermark : offset;
    if (target < 0 || target > this.highWatermark) {
      throw new KafkaError(
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `Cannot increment the log start offset to ${target} of partition ${this.name} since it is larger than the high watermark ${this.highWatermark}`,
      );
    }
    if (target > this.logStartOffset) {
      this.logStartOffset = target;
      this.truncateEpochsFromStart();
      this.deleteSegmentsBelowStart(now, 'DeleteRecords');
    }
    return this.logStartOffset;
  }

  private deleteSegmentsBelowStart(now: number, why: string): void {
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= this.logStartOffset) this.deleteOldest(now, why);
  }

  // Time and size retention (cleanup.policy contains delete). Returns segments deleted.
  applyRetention(now: number): number {
    if (!this.config.cleanupPolicy.includes('delete')) return 0;
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    if (retentionMs >= 0 && Number.isFinite(retentionMs)) {
      // The active segment may expire too: roll first so that it can go (as Kafka does).
      const active = this.activeSegment;
      if (!active.isEmpty && active.maxTimestamp >= 0 && now - active.maxTimestamp > retentionMs && this.highWatermark === this.logEndOffset) {
        this.roll(now, 'retention.ms');
      }
      while (this.oldestDeletable()) {
        const s = this.segments[0]!;
        const last = s.maxTimestamp >= 0 ? s.maxTimestamp : s.createdMs;
        if (now - last <= retentionMs) break;
        this.deleteOldest(now, 'retention.ms');
        deleted++;
      }
    }
    if (retentionBytes >= 0) {
      let excess = this.sizeInBytes - retentionBytes;
      while (this.oldestDeletable() && excess >= this.segments[0]!.size) {
        excess -= this.segments[0]!.size;
        this.deleteOldest(now, 'retention.bytes');
        deleted++;
      }
    }
    return deleted;
  }

  // Retention may delete the oldest segment only if another follows it and it lies wholly below
  // the high watermark (Kafka's deletableSegments): on disk the high watermark trails appends
  // whose write is still in flight, and the log start offset must never pass it.
  private oldestDeletable(): boolean {
    return this.segments.length > 1 && this.segments[1]!.baseOffset <= this.highWatermark;
  }

  private deleteOldest(now: number, why: string): void {
    const s = this.segments.shift()!;
    const next = this.segments[0]!;
    this.logStartOffset = Math.max(this.logStartOffset, next.baseOffset);
    this.truncateEpochsFromStart();
    this.abortedTxns.trimBelow(this.logStartOffset);
    this.log.info({ partition: this.name, baseOffset: s.baseOffset, bytes: s.size, why, logStartOffset: this.logStartOffset }, 'deleting segment');
    this.store.deleteSegment(s);
    void now;
  }

  // ---- the log cleaner ----

  /**
   * Replaces `group` (contiguous, non-active segments of this log) with `cleaned`, whose base
   * offset is the group's first (Kafka's LocalLog.replaceSegments). Waits, up to `waitMs`, until
   * no reader holds a lease on the group; then commits the swap in storage and in the segment
   * list in one synchronous step. Throws CleaningAborted, leaving the log as it was, if the group
   * is no longer in the log, the log is closing (`live`), or the leases outlast `waitMs`.
   */
  async replaceSegments(group: readonly Segment[], cleaned: Segment, live: () => boolean, hooks?: SwapHooks, waitMs = 30_000): Promise<void> {
    const leased = group.filter((s) => s.leased);
    if (leased.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), waitMs)));
      const released = Promise.all(leased.map((s) => s.whenUnleased())).then(() => false);
      const late = await Promise.race([released, timedOut]);
      clearTimeout(timer);
      if (late && group.some((s) => s.leased)) throw new CleaningAborted(`reads of the segments to replace did not finish within ${waitMs} ms`);
    }
    // From here to the end: synchronous.
    if (!live()) throw new CleaningAborted('the log is closing');
    const at = this.segments.indexOf(group[0]!);
    if (at < 0 || at + group.length >= this.segments.length || group.some((s, k) => this.segments[at + k] !== s)) {
      throw new CleaningAborted('the segments to replace changed during the clean (retention or DeleteRecords)');
    }
    const removeReplaced = this.store.swapIn(group, cleaned, hooks);
    this.segments.splice(at, group.length, cleaned);
    runHook(hooks, 'swapped');
    removeReplaced();
  }

  // ---- leader epochs ----

  private writeEpochCheckpoint(): void {
    this.store.writeEpochCheckpoint(this.epochs.map((e) => `${e.epoch} ${e.startOffset}`));
  }

  loadEpochCheckpoint(): void {
    const rows = this.store.readEpochCheckpoint();
    this.epochs = rows.map(([e, o]) => ({ epoch: Number(e), startOffset: Number(o) })).filter((e) => e.startOffset <= this.logEndOffset);
  }

  // Kafka's LeaderEpochFileCache.truncateFromStart, run whenever the log start offset moves:
  // entries that start at or below it go, except that the last of them is kept, starting at the
  // log start offset. Without it, epochs whose records are all deleted would still be answered.
  private truncateEpochsFromStart(): void {
    let n = 0;
    while (n < this.epochs.length && this.epochs[n]!.startOffset <= this.logStartOffset) n++;
    if (n === 0 || (n === 1 && this.epochs[0]!.startOffset === this.logStartOffset)) return;
    const kept = { epoch: this.epochs[n - 1]!.epoch, startOffset: this.logStartOffset };
    this.epochs.splice(0, n, kept);
    this.writeEpochCheckpoint();
  }

  // OffsetForLeaderEpoch (Kafka's LeaderEpochFileCache.endOffsetFor): the largest epoch <=
  // `epoch` and the end offset of that epoch (the next epoch's start, or the log end). Kafka's
  // edge cases: -1 (UNDEFINED_EPOCH) and epochs above the latest are unknown (-1, -1); an epoch
  // below the first one known (its records deleted) ends where the first known epoch starts.
  // `currentLeaderEpoch` (the partition's, if known): Kafka enters the leader's epoch at the log
  // end when the replica becomes leader, before any record carries it; here epochs are recorded
  // by appends, so a current epoch newer than the cache counts as starting at the log end.
  endOffsetForEpoch(epoch: number, currentLeaderEpoch = -1): { leaderEpoch: number; endOffset: number } {
    let epochs = this.epochs;
    const latest = epochs[epochs.length - 1];
    if (currentLeaderEpoch >= 0 && (!latest || latest.epoch < currentLeaderEpoch))
      epochs = [...epochs, { epoch: currentLeaderEpoch, startOffset: this.logEndOffset }];
    const last = epochs[epochs.length - 1];
    if (!last || epoch === -1 || epoch > last.epoch) return { leaderEpoch: -1, endOffset: -1 };
    if (epoch === last.epoch) return { leaderEpoch: epoch, endOffset: this.logEndOffset };
    let i = epochs.length - 1;
    while (i >= 0 && epochs[i]!.epoch > epoch) i--;
    if (i < 0) return { leaderEpoch: epoch, endOffset: epochs[0]!.startOffset };
    const next = epochs[i + 1];
    return { leaderEpoch: epochs[i]!.epoch, endOffset: next ? next.startOffset : this.logEndOffset };
  }

  // ---- shutdown ----

  // Waits for queued writes, flushes the files, closes.
  async close(): Promise<void> {
    while (this.store.writesPending) {
      if (this.failed) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    this.closed = true;
    this.store.close(this.activeSegment, this.logEndOffset, this.producers, this.failed !== null);
  }

  // An abrupt stop (Broker.kill, as kill -9 would): queued writes are dropped, nothing is flushed
  // or snapshotted; resolves once the one write already handed to the kernel has ended, so a
  // restart in this process never races it.
  async kill(): Promise<void> {
    this.closed = true;
    this.store.dropQueuedWrites();
    while (this.store.writesPending && !this.failed) await new Promise((r) => setTimeout(r, 2));
  }

  // Removes the log's directory contents (topic deleted).
  markClosed(): void {
    this.closed = true;
  }
}

export { segmentName };
