// Opens a partition log from its directory at start-up, repairing what a crash can leave:
// - leftover files of unfinished deletes (*.deleted) and temp files are removed;
// - after an unclean shutdown the active segment is checked batch by batch (length, CRC,
//   offsets) and a torn tail is truncated; its indexes are rebuilt;
// - an index that is missing or inconsistent with its log is rebuilt from the log.
// Older segments with consistent indexes are trusted (only their tail batch is read), so start-up
// does not read the whole log.
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from './partition-log.js';
import { FileSegment } from './segment.js';
import { diskEngine } from './disk-segment-store.js';
import { scanSegment } from './recovery.js';
import type { LogConfig } from './log-config.js';
import type { FdCache } from './fd-cache.js';
import type { Logger } from '../log.js';
import { rebuildProducerState } from './producer-replay.js';
import { recoverInterruptedSwaps } from './cleaner/segment-swap.js'; // log cleaner

export interface LoadOptions {
  topic: string;
  partition: number;
  dir: string;
  config: LogConfig;
  fds: FdCache;
  log: Logger;
  cleanShutdown: boolean;
  logStartOffset: number | undefined; // from log-start-offset-checkpoint
}

export async function loadPartitionLog(o: LoadOptions): Promise<PartitionLog> {
  const plog = new PartitionLog(o.topic, o.partition, diskEngine(o.dir, o.fds), o.config, o.fds, o.log);
  const leftovers = existsSync(o.dir) ? readdirSync(o.dir) : [];
  for (const f of leftovers) {
    if (f.endsWith('.deleted') || f.endsWith('.tmp') || f.endsWith('.cleaned')) unlinkSync(join(o.dir, f));
  }
  // ---- log cleaner: finish a segment swap that a crash interrupted (cleaner/segment-swap.ts) ----
  const swapRepairs = await recoverInterruptedSwaps(o.dir, leftovers);
  const files = swapRepairs.length > 0 ? readdirSync(o.dir) : leftovers;
  const bases = files
    .filter((f) => /^\d{20}\.log$/.test(f))
    .map((f) => Number(f.slice(0, 20)))
    .sort((a, b) => a - b);
  const now = Date.now();
  if (bases.length === 0) {
    const start = o.logStartOffset ?? 0;
    // Everything was deleted (retention) before the restart: continue from the start offset,
    // with no stray empty segment 0 left in the directory.
    plog.initEmpty(now, start);
    plog.logStartOffset = plog.logEndOffset = plog.highWatermark = start;
    plog.loadEpochCheckpoint();
    return plog;
  }
  const repairs: string[] = [...swapRepairs];
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const isLast = i === bases.length - 1;
    const seg = new FileSegment(o.dir, base, statSync(join(o.dir, `${String(base).padStart(20, '0')}.log`)).mtimeMs);
    const trusted = !(isLast && !o.cleanShutdown) && loadIndexes(seg);
    if (!trusted) {
      seg.index.truncateToPosition(0);
      seg.timeIndex.truncateToOffset(-1);
    }
    // A trusted segment needs only its tail read (from the last indexed batch) to learn its last
    // offset; the others are read whole and their indexes rebuilt.
    const from = trusted ? Math.max(0, seg.index.lookup(Number.MAX_SAFE_INTEGER)) : 0;
    if (trusted) {
      seg.size = from;
      seg.lastOffset = seg.index.count > 0 ? seg.index.lastOffset : base - 1;
      seg.maxTimestamp = seg.timeIndex.lastTimestamp;
      // The time index's last entry also names the batch holding that timestamp (ListOffsets
      // -3 needs it); the tail scan below only replaces it with a larger timestamp.
      seg.offsetOfMaxTimestamp = seg.timeIndex.lastOffset;
    }
    const scan = await scanSegment(seg.logPath, from, trusted ? base : base, (b) =>
      seg.addRecovered(b.position, b.size, b.lastOffset, b.maxTimestamp, o.config.indexIntervalBytes, !trusted),
    );
    if (scan.problem !== null) {
      if (!isLast) {
        // Kafka would stop here too: a hole in the middle of the log is not repairable by
        // truncation without losing later segments. Report it loudly and keep what is valid.
        repairs.push(`segment ${base}: ${scan.problem}; truncated to ${scan.validBytes} bytes`);
      } else {
        repairs.push(`active segment ${base}: ${scan.problem}; truncated torn tail from ${scan.fileBytes} to ${scan.validBytes} bytes`);
      }
      truncateSync(seg.logPath, scan.validBytes);
    }
    if (!trusted) {
      writeFileSync(seg.indexPath, seg.index.toBuffer());
      writeFileSync(seg.timeIndexPath, seg.timeIndex.toBuffer());
      seg.index.takePending();
      seg.timeIndex.takePending();
      if (!isLast || !o.cleanShutdown) repairs.push(`segment ${base}: indexes rebuilt`);
    }
    plog.segments.push(seg);
  }
  const active = plog.activeSegment;
  plog.logEndOffset = active.isEmpty ? active.baseOffset : active.lastOffset + 1;
  plog.highWatermark = plog.logEndOffset;
  plog.logStartOffset = Math.max(plog.segments[0]!.baseOffset, Math.min(o.logStartOffset ?? 0, plog.logEndOffset));
  plog.loadEpochCheckpoint();
  plog.abortedTxns.loadDir(o.dir, bases); // transactions: the aborted-transaction index
  plog.abortedTxns.trimBelow(plog.logStartOffset);
  await rebuildProducerState(plog);
  const unclean = !o.cleanShutdown;
  if (repairs.length > 0 && (unclean || repairs.some((r) => !r.endsWith('indexes rebuilt')))) {
    o.log.warn({ partition: plog.name, repairs }, 'recovered partition log');
  }
  return plog;
}

// Loads a segment's index files; false if missing or inconsistent with the log's size.
function loadIndexes(seg: FileSegment): boolean {
  if (!existsSync(seg.indexPath) || !existsSync(seg.timeIndexPath)) return false;
  const logSize = statSync(seg.logPath).size;
  if (logSize === 0) return true;
  const okIndex = seg.index.load(readFileSync(seg.indexPath), logSize);
  if (!okIndex || seg.index.count === 0) return false;
  const okTime = seg.timeIndex.load(readFileSync(seg.timeIndexPath), Number.MAX_SAFE_INTEGER);
  return okTime;
}
