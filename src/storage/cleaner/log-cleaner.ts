// The log cleaner service: a background loop that, one partition at a time, picks the compacted
// log with the highest cleanable ratio (Kafka's LogCleanerManager.grabFilthiestCompactedLog),
// cleans it (cleaner.ts) and records where the clean ended in the log dir's
// `cleaner-offset-checkpoint` (Kafka's file and format: "<topic> <partition> <first dirty
// offset>"). When nothing needs cleaning it sleeps log.cleaner.backoff.ms (read on each round, so
// a dynamic change applies); after a clean it looks again at once, as Kafka's cleaner thread does.
// The work runs on the event loop in slices (cleaner.ts yields every few milliseconds), with
// large decompression and compression on the worker pool.
//
// A partition whose clean fails unexpectedly is marked uncleanable until restart (Kafka's
// uncleanable partitions), with an error log line; a clean given up because the log changed under
// it (CleaningAborted) is simply retried next round.
import { join } from 'node:path';
import type { PartitionLog } from '../partition-log.js';
import type { FdCache } from '../fd-cache.js';
import type { Logger } from '../../log.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoints.js';
import { cleanLog, logToClean, shouldClean, type CleanResult, type LogToClean } from './cleaner.js';
import { CleaningAborted, type SwapHooks } from './segment-swap.js';

export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';

export interface LogCleanerOptions {
  /** The log dirs that keep a cleaner-offset-checkpoint file (none for the memory engine). */
  logDirs: readonly string[];
  /** Every partition log the broker has. */
  logs: () => Iterable<PartitionLog>;
  /** Whether `plog` is still one of them (a deleted topic's log is not). */
  isLive: (plog: PartitionLog) => boolean;
  fds: FdCache;
  log: Logger;
  /** log.cleaner.backoff.ms */
  backoffMs: () => number;
  hooks?: SwapHooks;
  mapCapacity?: number;
}

export interface CleanOutcome extends CleanResult {
  partition: string;
  firstDirtyOffset: number;
  cleanableRatio: number;
}

export class LogCleaner {
  // partition name -> first dirty offset (the checkpoint)
  private readonly checkpoints = new Map<string, number>();
  private readonly uncleanable = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<unknown> | null = null;
  private stopping = false;
  private cleaning: PartitionLog | null = null;
  /** Rounds that cleaned something, since start (tests and metrics). */
  cleanedRounds = 0;

  constructor(private readonly o: LogCleanerOptions) {}

  /** The first dirty offset recorded for a partition (undefined: never cleaned). */
  checkpointOf(partition: string): number | undefined {
    return this.checkpoints.get(partition);
  }

  // ---- checkpoints ----

  /** Start-up: reads every log dir's cleaner-offset-checkpoint. */
  loadCheckpoints(): void {
    for (const d of this.o.logDirs) {
      for (const [topic, partition, offset] of readCheckpoint(join(d, CLEANER_CHECKPOINT)) ?? []) {
        if (topic !== undefined && partition !== undefined && offset !== undefined) this.checkpoints.set(`${topic}-${partition}`, Number(offset));
      }
    }
  }

  private writeCheckpoints(logDir: string): void {
    const rows: string[] = [];
    for (const l of this.o.logs()) {
      const offset = this.checkpoints.get(l.name);
      if (offset !== undefined && l.store.inLogDir(logDir)) rows.push(`${l.topic} ${l.partition} ${offset}`);
    }
    writeCheckpoint(join(logDir, CLEANER_CHECKPOINT), rows);
  }

  private setCheckpoint(plog: PartitionLog, offset: number): void {
    this.checkpoints.set(plog.name, offset);
    for (const d of this.o.logDirs) if (plog.store.inLogDir(d)) this.writeCheckpoints(d);
  }

  /** A partition was deleted: forget its checkpoint (see flushCheckpoints). */
  forget(partition: string): void {
    this.checkpoints.delete(partition);
    this.uncleanable.delete(partition);
  }

  /** Rewrites every log dir's checkpoint file from the logs the broker has now. */
  flushCheckpoints(): void {
    for (const d of this.o.logDirs) this.writeCheckpoints(d);
  }

