// Kafka's checkpoint files, in Kafka's text format so its tools can read them:
//   version line (0), entry count line, then one entry per line.
//   per log dir:   log-start-offset-checkpoint, recovery-point-offset-checkpoint:  "<topic> <partition> <offset>"
//   per partition: leader-epoch-checkpoint:  "<epoch> <start offset>"
//                  partition.metadata:  "version: 0\ntopic_id: <id>"
// Written atomically (temp file, fsync, rename) so a crash leaves the old or the new one.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export function writeAtomic(path: string, text: string, sync = true): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function writeCheckpoint(path: string, entries: string[]): void {
  writeAtomic(path, `0\n${entries.length}\n${entries.map((e) => `${e}\n`).join('')}`);
}

// Returns the entry lines, or null if the file is missing or not a version-0 checkpoint.
export function readCheckpoint(path: string): string[][] | null {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  if (lines[0] !== '0') return null;
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || lines.length < 2 + count) return null;
  return lines.slice(2, 2 + count).map((l) => l.trim().split(/\s+/));
}

export function readOffsetsCheckpoint(path: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [topic, partition, offset] of readCheckpoint(path) ?? []) {
    if (topic !== undefined && partition !== undefined && offset !== undefined) out.set(`${topic}-${partition}`, Number(offset));
  }
  return out;
}

// partition.metadata's content (also written off the event loop by the log manager).
export function partitionMetadataText(topicId: string): string {
  return `version: 0\ntopic_id: ${topicId}\n`;
}

// No fsync: the file only repeats the topic id the cluster metadata already holds durably, and
// an fsync per partition made creating __consumer_offsets (50 partitions) take up to a second.
export function writePartitionMetadata(path: string, topicId: string): void {
  writeAtomic(path, partitionMetadataText(topicId), false);
}
