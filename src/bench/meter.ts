// Counts what a run moved, keeps one timeline point per second (throughput and the p99 of that
// second) for the report, and draws the live progress line on a TTY (stderr, updated in place).
import { newHistogram, record, type Histogram } from './histogram.js';
import type { TimelinePoint } from './types.js';

export class Meter {
  records = 0;
  bytes = 0;
  requests = 0;
  readonly latency: Histogram = newHistogram();
  readonly errors: Record<string, number> = {};
  readonly timeline: TimelinePoint[] = [];
  private interval: Histogram = newHistogram();
  private lastRecords = 0;
  private lastBytes = 0;
  private lastT = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly label: string,
    private readonly progress: boolean,
  ) {}

  start(): void {
    this.t0 = this.lastT = performance.now();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  latencyUs(us: number, count = 1): void {
    record(this.latency, us, count);
    record(this.interval, us, count);
  }

  error(name: string, n = 1): void {
    this.errors[name] = (this.errors[name] ?? 0) + n;
  }

  elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }

  private sample(final = false): void {
    const now = performance.now();
    const dt = (now - this.lastT) / 1000;
    if (dt <= 0 || (final && dt < 0.05)) return;
    const r = this.records - this.lastRecords;
    const b = this.bytes - this.lastBytes;
    const p99 = this.interval.totalCount > 0 ? this.interval.getValueAtPercentile(99) : 0;
    this.timeline.push({ t: Math.round(((now - this.t0) / 1000) * 1000) / 1000, recordsPerSec: r / dt, mbPerSec: b / dt / 1e6, p99Us: p99 });
    this.lastRecords = this.records;
    this.lastBytes = this.bytes;
    this.lastT = now;
    this.interval.reset();
    if (this.progress && !final) {
      const p = this.latency.totalCount > 0 ? ` p99 so far ${(this.latency.getValueAtPercentile(99) / 1000).toFixed(2)} ms` : '';
      const errs = Object.values(this.errors).reduce((a, x) => a + x, 0);
      const line = `${this.label} ${this.elapsed().toFixed(0)}s: ${Math.round(r / dt).toLocaleString('en-US')} records/s, ${(b / dt / 1e6).toFixed(1)} MB/s,${p} ${this.records.toLocaleString('en-US')} records${errs ? `, ${errs} errors` : ''}`;
      process.stderr.write(`\r\x1b[2K${line}`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample(true);
    if (this.progress) process.stderr.write('\r\x1b[2K');
  }
}