  // ---- scheduling ----

  start(): void {
    if (this.timer !== null || this.stopping) return;
    this.schedule(this.o.backoffMs());
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const r = this.cleanFilthiest().catch((err) => {
        this.o.log.error({ err: (err as Error).message }, 'log cleaner round failed');
        return null;
      });
      this.round = r;
      void r.then((outcome) => {
        this.round = null;
        if (!this.stopping) this.schedule(outcome ? 0 : this.o.backoffMs());
      });
    }, ms);
    this.timer.unref();
  }

  /** Stops the loop; a clean in progress is given up at its next step (nothing is lost). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.round;
  }

  // ---- one round ----

  /** The compacted logs and how dirty they are (Kafka's LogToClean for each). */
  async survey(now = Date.now()): Promise<LogToClean[]> {
    const out: LogToClean[] = [];
    for (const plog of [...this.o.logs()]) {
      if (!plog.config.cleanupPolicy.includes('compact') || this.uncleanable.has(plog.name)) continue;
      const ltc = await logToClean(plog, this.checkpoints.get(plog.name), now, this.o.fds);
      if (ltc.forceUpdateCheckpoint) this.setCheckpoint(plog, ltc.firstDirtyOffset);
      out.push(ltc);
    }
    return out;
  }

  /** Cleans the filthiest log that needs it; null when none does. */
  async cleanFilthiest(now = Date.now()): Promise<CleanOutcome | null> {
    if (this.stopping || this.cleaning) return null;
    const candidates = (await this.survey(now)).filter(shouldClean);
    if (candidates.length === 0) return null;
    const filthiest = candidates.reduce((a, b) => (b.cleanableRatio > a.cleanableRatio ? b : a));
    return this.clean(filthiest, now);
  }

  /** Cleans `plog` now if it has anything cleanable, whatever its ratio (tests, tools). */
  async cleanNow(plog: PartitionLog, now = Date.now()): Promise<CleanOutcome | null> {
    const ltc = await logToClean(plog, this.checkpoints.get(plog.name), now, this.o.fds);
    if (ltc.cleanableBytes === 0) return null;
    return this.clean(ltc, now);
  }

  private async clean(ltc: LogToClean, now: number): Promise<CleanOutcome | null> {
    const plog = ltc.plog;
    if (this.cleaning) return null;
    this.cleaning = plog;
    try {
      const r = await cleanLog(
        ltc,
        { fds: this.o.fds, live: () => !this.stopping && this.o.isLive(plog), hooks: this.o.hooks, mapCapacity: this.o.mapCapacity },
        now,
      );
      this.setCheckpoint(plog, r.endOffset);
      this.cleanedRounds++;
      const outcome: CleanOutcome = { ...r, partition: plog.name, firstDirtyOffset: ltc.firstDirtyOffset, cleanableRatio: ltc.cleanableRatio };
      this.o.log.info(
        {
          partition: plog.name,
          dirtyRatio: Number(ltc.cleanableRatio.toFixed(3)),
          offsets: [ltc.firstDirtyOffset, r.endOffset],
          segments: [r.segmentsBefore, r.segmentsAfter],
          bytes: [r.bytesBefore, r.bytesAfter],
          records: [r.stats.recordsRead, r.stats.recordsKept],
          tombstonesDropped: r.stats.tombstonesDropped,
          keylessDropped: r.stats.keylessDropped,
          ms: r.ms,
        },
        'cleaned log',
      );
      return outcome;
    } catch (err) {
      // A log deleted or a broker stopping under the clean: not the log's fault.
      if (err instanceof CleaningAborted || this.stopping || !this.o.isLive(plog)) {
        this.o.log.debug({ partition: plog.name, why: (err as Error).message }, 'log cleaning given up; will retry');
        return null;
      }
      this.uncleanable.add(plog.name);
      this.o.log.error({ partition: plog.name, err: (err as Error).message }, 'log cleaning failed; partition marked uncleanable until restart');
      throw err;
    } finally {
      this.cleaning = null;
    }
  }
}
