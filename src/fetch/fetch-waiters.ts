// Long polling for Fetch: a request with too little data waits until one of its partitions' high
// watermark moves (an append completed) or its max wait runs out. Appends wake waiters directly;
// nothing polls on a timer.
import type { PartitionLog } from '../storage/partition-log.js';

export class FetchWaiters {
  private readonly byLog = new Map<PartitionLog, Set<() => void>>();
  private readonly all = new Set<() => void>();

  notify(log: PartitionLog): void {
    const set = this.byLog.get(log);
    if (!set) return;
    this.byLog.delete(log);
    for (const w of set) w();
  }

  // Resolves true when woken by an append, false on timeout.
  wait(logs: readonly PartitionLog[], timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (woken: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.all.delete(wake);
        for (const l of logs) this.byLog.get(l)?.delete(wake);
        resolve(woken);
      };
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), Math.max(0, timeoutMs));
      this.all.add(wake);
      for (const l of logs) {
        let set = this.byLog.get(l);
        if (!set) this.byLog.set(l, (set = new Set()));
        set.add(wake);
      }
    });
  }

  // Shutdown: answer every long poll now.
  wakeAll(): void {
    for (const w of [...this.all]) w();
  }

  get waiting(): number {
    return this.all.size;
  }
}
