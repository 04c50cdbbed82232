// Cleaning one log (cleanup.policy=compact): which offsets may be cleaned, how dirty the log is,
// the key -> offset map over the dirty range, and the rewrite of the segments below its end.
// Kafka's rules, from storage/src/main/java/org/apache/kafka/storage/internals/log/:
//
// LogCleanerManager.cleanableOffsets / LogToClean / calculateCleanableBytes:
//   - first dirty offset: the cleaner checkpoint; reset to the log start offset when missing,
//     below the log start or above the log end (the checkpoint is then rewritten);
//   - first uncleanable offset: the lowest of the last stable offset (samsa: the high watermark,
//     which also keeps the cleaner off bytes whose write is still in flight), the active
//     segment's base offset, and, with min.compaction.lag.ms, the base offset of the first dirty
//     segment whose largest timestamp is newer than now - lag; then rounded down to the base of
//     the segment holding it: only whole segments are cleaned;
//   - cleanable ratio = cleanable bytes / (clean bytes + cleanable bytes), where clean bytes are
//     the segments below the first dirty offset and cleanable bytes the segments from it to the
//     first uncleanable offset. A log is cleaned when ratio > min.cleanable.dirty.ratio (strictly:
//     a ratio of 0 never triggers), or when max.compaction.lag.ms forces it (KIP-354: the first
//     batch of a dirty segment is older than now - max lag) and it has cleanable bytes.
// Cleaner.doClean / buildOffsetMap / groupSegmentsBySize / cleanSegments:
//   - the map covers the dirty segments' records at or after the first dirty offset; a full map
//     stops at a segment boundary; its latest offset is fast-forwarded to the end of each mapped
//     segment, and the round ends at end offset = latest offset + 1 (the new checkpoint);
//   - every segment below the end offset (clean ones too: they may hold keys the dirty range
//     updated) is rewritten, in groups whose total size stays within segment.bytes, whose
//     indexes stay within segment.index.bytes and whose offsets fit a segment's int32 relative
//     offsets; each group becomes one segment named by its first base offset;
//   - the active producers' last batches are taken at the start of each group.
// What happens to each batch and record: batch-filter.ts. The swap: segment-swap.ts.
import type { PartitionLog } from '../partition-log.js';
import type { Segment } from '../segment.js';
import type { FdCache } from '../fd-cache.js';
import { readInt64 } from '../../protocol/records/int64.js';
import { MAX_TIMESTAMP_OFFSET } from '../../protocol/records/layout.js';
import { OffsetMap, DEFAULT_MAP_CAPACITY } from './offset-map.js';
import { addBatchToMap, filterBatch, newStats, type CleanerStats, type FilterContext } from './batch-filter.js';
import { CleaningAborted, HookThrew, runHook, type CleanedSink, type SwapHooks } from './segment-swap.js';

const READ_CHUNK_BYTES = 1 << 20;
/** Work between two yields to the event loop. */
const SLICE_MS = 5;
const INT32_MAX = 0x7fffffff;
const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;

export interface CleanerEnv {
  fds: FdCache;
  /** False once the clean must stop (broker shutdown, topic deleted): it is then given up. */
  live: () => boolean;
  hooks?: SwapHooks;
  mapCapacity?: number;
  /** How long a swap waits for reads of the replaced files to finish. */
  swapWaitMs?: number;
}

export interface LogToClean {
  plog: PartitionLog;
  firstDirtyOffset: number;
  /** Rounded down to a segment base offset. */
  firstUncleanableOffset: number;
  cleanBytes: number;
  cleanableBytes: number;
  totalBytes: number;
  cleanableRatio: number;
  needCompactionNow: boolean;
  /** The checkpoint was invalid and was reset: write the reset value. */
  forceUpdateCheckpoint: boolean;
}

export interface CleanResult {
  /** The first offset not cleaned: the new cleaner checkpoint. */
  endOffset: number;
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  stats: CleanerStats;
  ms: number;
}

// ---- segments by offset (Kafka's LogSegments.values(from, to)) ----

