// replication-offset-checkpoint: each log dir's high watermarks, in Kafka's checkpoint format
// (version 0, entry count, "<topic> <partition> <offset>" lines; src/storage/checkpoints.ts).
// Written every replica.high.watermark.checkpoint.interval.ms and at shutdown, read at start-up
// so a restarted broker's high watermark is what was known committed, not its log end (which may
// hold records it never replicated and must be able to truncate).
import { dirname, join } from 'node:path';
import { readOffsetsCheckpoint, writeCheckpoint } from '../storage/checkpoints.js';
import type { LogManager } from '../storage/log-manager.js';

export const REPLICATION_CHECKPOINT = 'replication-offset-checkpoint';

// High watermarks of every log dir, by "<topic>-<partition>".
export function readHighWatermarks(logManager: LogManager): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of logManager.logDirs) for (const [k, v] of readOffsetsCheckpoint(join(d, REPLICATION_CHECKPOINT))) out.set(k, v);
  return out;
}

export function writeHighWatermarks(logManager: LogManager): void {
  const byDir = new Map<string, string[]>(logManager.logDirs.map((d) => [d, []]));
  for (const l of logManager.all()) {
    if (l.isClosed) continue;
    const dir = dirname(logManager.partitionDir(l.topic, l.partition));
    byDir.get(dir)?.push(`${l.topic} ${l.partition} ${l.highWatermark}`);
  }
  for (const [d, rows] of byDir) writeCheckpoint(join(d, REPLICATION_CHECKPOINT), rows);
}
