// Open-loop load: requests are due on a fixed timeline (one every 1/rate s) whatever the
// responses do, and each latency is measured from the time the request was *due*, not from when
// it was written, so a stall delays the whole schedule and every request behind it shows the
// wait (no coordinated omission). Latencies go into an HDR histogram in microseconds.
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram } from '../../src/bench/histogram.js';
import { startTicker } from '../../src/bench/ticker.js';
import { RawConnection } from './raw-connection.js';
import type { FrameTemplate } from './kafka.js';

export interface ScheduleOptions {
  port: number;
  template: FrameTemplate;
  requestsPerSecond: number;
  warmupSeconds: number;
  seconds: number;
  /** Checks one response frame and returns its correlation id (throws if it is an error). */
  check: (frame: Buffer) => number;
}

export interface ScheduleResult {
  latency: Histogram; // due time -> response, microseconds, measured window only
  sendLag: Histogram; // due time -> write, microseconds: the generator's own lateness
  requests: number;
  seconds: number;
  /** The largest latency (µs) of the requests due in each second of the measured window. */
  maxPerSecond: number[];
  /** Requests slower than 2 ms and 10 ms. */
  over2ms: number;
  over10ms: number;
}

export { newHistogram };

export async function runSchedule(o: ScheduleOptions): Promise<ScheduleResult> {
  const conn = await RawConnection.connect(o.port, { wholeLimit: 1024 * 1024 });
  const latency = newHistogram();
  const sendLag = newHistogram();
  const intervalMs = 1000 / o.requestsPerSecond;
  const total = Math.round((o.warmupSeconds + o.seconds) * o.requestsPerSecond);
  const warmCount = Math.round(o.warmupSeconds * o.requestsPerSecond);
  return new Promise<ScheduleResult>((resolve, reject) => {
    const due: number[] = []; // due times of requests in flight, in send order
    let head = 0;
    let i = 0; // next request to send
    let expected = 1;
    let answered = 0;
    let finished = false;
    const maxPerSecond: number[] = [];
    let over2ms = 0;
    let over10ms = 0;
    const start = performance.now() + 20;
    const ticker = startTicker(start, intervalMs, total);
    const fail = (e: Error) => {
      if (finished) return;
      finished = true;
      void ticker.terminate();
      conn.close();
      reject(e);
    };
    const tick = () => {
      const now = performance.now();
      const parts: Buffer[] = [];
      while (i < total && start + i * intervalMs <= now) {
        const d = start + i * intervalMs;
        parts.push(...o.template.parts(i + 1));
        due.push(d);
        if (i >= warmCount) sendLag.recordValue(Math.max(1, Math.round((now - d) * 1000)));
        i++;
      }
      if (parts.length > 0) conn.write(parts);
    };
    ticker.on('message', tick);
    ticker.on('error', fail);
    conn.onFrame = (frame) => {
      if (finished) return;
      const now = performance.now();
      let corr: number;
      try {
        corr = o.check(frame);
      } catch (e) {
        return fail(e as Error);
      }
      if (corr !== expected) return fail(new Error(`response ${corr} out of order, expected ${expected}`));
      const d = due[head++]!;
      if (expected > warmCount) {
        const us = Math.max(1, Math.round((now - d) * 1000));
        latency.recordValue(us);
        const sec = Math.floor((d - start) / 1000 - o.warmupSeconds);
        if (sec >= 0) maxPerSecond[sec] = Math.max(maxPerSecond[sec] ?? 0, us);
        if (us > 2000) over2ms++;
        if (us > 10000) over10ms++;
      }
      expected++;
      answered++;
      if (head > 4096) {
        due.splice(0, head);
        head = 0;
      }
      if (answered === total) {
        finished = true;
        void ticker.terminate();
        conn.close();
        resolve({
          latency,
          sendLag,
          requests: total - warmCount,
          seconds: o.seconds,
          maxPerSecond: Array.from(maxPerSecond, (x) => x ?? 0),
          over2ms,
          over10ms,
        });
      }
    };
    conn.onClose = (err) => fail(err ?? new Error('the server closed the connection'));
  });
}