function floorIndex(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The segments holding offsets in [from, to): the one holding `from`, then those based below `to`. */
export function segmentsIn(segments: readonly Segment[], from: number, to: number): Segment[] {
  if (to <= from) return [];
  const out: Segment[] = [];
  for (let i = Math.max(0, floorIndex(segments, from)); i < segments.length && segments[i]!.baseOffset < to; i++) out.push(segments[i]!);
  return out;
}

function nonActiveFrom(plog: PartitionLog, from: number): Segment[] {
  return segmentsIn(plog.segments, from, plog.activeSegment.baseOffset);
}

function sizeOf(segments: readonly Segment[]): number {
  let n = 0;
  for (const s of segments) n += s.size;
  return n;
}

/** Kafka's LogSegment.largestTimestamp: the largest record timestamp, else the file's mtime. */
function largestTimestamp(seg: Segment): number {
  return seg.maxTimestamp >= 0 ? seg.maxTimestamp : seg.createdMs;
}

const firstBatchTimestamps = new WeakMap<Segment, number>();

/** Kafka's LogSegment.getFirstBatchTimestamp: the first batch's max timestamp (cached). */
async function firstBatchTimestamp(seg: Segment, fds: FdCache): Promise<number> {
  const known = firstBatchTimestamps.get(seg);
  if (known !== undefined) return known;
  const chunk = await seg.readLeased(seg.baseOffset, 1, true, Number.MAX_SAFE_INTEGER, fds);
  const b = chunk.buffers[0];
  const ts = b ? readInt64(b, MAX_TIMESTAMP_OFFSET) : Number.MAX_SAFE_INTEGER;
  firstBatchTimestamps.set(seg, ts);
  return ts;
}

// ---- what to clean ----

export async function logToClean(plog: PartitionLog, checkpoint: number | undefined, now: number, fds: FdCache): Promise<LogToClean> {
  const cfg = plog.config;
  const start = plog.logStartOffset;
  const wanted = checkpoint ?? start;
  const forceUpdateCheckpoint = wanted < start || wanted > plog.logEndOffset;
  const firstDirtyOffset = forceUpdateCheckpoint ? start : wanted;
  let uncleanable = Math.min(plog.highWatermark, plog.activeSegment.baseOffset);
  if (cfg.minCompactionLagMs > 0) {
    const young = nonActiveFrom(plog, firstDirtyOffset).find((s) => largestTimestamp(s) > now - cfg.minCompactionLagMs);
    if (young) uncleanable = Math.min(uncleanable, young.baseOffset);
  }
  uncleanable = Math.max(firstDirtyOffset, uncleanable);
  // calculateCleanableBytes: down to the base of the segment holding the uncleanable offset
  const firstUncleanable = nonActiveFrom(plog, uncleanable)[0] ?? plog.activeSegment;
  const firstUncleanableOffset = firstUncleanable.baseOffset;
  const cleanableBytes = sizeOf(segmentsIn(plog.segments, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset));
  const cleanBytes = sizeOf(segmentsIn(plog.segments, -1, firstDirtyOffset));
  const totalBytes = cleanBytes + cleanableBytes;
  let needCompactionNow = false;
  if (Number.isFinite(cfg.maxCompactionLagMs)) {
    // LogCleanerManager.maxCompactionDelay
    let earliest = Number.MAX_SAFE_INTEGER;
    for (const s of nonActiveFrom(plog, firstDirtyOffset)) {
      const ts = await firstBatchTimestamp(s, fds);
      if (ts > 0 && ts < earliest) earliest = ts;
    }
    needCompactionNow = earliest < now - Math.max(0, cfg.maxCompactionLagMs);
  }
  return {
    plog,
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    cleanableRatio: totalBytes > 0 ? cleanableBytes / totalBytes : 0,
    needCompactionNow,
    forceUpdateCheckpoint,
  };
}

/** Kafka's grabFilthiestCompactedLog filter. */
export function shouldClean(ltc: LogToClean): boolean {
  if (ltc.totalBytes <= 0) return false;
  return (ltc.needCompactionNow && ltc.cleanableBytes > 0) || ltc.cleanableRatio > ltc.plog.config.minCleanableDirtyRatio;
}

// ---- the clean ----

/** Cooperative scheduling: yields to the event loop after SLICE_MS of work. */
class Yielder {
  private last = performance.now();
  async maybe(): Promise<void> {
    if (performance.now() - this.last < SLICE_MS) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = performance.now();
  }
}

function check(env: CleanerEnv): void {
  if (!env.live()) throw new CleaningAborted('the log is closing');
}

/**
 * Every batch of `seg` from the one holding `from`, in order (views: copy what you keep). A read
 * that fails because retention deleted the segment meanwhile gives the clean up.
 */
async function* batchesOf(plog: PartitionLog, seg: Segment, fds: FdCache, from = seg.baseOffset): AsyncGenerator<Buffer> {
  let offset = from;
  for (;;) {
    let chunk;
    try {
      chunk = await seg.readLeased(offset, READ_CHUNK_BYTES, true, Number.MAX_SAFE_INTEGER, fds);
    } catch (err) {
      if (!plog.segments.includes(seg)) throw new CleaningAborted(`segment ${seg.baseOffset} was deleted during the clean`);
      throw err;
    }
    if (chunk.buffers.length === 0) return;
    yield* chunk.buffers;
    offset = chunk.nextOffset;
    if (offset > seg.lastOffset) return;
  }
}

async function buildOffsetMap(plog: PartitionLog, start: number, end: number, map: OffsetMap, env: CleanerEnv, y: Yielder): Promise<void> {
  map.clear();
  const dirty = segmentsIn(plog.segments, start, end);
  for (let i = 0; i < dirty.length; i++) {
    const seg = dirty[i]!;
    for await (const batch of batchesOf(plog, seg, env.fds, Math.max(start, seg.baseOffset))) {
      check(env);
      await addBatchToMap(batch, map, start);
      await y.maybe();
    }
    // Offsets may have gaps: the map covers the segment up to the next one.
    map.updateLatestOffset((dirty[i + 1]?.baseOffset ?? end) - 1);
    if (map.full) break;
  }
}

/** Cleaner.groupSegmentsBySize, over samsa's unpreallocated indexes. */
export function groupSegmentsBySize(segments: readonly Segment[], maxSize: number, maxIndexSize: number, firstUncleanableOffset: number): Segment[][] {
  const groups: Segment[][] = [];
  let i = 0;
  while (i < segments.length) {
    const first = segments[i]!;
    const group = [first];
    let logSize = first.size;
    let indexSize = first.index.count * OFFSET_ENTRY;
    let timeIndexSize = first.timeIndex.count * TIME_ENTRY;
    i++;
    while (i < segments.length) {
      const s = segments[i]!;
      // The last offset the merged segment could hold, bounded by the next segment's base.
      const lastOffset = (segments[i + 1]?.baseOffset ?? firstUncleanableOffset) - 1;
      if (logSize + s.size > maxSize) break;
      if (indexSize + s.index.count * OFFSET_ENTRY > maxIndexSize || timeIndexSize + s.timeIndex.count * TIME_ENTRY > maxIndexSize) break;
      if (s.size > 0 && lastOffset - first.baseOffset > INT32_MAX) break;
      group.push(s);
      logSize += s.size;
      indexSize += s.index.count * OFFSET_ENTRY;
      timeIndexSize += s.timeIndex.count * TIME_ENTRY;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

/** Kafka's lastRecordsOfActiveProducers: producer id -> the last offset of its last batch. */
function lastOffsetsOfProducers(plog: PartitionLog): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of plog.producers.producers.values()) {
    const last = e.batches[e.batches.length - 1];
    if (last) out.set(e.producerId, last.lastOffset);
  }
  return out;
}

async function cleanSegments(plog: PartitionLog, group: readonly Segment[], ctx: FilterContext, env: CleanerEnv, y: Yielder): Promise<void> {
  const base = group[0]!.baseOffset;
  const mtime = plog.store.segmentMtimeMs(group[group.length - 1]!);
  const interval = plog.config.indexIntervalBytes;
  const sink: CleanedSink = await plog.store.cleanedSink(base, mtime, interval);
  try {
    for (const seg of group) {
      for await (const batch of batchesOf(plog, seg, env.fds)) {
        check(env);
        const out = await filterBatch(batch, ctx);
        if (out !== null) await sink.add(out);
        await y.maybe();
      }
    }
    const cleaned = await sink.finish();
    runHook(env.hooks, 'cleaned-written');
    await plog.replaceSegments(group, cleaned, env.live, env.hooks, env.swapWaitMs);
  } catch (err) {
    // A hook's throw stands for a crash: leave everything as it is.
    if (err instanceof HookThrew) throw err.original;
    await sink.discard();
    throw err;
  }
}

/** Cleaner.doClean for one log. Throws CleaningAborted when given up (nothing changed). */
export async function cleanLog(ltc: LogToClean, env: CleanerEnv, now = Date.now()): Promise<CleanResult> {
  const started = performance.now();
  const plog = ltc.plog;
  const y = new Yielder();
  const map = new OffsetMap(env.mapCapacity ?? DEFAULT_MAP_CAPACITY);
  await buildOffsetMap(plog, ltc.firstDirtyOffset, ltc.firstUncleanableOffset, map, env, y);
  const endOffset = map.latestOffset + 1;
  const segments = segmentsIn(plog.segments, 0, endOffset);
  const segmentsBefore = segments.length;
  const bytesBefore = sizeOf(segments);
  const groups = groupSegmentsBySize(segments, plog.config.segmentBytes, plog.config.maxIndexBytes, ltc.firstUncleanableOffset);
  const stats = newStats();
  for (const group of groups) {
    check(env);
    const ctx: FilterContext = {
      map,
      now,
      deleteRetentionMs: plog.config.deleteRetentionMs,
      lastOffsetOfProducer: lastOffsetsOfProducers(plog),
      upperBoundOffset: ltc.firstUncleanableOffset,
      stats,
    };
    await cleanSegments(plog, group, ctx, env, y);
  }
  const after = segmentsIn(plog.segments, 0, endOffset);
  return { endOffset, segmentsBefore, segmentsAfter: after.length, bytesBefore, bytesAfter: sizeOf(after), stats, ms: Math.round(performance.now() - started) };
}
