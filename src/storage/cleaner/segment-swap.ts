// Writing a cleaned segment and swapping it in for the segments it replaces, crash-safely, with
// Kafka's file protocol (storage/.../log/LocalLog.replaceSegments, LogLoader):
//
//   1. write <base>.log.cleaned, <base>.index.cleaned, <base>.timeindex.cleaned; fsync them.
//   2. rename the index files .cleaned -> .swap, then the log .cleaned -> .swap. The log's .swap
//      file is the commit point: from here a restart finishes the swap.
//   3. rename every replaced segment's files (and the producer snapshots of merged-away bases)
//      to <name>.deleted; they are removed after file.delete.delay.ms (a restart removes them).
//   4. rename the .swap files to their final names; fsync the directory.
// Steps 2-4 (swapFiles, called by the disk engine) and the update of the in-memory segment list
// (PartitionLog.replaceSegments) run synchronously, in one turn of the event loop, and only once
// no reader holds a lease on the replaced segments: no reader can see the list and the files
// disagree, and no read's file handle is closed under it.
//
// Recovery at start-up (recoverInterruptedSwaps, called by log-loader.ts after it has deleted
// *.deleted and *.cleaned):
//   - index .swap files are deleted together with the live index files of their base: those
//     indexes are rebuilt from the log;
//   - for each <base>.log.swap: scan it for its offset range [base, next); delete the live
//     segments (log and indexes) whose base offset lies in that range (they are what it
//     replaces, some already renamed to .deleted); rename it to <base>.log. Its indexes are
//     rebuilt by the loader.
// A crash before the commit point leaves the old segments (the cleaned files are deleted); a crash
// after it completes the swap. Either way every offset is in exactly one segment, and nothing
// that was in the log before the clean is lost that the clean would not have removed.
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, renameSync, truncateSync, unlinkSync } from 'node:fs';
import { open, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FileSegment, MemorySegment, segmentName, type Segment } from '../segment.js';
import { readBatchHeaderFields, batchMaxTimestamp } from '../../protocol/records/header.js';
import { scanSegment } from '../recovery.js';
import type { FdCache } from '../fd-cache.js';
import { snapshotName } from '../producer-state.js';

const CLEANED = '.cleaned';
const SWAP = '.swap';
const DELETED = '.deleted';
const WRITE_BUFFER_BYTES = 1 << 20;

/** A clean given up without harm (the log changed under it, or the broker is stopping). */
export class CleaningAborted extends Error {
  override readonly name = 'CleaningAborted';
}

/** Hooks for tests: `step` runs between the steps of the swap; throwing there is a crash. */
export interface SwapHooks {
  step?: (name: string) => void;
}

/** What a hook threw: propagated as it is, with no clean-up (as if the process had died). */
export class HookThrew extends Error {
  constructor(readonly original: unknown) {
    super('cleaner hook threw');
  }
}

export function runHook(hooks: SwapHooks | undefined, name: string): void {
  if (!hooks?.step) return;
  try {
    hooks.step(name);
  } catch (err) {
    throw new HookThrew(err);
  }
}

/** Where the batches of one cleaned segment go: a file (disk mode) or the segment's memory. */
export interface CleanedSink {
  readonly segment: Segment;
  add(batch: Buffer): Promise<void>;
  /** Everything written and durable: the segment is ready to be swapped in. */
  finish(): Promise<Segment>;
  /** Removes what was written (the clean was given up). */
  discard(): Promise<void>;
}

export function memorySink(baseOffset: number, createdMs: number, indexIntervalBytes: number): CleanedSink {
  const segment = new MemorySegment(baseOffset, createdMs);
  return {
    segment,
    async add(batch) {
      segment.addBatch(batch, readBatchHeaderFields(batch, 0).lastOffset, batchMaxTimestamp(batch, 0), indexIntervalBytes);
    },
    async finish() {
      return segment;
    },
    async discard() {},
  };
}

function paths(dir: string, baseOffset: number) {
  return {
    log: join(dir, segmentName(baseOffset, '.log')),
    index: join(dir, segmentName(baseOffset, '.index')),
    timeIndex: join(dir, segmentName(baseOffset, '.timeindex')),
  };
}

/** Disk mode: <base>.log.cleaned and its indexes. `mtimeMs`: kept from the replaced segments. */
export async function diskSink(dir: string, baseOffset: number, mtimeMs: number, indexIntervalBytes: number): Promise<CleanedSink> {
  const segment = new FileSegment(dir, baseOffset, mtimeMs);
  const p = paths(dir, baseOffset);
  let fh: FileHandle | null = await open(p.log + CLEANED, 'w');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let position = 0; // where the pending bytes go in the file
  const flush = async () => {
    if (pendingBytes === 0) return;
    const bufs = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    const { bytesWritten } = await fh!.writev(bufs, position);
    if (bytesWritten !== bytes) throw new Error(`short write to ${p.log + CLEANED}: ${bytesWritten} of ${bytes} bytes`);
    position += bytes;
  };
  const close = async () => {
    const h = fh;
    fh = null;
    await h?.close();
  };
  return {
    segment,
    async add(batch) {
      const h = readBatchHeaderFields(batch, 0);
      segment.addRecovered(segment.size, h.size, h.lastOffset, batchMaxTimestamp(batch, 0), indexIntervalBytes, true);
      pending.push(batch);
      pendingBytes += batch.length;
      if (pendingBytes >= WRITE_BUFFER_BYTES) await flush();
    },
    async finish() {
      await flush();
      await fh!.sync();
      await close();
      for (const [path, bytes] of [
        [p.index + CLEANED, segment.index.toBuffer()],
        [p.timeIndex + CLEANED, segment.timeIndex.toBuffer()],
      ] as const) {
        const ih = await open(path, 'w');
        try {
          await ih.writeFile(bytes);
          await ih.sync();
        } finally {
          await ih.close();
        }
      }
      segment.index.takePending();
      segment.timeIndex.takePending();
      // Kafka keeps the last modified time of the replaced segments (Cleaner.cleanSegments).
      await utimes(p.log + CLEANED, mtimeMs / 1000, mtimeMs / 1000);
      return segment;
    },
    async discard() {
      await close().catch(() => undefined);
      for (const f of [p.log, p.index, p.timeIndex]) await unlink(f + CLEANED).catch(() => undefined);
    },
  };
}

