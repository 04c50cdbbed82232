// Owns every partition log: `<log.dir>/<topic>-<partition>/` on disk (Kafka's layout), or the
// memory engine. Creates and deletes logs as topics come and go, loads and recovers them at
// start-up, runs retention in the background, and writes Kafka's per-log-dir checkpoints.
import { mkdirSync, readdirSync, rmSync, existsSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PartitionLifecycle } from '../cluster/cluster-metadata.js';
import type { PartitionState, TopicState } from '../cluster/topic.js';
import type { Logger } from '../log.js';
import type { BrokerConfig } from '../config/index.js';
import { PartitionLog } from './partition-log.js';
import { loadPartitionLog } from './log-loader.js';
import { logConfigFor } from './log-config.js';
import { FdCache } from './fd-cache.js';
import { readOffsetsCheckpoint, writeCheckpoint, writePartitionMetadata, partitionMetadataText } from './checkpoints.js';
import { segmentName } from './segment.js';
import { diskEngine } from './disk-segment-store.js';
import { memoryEngine } from './memory-segment-store.js';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { OfflineLogs } from './offline-logs.js';
import { ErrorCode, KafkaError } from '../errors.js';
import { LogCleaner } from './cleaner/index.js'; // log cleaner

export interface PartitionDirInfo {
  topic: string;
  partition: number;
  sizeBytes: number;
  offsetLag: number;
}

export interface LogDirInfo {
  path: string;
  totalBytes: number;
  usableBytes: number;
  partitions: PartitionDirInfo[];
  error: string | null;
}

const CLEAN_SHUTDOWN = '.kafka_cleanshutdown'; // Kafka's marker name
const LOG_START_CHECKPOINT = 'log-start-offset-checkpoint';
const RECOVERY_CHECKPOINT = 'recovery-point-offset-checkpoint';
// Open segment files are bounded; idle ones are closed least recently used first.
const MAX_OPEN_FILES = 1024;
// Recent batches kept in memory for consumers reading the tail, shared by all partitions (each
// gets an equal share, at least 64 KiB). Older data comes from the segment files.
const TAIL_CACHE_BYTES = 64 * 1024 * 1024;
const MIN_TAIL_SHARE = 64 * 1024;
// Creating partition logs: file system calls in flight at once, and the longest stretch the
// event loop spends opening logs before serving other requests.
const FS_CONCURRENCY = 32;
const SLICE_MS = 10;
// Removing a deleted topic's directories: background work nobody waits for, kept to a few of
// the libuv pool's threads so that other file system calls are not queued behind it.
const DELETE_CONCURRENCY = 4;
const DELETE_SUFFIX = '-delete'; // Kafka's UnifiedLog.DeleteDirSuffix
// The files of a new, empty partition: its directory, the first segment's log and index files,
// and partition.metadata (Kafka's layout). Called again on a directory left by a crash between
// creating the logs and recording the topic, it starts that directory afresh.
async function prepareLogDir(dir: string, topicId: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const suffix of ['.log', '.index', '.timeindex']) await writeFile(join(dir, segmentName(0, suffix)), '');
  await writeFile(join(dir, 'partition.metadata'), partitionMetadataText(topicId));
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: Error | null = null;
  const worker = async () => {
    while (next < items.length && failure === null) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  // (set by the workers: TypeScript's narrowing does not see the closures' assignments)
  const failed = failure as Error | null;
  if (failed !== null) throw failed;
}

// A log that could not be created: the disk is full, or the directory not writable. Kafka marks
// such a log dir offline; the client learns it from KAFKA_STORAGE_ERROR (retriable).
function storageError(topic: TopicState, err: unknown): Error {
  if (err instanceof KafkaError) return err;
  return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `could not create the logs of topic ${topic.name}: ${(err as Error).message}`);
}

export class LogManager implements PartitionLifecycle {
  private readonly dirs: string[];
  private readonly logs = new Map<string, PartitionLog>();
  readonly fds = new FdCache(MAX_OPEN_FILES);
  private retentionTimer: NodeJS.Timeout | null = null;
  // Called when any partition's high watermark moves (fetch long polls).
  onHighWatermark: ((log: PartitionLog) => void) | null = null;
  // ---- log cleaner: compacts cleanup.policy=compact logs in the background (cleaner/) ----
  readonly cleaner: LogCleaner;

