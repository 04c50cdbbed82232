// Where cluster metadata lives between restarts. Single node (the embedded default): a small JSON
// file in the first log dir, replaced atomically (write, fsync, rename), so a crash leaves either
// the old or the new state. The in-memory store keeps nothing. An etcd store comes with clusters.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TopicState } from './topic.js';

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
}

export interface MetadataStore {
  readonly kind: 'file' | 'memory';
  load(): MetadataSnapshot | null;
  save(snapshot: MetadataSnapshot): void;
}

export class MemoryMetadataStore implements MetadataStore {
  readonly kind = 'memory';
  load(): MetadataSnapshot | null {
    return null;
  }
  save(): void {}
}

export const METADATA_FILE = 'samsa-metadata.json';

export class FileMetadataStore implements MetadataStore {
  readonly kind = 'file';
  readonly path: string;

  constructor(logDir: string) {
    this.path = join(logDir, METADATA_FILE);
  }

  load(): MetadataSnapshot | null {
    if (!existsSync(this.path)) return null;
    const text = readFileSync(this.path, 'utf8');
    try {
      return JSON.parse(text) as MetadataSnapshot;
    } catch (err) {
      throw new Error(`cluster metadata file ${this.path} is not valid JSON (${(err as Error).message}); restore it or move it away to start empty`);
    }
  }

  save(snapshot: MetadataSnapshot): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(snapshot, null, 1));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
