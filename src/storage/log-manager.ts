// Owns the partition logs: `<log.dir>/<topic>-<partition>/` on disk (Kafka's layout), or nothing
// but bookkeeping in memory mode. For now it creates and removes partition directories and
// reports their sizes (DescribeLogDirs); the segment files arrive with the data path.
import { mkdirSync, readdirSync, rmSync, statSync, existsSync, statfsSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PartitionLifecycle } from '../cluster/cluster-metadata.js';
import type { PartitionState, TopicState } from '../cluster/topic.js';
import type { Logger } from '../log.js';

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

export class LogManager implements PartitionLifecycle {
  private readonly dirs: string[];
  // In memory mode partitions exist only here (and, later, their logs in memory).
  private readonly memoryPartitions = new Map<string, number>();

  constructor(
    readonly mode: 'disk' | 'memory',
    logDirs: string[],
    private readonly log: Logger,
  ) {
    this.dirs = logDirs.map((d) => resolve(d));
    if (mode === 'disk') for (const d of this.dirs) mkdirSync(d, { recursive: true });
  }

  get logDirs(): readonly string[] {
    return this.dirs;
  }

  partitionDir(topic: string, partition: number): string {
    return join(this.dirForTopic(topic), `${topic}-${partition}`);
  }

  // Kafka spreads partitions over log dirs; one topic per dir keeps it simple and stable.
  private dirForTopic(topic: string): string {
    let h = 0;
    for (let i = 0; i < topic.length; i++) h = (h * 31 + topic.charCodeAt(i)) >>> 0;
    return this.dirs[h % this.dirs.length]!;
  }

  partitionsCreated(topic: TopicState, partitions: readonly PartitionState[]): void {
    for (const p of partitions) {
      if (this.mode === 'memory') this.memoryPartitions.set(`${topic.name}-${p.partition}`, 0);
      else mkdirSync(this.partitionDir(topic.name, p.partition), { recursive: true });
    }
  }

  topicDeleted(topic: TopicState): void {
    for (const p of topic.partitions) {
      const key = `${topic.name}-${p.partition}`;
      if (this.mode === 'memory') {
        this.memoryPartitions.delete(key);
        continue;
      }
      const dir = this.partitionDir(topic.name, p.partition);
      if (!existsSync(dir)) continue;
      // Kafka renames to `<name>-<p>.<id>-delete` first so a crash mid-delete leaves no live log.
      const doomed = `${dir}.${topic.id}-delete`;
      try {
        renameSync(dir, doomed);
        rmSync(doomed, { recursive: true, force: true });
      } catch (err) {
        this.log.warn({ dir, err: (err as Error).message }, 'could not remove a deleted partition directory');
      }
    }
  }

  describe(topics: readonly TopicState[]): LogDirInfo[] {
    if (this.mode === 'memory') {
      return [
        {
          path: 'memory',
          totalBytes: -1,
          usableBytes: -1,
          error: null,
          partitions: topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition, sizeBytes: 0, offsetLag: 0 }))),
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
        for (const p of t.partitions) {
          if (this.dirForTopic(t.name) !== dir) continue;
          partitions.push({ topic: t.name, partition: p.partition, sizeBytes: dirSize(this.partitionDir(t.name, p.partition)), offsetLag: 0 });
        }
      }
      return { path: dir, totalBytes, usableBytes, partitions, error: null };
    });
  }
}

function dirSize(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const f of readdirSync(dir)) {
    try {
      total += statSync(join(dir, f)).size;
    } catch {
      // A file removed while we looked (retention): it no longer counts.
    }
  }
  return total;
}