  constructor(
    readonly mode: 'disk' | 'memory',
    logDirs: string[],
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {
    this.dirs = logDirs.map((d) => resolve(d));
    if (mode === 'disk') for (const d of this.dirs) mkdirSync(d, { recursive: true });
    // ---- log cleaner ----
    this.cleaner = new LogCleaner({
      logDirs: mode === 'disk' ? this.dirs : [],
      logs: () => this.logs.values(),
      isLive: (l) => this.logs.get(l.name) === l,
      fds: this.fds,
      log,
      backoffMs: () => config.getLong('log.cleaner.backoff.ms'),
    });
    this.offline = new OfflineLogs({
      log,
      isLive: (plog) => this.mode === 'disk' && this.logs.get(plog.name) === plog,
      reload: async (plog) => {
        const dir = plog.dir!;
        for (const f of readdirSync(dir)) this.fds.forget(join(dir, f));
        plog.markClosed();
        const fresh = await loadPartitionLog({
          topic: plog.topic,
          partition: plog.partition,
          dir,
          config: plog.config,
          fds: this.fds,
          log: this.log,
          cleanShutdown: false,
          logStartOffset: plog.logStartOffset,
        });
        if (this.logs.get(plog.name) !== plog) return null;
        this.register(fresh);
        this.shareTailCache();
        return fresh;
      },
    });
  }

  get logDirs(): readonly string[] {
    return this.dirs;
  }

  partitionDir(topic: string, partition: number): string {
    return join(this.dirForTopic(topic), `${topic}-${partition}`);
  }

  // Kafka spreads partitions over log dirs; one dir per topic keeps it stable across restarts.
  private dirForTopic(topic: string): string {
    let h = 0;
    for (let i = 0; i < topic.length; i++) h = (h * 31 + topic.charCodeAt(i)) >>> 0;
    return this.dirs[h % this.dirs.length]!;
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(`${topic}-${partition}`);
  }

  all(): IterableIterator<PartitionLog> {
    return this.logs.values();
  }

  private register(plog: PartitionLog): void {
    plog.onHighWatermark = () => this.onHighWatermark?.(plog);
    plog.onOffline = (err) => this.offline.failed(plog, err);
    if (this.mode === 'disk' && this.tailShare >= 0) plog.tailLimit = this.tailShare;
    this.logs.set(plog.name, plog);
  }

  // Deleted topics whose partition directories are still being renamed away, by topic name: a
  // topic created again under that name waits, its directories having the same paths.
  private readonly renaming = new Map<string, Promise<void>>();

  // Logs a full disk took offline come back by themselves (offline-logs.ts).
  private readonly offline: OfflineLogs;

  // Brings back every offline log whose disk takes writes again (tests call it directly).
  probeOffline(): Promise<void> {
    return this.offline.probe();
  }

  // Every log's share of the tail cache. Past 1,024 logs the share is the floor and stays put: the
  // logs are walked only when it changes (walking them all at each topic creation made creating
  // N topics O(N^2)); a new log gets the current share when registered.
  private tailShare = -1;
  private shareTailCache(): void {
    if (this.mode === 'memory') return;
    const share = Math.max(MIN_TAIL_SHARE, Math.floor(TAIL_CACHE_BYTES / Math.max(1, this.logs.size)));
    if (share === this.tailShare) return;
    this.tailShare = share;
    for (const l of this.logs.values()) l.tailLimit = share;
  }

  // Start-up: opens (and recovers) the logs of every known topic.
  async loadAll(topics: readonly TopicState[]): Promise<void> {
    if (this.mode === 'memory') {
      for (const t of topics) this.partitionsCreated(t, t.partitions);
      return;
    }
    const clean = new Map<string, boolean>();
    const starts = new Map<string, number>();
    for (const d of this.dirs) {
      clean.set(d, existsSync(join(d, CLEAN_SHUTDOWN)));
      for (const [k, v] of readOffsetsCheckpoint(join(d, LOG_START_CHECKPOINT))) starts.set(k, v);
    }
    this.cleaner.loadCheckpoints(); // log cleaner
    // Directories of topics deleted before a crash or a stop (Kafka's LogManager.loadLogs also
    // deletes what carries the delete suffix): removed in the background.
    for (const d of this.dirs) {
      const doomed = readdirSync(d)
        .filter((n) => n.endsWith(DELETE_SUFFIX))
        .map((n) => join(d, n));
      if (doomed.length > 0) void this.removeDoomed(doomed);
    }
    const started = Date.now();
    for (const t of topics) {
      for (const p of t.partitions) {
        const dir = this.partitionDir(t.name, p.partition);
        const plog = await loadPartitionLog({
          topic: t.name,
          partition: p.partition,
          dir,
          config: logConfigFor(this.config, t.configs),
          fds: this.fds,
          log: this.log,
          cleanShutdown: clean.get(this.dirForTopic(t.name)) ?? false,
          logStartOffset: starts.get(`${t.name}-${p.partition}`),
        });
        if (!existsSync(join(dir, 'partition.metadata'))) writePartitionMetadata(join(dir, 'partition.metadata'), t.id);
        this.register(plog);
      }
    }
    this.shareTailCache();
    // From now on a crash is an unclean shutdown until close() says otherwise.
    for (const d of this.dirs) if (existsSync(join(d, CLEAN_SHUTDOWN))) unlinkSync(join(d, CLEAN_SHUTDOWN));
    if (this.logs.size > 0) this.log.info({ partitions: this.logs.size, ms: Date.now() - started }, 'loaded partition logs');
  }

  startRetention(): void {
    const interval = this.config.getLong('log.retention.check.interval.ms');
    this.retentionTimer = setInterval(() => this.runRetention(Date.now()), interval);
    this.retentionTimer.unref();
    // ---- log cleaner: started with retention (the broker's one call for background work) ----
    if (this.config.getBoolean('log.cleaner.enable')) this.cleaner.start();
  }

  runRetention(now: number): number {
    let deleted = 0;
    for (const l of this.logs.values()) {
      try {
        deleted += l.applyRetention(now);
      } catch (err) {
        this.log.error({ partition: l.name, err: (err as Error).message }, 'retention failed');
      }
    }
    if (deleted > 0) this.checkpointLogStartOffsets();
    return deleted;
  }

  checkpointLogStartOffsets(): void {
    if (this.mode === 'memory') return;
    for (const d of this.dirs) {
      const rows: string[] = [];
      for (const l of this.logs.values()) if (l.store.inLogDir(d)) rows.push(`${l.topic} ${l.partition} ${l.logStartOffset}`);
      writeCheckpoint(join(d, LOG_START_CHECKPOINT), rows);
    }
  }

  topicConfigChanged(topic: TopicState): void {
    const cfg = logConfigFor(this.config, topic.configs);
    for (const p of topic.partitions) {
      const l = this.get(topic.name, p.partition);
      if (l) l.config = cfg;
    }
  }

  brokerConfigChanged(topics: readonly TopicState[]): void {
    for (const t of topics) this.topicConfigChanged(t);
  }

  // A few partitions (auto-created topics, internal topics): created at once. On failure (a full
  // disk) nothing of them is left behind and KAFKA_STORAGE_ERROR is thrown.
  partitionsCreated(topic: TopicState, partitions: readonly PartitionState[]): void {
    // Cannot wait here (auto-creation answers at once): the client retries, as it does while
    // Kafka's controller elects the first leader of an auto-created topic.
    if (this.renaming.has(topic.name)) throw new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `Topic '${topic.name}' is still being deleted.`);
    const made: PartitionState[] = [];
    try {
      for (const p of partitions) {
        this.openNewLog(topic, p, Date.now());
        made.push(p);
      }
    } catch (err) {
      this.removeLogs(topic, made.length < partitions.length ? [...made, partitions[made.length]!] : made);
      throw storageError(topic, err);
    }
    this.shareTailCache();
  }