/**
 * Disk engine: commits `cleaned` (written by diskSink) in place of `group` (contiguous FileSegments,
 * the first with its base offset), steps 2-4 above, synchronously. Returns the removal of the
 * replaced files, to run once the log's segment list holds `cleaned` (after file.delete.delay.ms).
 */
export function swapFiles(
  dir: string,
  group: readonly FileSegment[],
  cleaned: Segment,
  fds: FdCache,
  fileDeleteDelayMs: number,
  hooks?: SwapHooks,
): () => void {
  const base = cleaned.baseOffset;
  const np = paths(dir, base);
  // 2. .cleaned -> .swap; the log last: its .swap is the commit point
  renameSync(np.index + CLEANED, np.index + SWAP);
  runHook(hooks, 'index-swap');
  renameSync(np.timeIndex + CLEANED, np.timeIndex + SWAP);
  runHook(hooks, 'timeindex-swap');
  renameSync(np.log + CLEANED, np.log + SWAP);
  runHook(hooks, 'log-swap');
  // 3. the replaced segments -> .deleted
  const doomed: string[] = [];
  for (const s of group) {
    const files = [s.logPath, s.indexPath, s.timeIndexPath];
    if (s.baseOffset !== base) files.push(join(dir, snapshotName(s.baseOffset)));
    for (const f of files) {
      fds.forget(f);
      if (!existsSync(f)) continue;
      renameSync(f, f + DELETED);
      doomed.push(f + DELETED);
      runHook(hooks, `delete:${s.baseOffset}:${f.slice(f.lastIndexOf('.') + 1)}`);
    }
  }
  // 4. .swap -> final names
  renameSync(np.index + SWAP, np.index);
  runHook(hooks, 'index-final');
  renameSync(np.timeIndex + SWAP, np.timeIndex);
  runHook(hooks, 'timeindex-final');
  renameSync(np.log + SWAP, np.log);
  fsyncDir(dir);
  runHook(hooks, 'log-final');
  return () => {
    const remove = () => {
      for (const f of doomed) {
        try {
          unlinkSync(f);
        } catch {
          // gone already
        }
      }
    };
    if (fileDeleteDelayMs <= 0) remove();
    else setTimeout(remove, fileDeleteDelayMs).unref();
  };
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported on this platform (Windows): renames are still atomic
  }
}

const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex|txnindex)$/;

/**
 * Start-up: finishes a swap that a crash interrupted (see the top of this file). Call after
 * *.deleted and *.cleaned files are gone. Returns what it did, for the recovery log line.
 */
export async function recoverInterruptedSwaps(dir: string, listing?: readonly string[]): Promise<string[]> {
  // Most start-ups: the directory listing the loader already has shows no .swap file.
  if (listing !== undefined && !listing.some((f) => f.endsWith(SWAP))) return [];
  if (!existsSync(dir)) return [];
  const repairs: string[] = [];
  const files = readdirSync(dir);
  const dropIndexes = (base: string) => {
    for (const ext of ['index', 'timeindex', 'txnindex']) {
      const f = join(dir, `${base}.${ext}`);
      if (existsSync(f)) unlinkSync(f);
    }
  };
  for (const f of files) {
    const m = /^(\d{20})\.(index|timeindex|txnindex)\.swap$/.exec(f);
    if (!m) continue;
    unlinkSync(join(dir, f));
    dropIndexes(m[1]!);
    repairs.push(`${f}: interrupted swap, index dropped (rebuilt from the log)`);
  }
  for (const f of files) {
    const m = /^(\d{20})\.log\.swap$/.exec(f);
    if (!m) continue;
    const base = Number(m[1]);
    const swapPath = join(dir, f);
    let next = base;
    const scan = await scanSegment(swapPath, 0, base, (b) => (next = b.lastOffset + 1));
    if (scan.problem !== null) truncateSync(swapPath, scan.validBytes);
    dropIndexes(m[1]!);
    const replaced: number[] = [];
    for (const g of readdirSync(dir)) {
      const s = SEGMENT_FILE.exec(g);
      if (!s) continue;
      const offset = Number(s[1]);
      if (offset > base && offset < next) {
        unlinkSync(join(dir, g));
        if (s[2] === 'log') replaced.push(offset);
      }
    }
    renameSync(swapPath, join(dir, segmentName(base, '.log')));
    repairs.push(`${f}: completed an interrupted clean (offsets ${base}..${next - 1}${replaced.length ? `, replacing segments ${replaced.join(', ')}` : ''})`);
  }
  if (repairs.length > 0) fsyncDir(dir);
  return repairs;
}
