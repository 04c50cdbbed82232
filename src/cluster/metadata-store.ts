// Where cluster metadata lives between restarts. Single node (the embedded default): files in
// the first log dir, in the spirit of KRaft's metadata log and its snapshots:
//   samsa-metadata.json  a snapshot of everything, replaced atomically (write, fsync, rename);
//   samsa-metadata.log   the changes since, one JSON line each, appended and fsynced before the
//                        change is acknowledged.
// A change costs what it says, not the size of the whole cluster (rewriting the snapshot per
// change made creating N topics O(N^2): 5,000 took a minute). When the change log outgrows the
// snapshot it is folded into a new snapshot (compaction), so start-up replays little.
// Crash safety: every line carries a sequence number and the snapshot the last one it contains;
// lines at or below it are skipped on load, so a crash between writing the snapshot and
// truncating the log loses and repeats nothing. A torn last line (crash mid-append: it was never
// acknowledged) is cut off; a bad line before the end is corruption and stops the start.
// The in-memory store keeps nothing. An etcd store comes with clusters.
import { constants, closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PartitionState, TopicState } from './topic.js';

export interface MetadataSnapshot {
  clusterId: string;
  topics: TopicState[];
  // Dynamic broker configs set through AlterConfigs / IncrementalAlterConfigs: for this broker,
  // and cluster-wide defaults (resource name "").
  brokerConfigs: Record<string, string>;
  clusterConfigs?: Record<string, string>;
  // Group configs (config resource type GROUP) by group id; Kafka keeps them in its metadata log.
  groupConfigs?: Record<string, Record<string, string>>;
  // Producer ids are handed out in blocks; the next block starts here, so no id is ever reused,
  // even after a crash (the ids of a block in use when it happened are skipped).
  nextProducerIdBlock?: number;
  // The sequence number of the last change folded into this snapshot (absent: 0).
  seq?: number;
}

// One change to the metadata, as appended to the log (KRaft's TopicRecord, PartitionRecord,
// RemoveTopicRecord, ConfigRecord and ProducerIdsRecord play these parts).
export type MetadataChange =
  | { op: 'cluster'; clusterId: string }
  | { op: 'topic'; topic: TopicState }
  | { op: 'partitions'; id: string; partitions: PartitionState[] }
  | { op: 'deleteTopic'; id: string }
  | { op: 'topicConfigs'; id: string; configs: Record<string, string> }
  // In a cluster, `nodeId` names the broker whose own configs these are (absent: single node).
  | { op: 'dynamicConfigs'; brokerConfigs: Record<string, string>; clusterConfigs: Record<string, string>; nodeId?: number }
  | { op: 'producerIds'; nextProducerIdBlock: number }
  // A group's config overrides as a whole; empty when it has none left.
  | { op: 'groupConfigs'; groupId: string; configs: Record<string, string> }
  // A partition's leader, leader epoch and ISR changed (KRaft's PartitionChangeRecord); the
  // partition epoch rises with every change, so a change made against an older state is refused.
  | { op: 'partitionChange'; id: string; partition: number; leader: number; leaderEpoch: number; isr: number[]; partitionEpoch: number };

export interface MetadataStore {
  readonly kind: 'file' | 'memory';
  load(): MetadataSnapshot | null;
  // Durable when it returns. `snapshot` gives the full current state (the change included), for
  // when the store decides to compact.
  append(change: MetadataChange, snapshot: () => MetadataSnapshot): void;
  // The same with the fsync off the event loop (concurrent ones share one): for admin requests,
  // whose change is applied in memory only once this resolves, so no client sees a change that
  // a crash could take back. Then `asyncChangeApplied` (also when it was given up) lets the
  // store compact again.
  appendAsync(change: MetadataChange): Promise<void>;
  asyncChangeApplied(snapshot: () => MetadataSnapshot): void;
}