  // Many partitions (CreateTopics, CreatePartitions): the directories and files are made on the
  // libuv thread pool, the logs opened in slices between which other requests are served, so
  // adding 10,000 partitions does not stall the broker (creating files is most of the cost).
  async createPartitionLogs(topic: TopicState, partitions: readonly PartitionState[]): Promise<void> {
    if (this.mode === 'memory') return this.partitionsCreated(topic, partitions);
    await this.renaming.get(topic.name);
    try {
      await forEachLimited(partitions, FS_CONCURRENCY, (p) => prepareLogDir(this.partitionDir(topic.name, p.partition), topic.id));
    } catch (err) {
      await this.removeDirs(topic, partitions);
      throw storageError(topic, err);
    }
    const made: PartitionState[] = [];
    try {
      let sliceStart = Date.now();
      for (const p of partitions) {
        this.openNewLog(topic, p, Date.now(), true);
        made.push(p);
        if (Date.now() - sliceStart >= SLICE_MS) {
          await new Promise<void>((r) => setImmediate(r));
          sliceStart = Date.now();
        }
      }
    } catch (err) {
      this.removeLogs(topic, partitions);
      throw storageError(topic, err);
    }
    this.shareTailCache();
  }

  // Undoes partitionsCreated / createPartitionLogs when the metadata change that follows them
  // could not be made durable: the partitions never existed.
  partitionsAbandoned(topic: TopicState, partitions: readonly PartitionState[]): void {
    this.removeLogs(topic, partitions);
    this.shareTailCache();
  }

