// Partition logs taken offline by a failed write, and how they come back.
// Kafka takes a log dir whose write failed offline until the broker restarts (and halts when its
// last log dir fails: LogManager.handleLogDirFailure); the partition's other replicas take over.
// A single broker has none, so samsa brings a log back by itself once the disk takes writes
// again: after a failure for want of space (ENOSPC, EDQUOT, or a short write, which is how a full
// disk shows in the middle of a write) the disk is probed every PROBE_MS by writing a probe file
// beside the log; when that succeeds the log is loaded again from its files with crash recovery,
// so nothing that was not acknowledged is served. A periodic probe rather than a retry on the
// next Produce: a partition nobody writes to comes back too, and a Produce never waits on it.
// Errors of the device itself (EIO, EROFS: a failing disk) keep the log offline until restart,
// as in Kafka.
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { PartitionLog } from './partition-log.js';

const PROBE_MS = 1000;
const PROBE_FILE = '.samsa-write-probe';
const PROBE_BYTES = 64 * 1024;
const DEVICE_ERRORS = new Set(['EIO', 'EROFS', 'ENXIO', 'ENODEV']);

export interface OfflineLogsOptions {
  log: Logger;
  // Whether the log is still the one serving its partition (not deleted or replaced).
  isLive(plog: PartitionLog): boolean;
  // Loads the log again from its files and puts it in place of `plog`; null if it went meanwhile.
  reload(plog: PartitionLog): Promise<PartitionLog | null>;
}

export class OfflineLogs {
  private readonly offline = new Map<string, PartitionLog>();
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(private readonly o: OfflineLogsOptions) {}

  // A write to `plog` failed with `err`; the log is offline.
  failed(plog: PartitionLog, err: Error): void {
    if (!this.o.isLive(plog)) return;
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && DEVICE_ERRORS.has(code)) {
      this.o.log.error({ partition: plog.name, err: err.message }, 'partition offline until restart');
      return;
    }
    this.offline.set(plog.name, plog);
    this.timer ??= setInterval(() => void this.probe(), PROBE_MS);
    this.timer.unref();
  }

  // Brings back every offline log whose directory takes writes again.
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      for (const [name, plog] of [...this.offline]) {
        if (!this.o.isLive(plog)) {
          this.offline.delete(name); // deleted meanwhile
          continue;
        }
        try {
          await writeProbe(join(plog.dir!, PROBE_FILE));
        } catch {
          continue; // still full
        }
        try {
          const fresh = await this.o.reload(plog);
          this.offline.delete(name);
          if (fresh) this.o.log.warn({ partition: name, logEndOffset: fresh.logEndOffset }, 'partition back online: its log dir takes writes again');
        } catch (err) {
          this.o.log.warn({ partition: name, err: (err as Error).message }, 'partition still offline');
        }
      }
    } finally {
      this.probing = false;
      if (this.offline.size === 0) this.stop();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

async function writeProbe(path: string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.write(Buffer.alloc(PROBE_BYTES));
    await fh.datasync();
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
}