export class MemoryMetadataStore implements MetadataStore {
  readonly kind = 'memory';
  load(): MetadataSnapshot | null {
    return null;
  }
  append(): void {}
  async appendAsync(): Promise<void> {}
  asyncChangeApplied(): void {}
}

export const METADATA_FILE = 'samsa-metadata.json';
export const METADATA_LOG = 'samsa-metadata.log';
// The log is compacted once it is larger than the snapshot and than this.
const MIN_COMPACT_BYTES = 4 * 1024 * 1024;

export class FileMetadataStore implements MetadataStore {
  readonly kind = 'file';
  readonly path: string;
  readonly logPath: string;
  private seq = 0;
  private logKnown = false;
  // Changes appended with appendAsync and not yet applied in memory.
  private unapplied = 0;
  private logBytes = 0;
  private snapshotBytes = 0;

  // `minCompactBytes`: tests compact sooner.
  constructor(
    logDir: string,
    private readonly minCompactBytes = MIN_COMPACT_BYTES,
  ) {
    this.path = join(logDir, METADATA_FILE);
    this.logPath = join(logDir, METADATA_LOG);
  }

  load(): MetadataSnapshot | null {
    let snap: MetadataSnapshot | null = null;
    if (existsSync(this.path)) {
      const text = readFileSync(this.path, 'utf8');
      this.snapshotBytes = Buffer.byteLength(text);
      try {
        snap = JSON.parse(text) as MetadataSnapshot;
        snap.topics = (snap.topics as StoredTopic[]).map(decodeTopic);
      } catch (err) {
        throw new Error(`cluster metadata file ${this.path} is not valid JSON (${(err as Error).message}); restore it or move it away to start empty`);
      }
    }
    this.seq = snap?.seq ?? 0;
    if (!existsSync(this.logPath)) return snap;
    const state = new ReplayState(snap);
    const buf = readFileSync(this.logPath);
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      const line = buf.toString('utf8', pos, nl < 0 ? buf.length : nl);
      let rec: (Record<string, unknown> & { seq: number }) | null;
      try {
        rec = JSON.parse(line) as Record<string, unknown> & { seq: number };
      } catch {
        rec = null;
      }
      if (nl < 0 || rec === null) {
        if (nl < 0 || nl === buf.length - 1) break; // a torn last line: never acknowledged
        throw new Error(`cluster metadata log ${this.logPath} is corrupt at byte ${pos}; restore it or move it away`);
      }
      if (rec.seq > this.seq) {
        state.apply(decodeChange(rec));
        this.seq = rec.seq;
      }
      pos = nl + 1;
    }
    if (pos < buf.length) {
      // Cut the torn line so the next append starts on a line of its own.
      const fd = openSync(this.logPath, 'r+');
      try {
        ftruncateSync(fd, pos);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.logBytes = pos;
    this.logKnown = true;
    return state.result();
  }

  append(change: MetadataChange, snapshot: () => MetadataSnapshot): void {
    const fd = this.writeLine(change);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.maybeCompact(snapshot);
  }

  async appendAsync(change: MetadataChange): Promise<void> {
    // Counted from the start: the caller reports back (asyncChangeApplied) whatever happens.
    this.unapplied++;
    closeSync(this.writeLine(change));
    await this.syncLog();
  }

  asyncChangeApplied(snapshot: () => MetadataSnapshot): void {
    this.unapplied--;
    this.maybeCompact(snapshot);
  }

  private maybeCompact(snapshot: () => MetadataSnapshot): void {
    // A snapshot taken while a logged change is not yet applied would lack it: wait for none.
    if (this.unapplied > 0) return;
    if (this.logBytes > this.minCompactBytes && this.logBytes > this.snapshotBytes) {
      try {
        this.compact(snapshot());
      } catch {
        // The change is durable in the log; compaction is tried again after the next change.
      }
    }
  }

  // Writes one change line where the last one ended; returns the open log for the caller to sync.
  private writeLine(change: MetadataChange): number {
    const line = Buffer.from(JSON.stringify({ seq: this.seq + 1, ...encodeChange(change) }) + '\n');
    // Opened per change (its cost is nothing beside the fsync): no descriptor outlives the broker.
    const fd = this.openLog();
    const before = this.logBytes;
    try {
      let off = 0;
      while (off < line.length) off += writeSync(fd, line, off, line.length - off, before + off);
    } catch (err) {
      // Nothing of a failed append may survive: the next line must start where this one did.
      try {
        ftruncateSync(fd, before);
      } catch {
        /* the load cuts a torn last line anyway */
      }
      closeSync(fd);
      throw err;
    }
    this.seq++;
    this.logBytes = before + line.length;
    return fd;
  }

  // Group commit: one fsync in flight; changes written meanwhile share the next.
  private syncing: Promise<void> | null = null;
  private syncAgain: Promise<void> | null = null;
  private syncLog(): Promise<void> {
    if (!this.syncing) {
      this.syncing = fsyncFile(this.logPath).finally(() => {
        this.syncing = null;
      });
      return this.syncing;
    }
    this.syncAgain ??= this.syncing.then(
      () => this.runQueuedSync(),
      () => this.runQueuedSync(),
    );
    return this.syncAgain;
  }
  private runQueuedSync(): Promise<void> {
    this.syncAgain = null;
    return this.syncLog();
  }

  // Folds the log into a new snapshot, then empties the log.
  compact(snap: MetadataSnapshot): void {
    const text = JSON.stringify({ ...snap, topics: snap.topics.map(encodeTopic), seq: this.seq });
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDir(dirname(this.path));
    this.snapshotBytes = Buffer.byteLength(text);
    const log = this.openLog();
    try {
      ftruncateSync(log, 0);
      fsyncSync(log);
    } finally {
      closeSync(log);
    }
    this.logBytes = 0;
  }

  // Kept for callers that end with the store; nothing stays open between changes.
  close(): void {}

  private openLog(): number {
    mkdirSync(dirname(this.logPath), { recursive: true });
    const created = !this.logKnown && !existsSync(this.logPath);
    // Positional writes (not O_APPEND): a failed append is cut off where it began.
    const fd = openSync(this.logPath, constants.O_RDWR | constants.O_CREAT, 0o644);
    if (!this.logKnown) {
      this.logBytes = fstatSync(fd).size;
      this.logKnown = true;
    }
    if (created) syncDir(dirname(this.logPath));
    return fd;
  }
}

// Partitions are stored as runs: consecutive partitions with the same leader, epoch, replicas
// and ISR are one entry. On a single broker every partition of a topic is alike, so a topic of
// 200,000 partitions is one short line rather than 14 MB of JSON (whose encoding alone stalled
// the event loop for a quarter of a second at each compaction).
interface PartitionRun {
  first: number;
  count: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
}
type StoredTopic = Omit<TopicState, 'partitions'> & { partitions?: PartitionState[]; partitionRuns?: PartitionRun[] };

const sameList = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function toRuns(partitions: readonly PartitionState[]): PartitionRun[] {
  const runs: PartitionRun[] = [];
  for (const p of partitions) {
    const last = runs[runs.length - 1];
    if (
      last &&
      p.partition === last.first + last.count &&
      p.leader === last.leader &&
      p.leaderEpoch === last.leaderEpoch &&
      sameList(p.replicas, last.replicas) &&
      sameList(p.isr, last.isr)
    ) {
      last.count++;
    } else {
      runs.push({ first: p.partition, count: 1, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr });
    }
  }
  return runs;
}

function fromRuns(runs: readonly PartitionRun[]): PartitionState[] {
  const out: PartitionState[] = [];
  for (const r of runs) {
    for (let i = 0; i < r.count; i++)
      out.push({ partition: r.first + i, leader: r.leader, leaderEpoch: r.leaderEpoch, replicas: [...r.replicas], isr: [...r.isr] });
  }
  return out;
}

function encodeTopic(t: TopicState): StoredTopic {
  const { partitions, ...rest } = t;
  return { ...rest, partitionRuns: toRuns(partitions) };
}

// Snapshots written before runs hold `partitions` as a list: both are read.
function decodeTopic(t: StoredTopic): TopicState {
  const { partitionRuns, partitions, ...rest } = t;
  return { ...rest, partitions: partitionRuns ? fromRuns(partitionRuns) : (partitions ?? []) };
}

export function encodeChange(c: MetadataChange): object {
  if (c.op === 'topic') return { op: c.op, topic: encodeTopic(c.topic) };
  if (c.op === 'partitions') return { op: c.op, id: c.id, partitionRuns: toRuns(c.partitions) };
  return c;
}

export function decodeChange(rec: Record<string, unknown>): MetadataChange {
  if (rec.op === 'topic') return { op: 'topic', topic: decodeTopic(rec.topic as StoredTopic) };
  if (rec.op === 'partitions') {
    const runs = rec.partitionRuns as PartitionRun[] | undefined;
    return { op: 'partitions', id: rec.id as string, partitions: runs ? fromRuns(runs) : (rec.partitions as PartitionState[]) };
  }
  return rec as unknown as MetadataChange;
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

// A rename or a new file is durable once its directory is.
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Applies logged changes to a loaded snapshot, topics by id in creation order.
class ReplayState {
  private clusterId: string;
  private readonly topics = new Map<string, TopicState>();
  private brokerConfigs: Record<string, string>;
  private clusterConfigs: Record<string, string>;
  private nextProducerIdBlock: number;
  private readonly groupConfigs: Record<string, Record<string, string>>;

  constructor(snap: MetadataSnapshot | null) {
    this.clusterId = snap?.clusterId ?? '';
    for (const t of snap?.topics ?? []) this.topics.set(t.id, t);
    this.brokerConfigs = snap?.brokerConfigs ?? {};
    this.clusterConfigs = snap?.clusterConfigs ?? {};
    this.nextProducerIdBlock = snap?.nextProducerIdBlock ?? 0;
    this.groupConfigs = { ...(snap?.groupConfigs ?? {}) };
  }

  apply(c: MetadataChange): void {
    switch (c.op) {
      case 'cluster':
        this.clusterId = c.clusterId;
        break;
      case 'topic':
        this.topics.set(c.topic.id, c.topic);
        break;
      case 'partitions': {
        const t = this.topics.get(c.id);
        if (t) for (const p of c.partitions) t.partitions[p.partition] = p;
        break;
      }
      case 'deleteTopic':
        this.topics.delete(c.id);
        break;
      case 'topicConfigs': {
        const t = this.topics.get(c.id);
        if (t) t.configs = c.configs;
        break;
      }
      case 'dynamicConfigs':
        this.brokerConfigs = c.brokerConfigs;
        this.clusterConfigs = c.clusterConfigs;
        break;
      case 'producerIds':
        this.nextProducerIdBlock = c.nextProducerIdBlock;
        break;
      case 'groupConfigs':
        if (Object.keys(c.configs).length === 0) delete this.groupConfigs[c.groupId];
        else this.groupConfigs[c.groupId] = c.configs;
        break;
      case 'partitionChange': {
        const p = this.topics.get(c.id)?.partitions[c.partition];
        if (p) Object.assign(p, { leader: c.leader, leaderEpoch: c.leaderEpoch, isr: c.isr, partitionEpoch: c.partitionEpoch });
        break;
      }
    }
  }

  result(): MetadataSnapshot | null {
    if (this.clusterId === '') return null;
    return {
      clusterId: this.clusterId,
      topics: [...this.topics.values()],
      brokerConfigs: this.brokerConfigs,
      clusterConfigs: this.clusterConfigs,
      nextProducerIdBlock: this.nextProducerIdBlock,
      groupConfigs: this.groupConfigs,
    };
  }
}