  private openNewLog(topic: TopicState, p: PartitionState, now: number, prepared = false): void {
    // The storage engine, chosen here once for the log's life (segment-store.ts).
    const dir = this.partitionDir(topic.name, p.partition);
    const engine = this.mode === 'disk' ? diskEngine(dir, this.fds) : memoryEngine;
    const plog = new PartitionLog(topic.name, p.partition, engine, logConfigFor(this.config, topic.configs), this.fds, this.log);
    // Prepared (prepareLogDir made the directory and files off the event loop): no file system
    // call here, where one blocked on a busy disk stalls every client.
    if (prepared) plog.segments = [plog.store.segment(0, now)];
    else plog.initEmpty(now);
    if (this.mode === 'disk' && !prepared) writePartitionMetadata(join(dir, 'partition.metadata'), topic.id);
    this.register(plog);
  }

  private removeLogs(topic: TopicState, partitions: readonly PartitionState[]): void {
    for (const p of partitions) {
      const key = `${topic.name}-${p.partition}`;
      const plog = this.logs.get(key);
      if (plog) {
        plog.markClosed();
        this.logs.delete(key);
      }
      if (this.mode === 'memory') continue;
      const dir = this.partitionDir(topic.name, p.partition);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) this.fds.forget(join(dir, f));
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async removeDirs(topic: TopicState, partitions: readonly PartitionState[]): Promise<void> {
    await forEachLimited(partitions, FS_CONCURRENCY, (p) => rm(this.partitionDir(topic.name, p.partition), { recursive: true, force: true }));
  }

  // The topic's logs are closed and forgotten at once; their directories are renamed away and
  // removed in the background, as Kafka's LogManager.asyncDelete does: removing 10,000 of them
  // with synchronous calls blocked the event loop for seconds (the fuzz soak's unanswered clients).
  topicDeleted(topic: TopicState): void {
    const dirs: string[] = [];
    for (const p of topic.partitions) {
      const key = `${topic.name}-${p.partition}`;
      const plog = this.logs.get(key);
      this.logs.delete(key);
      plog?.markClosed();
      this.cleaner.forget(key); // log cleaner
      if (this.mode === 'disk') dirs.push(this.partitionDir(topic.name, p.partition));
    }
    if (this.mode === 'disk') {
      this.fds.forgetIn(new Set(dirs));
      this.checkpointLogStartOffsets();
      this.cleaner.flushCheckpoints(); // log cleaner
      this.renameAndRemove(topic, dirs);
    }
    this.shareTailCache();
  }

  // Kafka renames to `<name>-<p>.<id>-delete` first, so that a crash mid-delete leaves no live
  // log and the name is free again once the renames are done; the removal can take its time.
  private renameAndRemove(topic: TopicState, dirs: readonly string[]): void {
    const doomed: string[] = [];
    const renamed = (this.renaming.get(topic.name) ?? Promise.resolve()).then(() =>
      forEachLimited(dirs, DELETE_CONCURRENCY, async (dir) => {
        const to = `${dir}.${topic.id}${DELETE_SUFFIX}`;
        try {
          await rename(dir, to);
          doomed.push(to);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
            this.log.warn({ dir, err: (err as Error).message }, 'could not remove a deleted partition directory');
        }
      }),
    );
    this.renaming.set(topic.name, renamed);
    void renamed.then(() => {
      if (this.renaming.get(topic.name) === renamed) this.renaming.delete(topic.name);
      return this.removeDoomed(doomed);
    });
  }

  private async removeDoomed(dirs: readonly string[]): Promise<void> {
    await forEachLimited(dirs, DELETE_CONCURRENCY, (dir) =>
      rm(dir, { recursive: true, force: true }).catch((err: Error) =>
        this.log.warn({ dir, err: err.message }, 'could not remove a deleted partition directory'),
      ),
    );
  }

  // Graceful shutdown: finish writes, flush, record the clean shutdown so the next start need
  // not check every active segment.
  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.offline.stop();
    await this.cleaner.shutdown(); // log cleaner: a clean in progress is given up, nothing lost
    // Renamed, a deleted topic's directories are no log any more; removals left unfinished are
    // finished at the next start.
    await Promise.all(this.renaming.values());
    await Promise.all([...this.logs.values()].map((l) => l.close()));
    this.fds.closeAll();
    if (this.mode === 'memory') return;
    this.checkpointLogStartOffsets();
    for (const d of this.dirs) {
      const rows: string[] = [];
      for (const l of this.logs.values()) if (l.store.inLogDir(d)) rows.push(`${l.topic} ${l.partition} ${l.logEndOffset}`);
      writeCheckpoint(join(d, RECOVERY_CHECKPOINT), rows);
      writeFileSync(join(d, CLEAN_SHUTDOWN), '');
    }
  }

  // An abrupt stop (Broker.kill): timers stop, queued writes are dropped, and nothing is flushed,
  // checkpointed or marked clean, so the next start recovers as after kill -9.
  async kill(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    this.offline.stop();
    await this.cleaner.shutdown();
    await Promise.all([...this.logs.values()].map((l) => l.kill()));
    this.fds.closeAll();
  }

  describe(topics: readonly TopicState[]): LogDirInfo[] {
    const sizeOf = (t: string, p: number) => this.get(t, p)?.sizeInBytes ?? 0;
    if (this.mode === 'memory') {
      return [
        {
          path: 'memory',
          totalBytes: -1,
          usableBytes: -1,
          error: null,
          partitions: topics.flatMap((t) =>
            t.partitions.map((p) => ({ topic: t.name, partition: p.partition, sizeBytes: sizeOf(t.name, p.partition), offsetLag: 0 })),
          ),
        },
      ];
    }
    return this.dirs.map((dir) => {
      let totalBytes = -1;
      let usableBytes = -1;
      try {
        const fs = statfsSync(dir);
        totalBytes = fs.blocks * fs.bsize;
        usableBytes = fs.bavail * fs.bsize;
      } catch (err) {
        return { path: dir, totalBytes, usableBytes, partitions: [], error: (err as Error).message };
      }
      const partitions: PartitionDirInfo[] = [];
      for (const t of topics) {
        if (this.dirForTopic(t.name) !== dir) continue;
        for (const p of t.partitions) partitions.push({ topic: t.name, partition: p.partition, sizeBytes: sizeOf(t.name, p.partition), offsetLag: 0 });
      }
      return { path: dir, totalBytes, usableBytes, partitions, error: null };
    });
  }
}
