// The raw producer: one connection, `inflight` copies of one pre-encoded Produce frame kept in
// flight (a new one is written as each response arrives), for a warm-up and then a measured
// window. Every response is decoded with the generated codec and must be error-free and in order.
// And the ceiling's blaster: the same frames written as fast as the socket takes them to a sink.
import { connect } from 'node:net';
import { RawConnection } from './raw-connection.js';
import { checkProduceResponse, type FrameTemplate } from './kafka.js';
import { cpuSeconds, systemCpu, threadCpu, threadCpuDelta } from './samsa.js';

export interface ProduceOptions {
  port: number;
  template: FrameTemplate;
  recordsPerRequest: number;
  batchBytes: number; // record-batch bytes per request
  inflight: number;
  warmupSeconds: number;
  seconds: number;
  /** Stop sending after this many batch bytes (warm-up included). */
  maxBytes: number;
  /** The broker's pid, to report the CPU it used in the measured window. */
  brokerPid?: number;
  /** Connections, each with `inflight` requests in flight (default 1). */
  connections?: number;
}

export interface ProduceResult {
  requests: number;
  bytes: number;
  records: number;
  seconds: number;
  mbPerSec: number;
  recordsPerSec: number;
  brokerCores: number;
  clientCores: number;
  /** Busy cores of the whole machine in the window (broker + generator + anything else running). */
  machineCores: number;
  stealCores: number;
  /** The measured window on the monotonic clock, in microseconds (see cpuprofile.ts). */
  windowUs: [number, number];
  /** The broker's cores on its main thread and on its other threads (file I/O, GC), in the window. */
  brokerThreads: string;
}

export const monoUs = () => Number(process.hrtime.bigint() / 1000n);

export async function runProducer(o: ProduceOptions): Promise<ProduceResult> {
  const k = o.connections ?? 1;
  if (k <= 1) return runOne(o);
  // Several connections, started together, each measured over its own (nearly equal) window.
  const rs = await Promise.all(Array.from({ length: k }, (_, i) => runOne({ ...o, maxBytes: o.maxBytes / k, brokerPid: i === 0 ? o.brokerPid : undefined })));
  const seconds = Math.max(...rs.map((r) => r.seconds));
  const sum = (f: (r: ProduceResult) => number) => rs.reduce((a, r) => a + f(r), 0);
  return {
    requests: sum((r) => r.requests),
    bytes: sum((r) => r.bytes),
    records: sum((r) => r.records),
    seconds,
    mbPerSec: sum((r) => r.mbPerSec),
    recordsPerSec: sum((r) => r.recordsPerSec),
    brokerCores: rs[0]!.brokerCores,
    clientCores: rs[0]!.clientCores, // the process's, not one connection's
    machineCores: rs[0]!.machineCores,
    stealCores: rs[0]!.stealCores,
    brokerThreads: rs[0]!.brokerThreads,
    windowUs: [Math.min(...rs.map((r) => r.windowUs[0])), Math.max(...rs.map((r) => r.windowUs[1]))],
  };
}

async function runOne(o: ProduceOptions): Promise<ProduceResult> {
  const conn = await RawConnection.connect(o.port, { wholeLimit: 1024 * 1024 });
  return new Promise<ProduceResult>((resolve, reject) => {
    let corr = 1;
    let expected = 1;
    let inflight = 0;
    let sent = 0;
    let acked = 0;
    let sending = true;
    let finished = false;
    const t0 = performance.now();
    const warmEnd = t0 + o.warmupSeconds * 1000;
    let stopAt = warmEnd + o.seconds * 1000;
    let warmAcked = -1;
    let tWarm = 0;
    let brokerCpu0 = 0;
    let clientCpu0 = process.cpuUsage();
    let sys0 = systemCpu();
    let winStart = 0;
    let threads0: Record<string, number> = {};
    const markWarm = (now: number) => {
      sys0 = systemCpu();
      threads0 = o.brokerPid ? threadCpu(o.brokerPid) : {};
      winStart = monoUs();
      warmAcked = acked;
      tWarm = now;
      stopAt = now + o.seconds * 1000;
      brokerCpu0 = o.brokerPid ? cpuSeconds(o.brokerPid) : NaN;
      clientCpu0 = process.cpuUsage();
    };
    if (o.warmupSeconds <= 0) markWarm(t0);
    const fail = (err: Error) => {
      if (finished) return;
      finished = true;
      conn.close();
      reject(err);
    };
    const refill = () => {
      const parts: Buffer[] = [];
      while (inflight < o.inflight && sent * o.batchBytes < o.maxBytes) {
        parts.push(...o.template.parts(corr++));
        inflight++;
        sent++;
      }
      if (parts.length > 0) conn.write(parts);
      if (inflight === 0) sending = false;
    };
    conn.onFrame = (frame) => {
      if (finished) return;
      try {
        const { correlationId } = checkProduceResponse(frame);
        if (correlationId !== expected) throw new Error(`response ${correlationId} out of order, expected ${expected}`);
      } catch (err) {
        return fail(err as Error);
      }
      expected++;
      inflight--;
      acked++;
      const now = performance.now();
      if (warmAcked < 0 && now >= warmEnd) markWarm(now);
      if (now >= stopAt) sending = false;
      if (sending) refill();
      if (!sending && inflight === 0) {
        finished = true;
        const dt = (now - tWarm) / 1000;
        const n = acked - warmAcked;
        const cpu = process.cpuUsage(clientCpu0);
        const sys = systemCpu();
        conn.close();
        resolve({
          requests: n,
          bytes: n * o.batchBytes,
          records: n * o.recordsPerRequest,
          seconds: dt,
          mbPerSec: (n * o.batchBytes) / dt / 1e6,
          recordsPerSec: (n * o.recordsPerRequest) / dt,
          brokerCores: o.brokerPid ? (cpuSeconds(o.brokerPid) - brokerCpu0) / dt : NaN,
          clientCores: (cpu.user + cpu.system) / 1e6 / dt,
          machineCores: (sys.busy - sys0.busy) / dt,
          stealCores: (sys.steal - sys0.steal) / dt,
          windowUs: [winStart, monoUs()],
          brokerThreads: o.brokerPid ? threadCpuDelta(threads0, threadCpu(o.brokerPid), dt) : '',
        });
      }
    };
    conn.onClose = (err) => fail(err ?? new Error('the broker closed the connection'));
    refill();
  });
}

export interface BlastResult {
  frames: number;
  bytes: number; // as counted by the sink
  sentBytes: number; // as written by this side (equal to bytes unless the sink lost some)
  seconds: number; // first byte to last write, at the sink
  mbPerSec: number; // of frame bytes
  records: number; // summed over the frames sent, from BlastFrame.records
  batchBytes: number; // likewise, from BlastFrame.batchBytes
}

/** A frame to send, with what it carries (for the counts in BlastResult). */
export interface BlastFrame {
  template: FrameTemplate;
  records?: number;
  batchBytes?: number;
}

/**
 * Writes the frames (cycling, or copies of one template) to a sink (bench/lib/ceiling/sink.mjs)
 * as fast as the socket takes them, for `seconds` or `maxBytes`.
 */
export async function blast(port: number, frames: FrameTemplate | readonly BlastFrame[], seconds: number, maxBytes = Infinity): Promise<BlastResult> {
  const list: readonly BlastFrame[] = Array.isArray(frames) ? frames : [{ template: frames as FrameTemplate }];
  const sock = connect({ host: '127.0.0.1', port });
  await new Promise<void>((r, j) => {
    sock.once('connect', () => r());
    sock.once('error', j);
  });
  sock.setNoDelay(true);
  let reply = '';
  const done = new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
    sock.on('data', (d: Buffer) => (reply += d));
    sock.on('end', () => resolve(JSON.parse(reply)));
    sock.on('error', reject);
  });
  const stopAt = performance.now() + seconds * 1000;
  let corr = 1;
  let next = 0;
  let sentBytes = 0;
  let records = 0;
  let batchBytes = 0;
  let loops = 0;
  while (performance.now() < stopAt && sentBytes < maxBytes) {
    // About 256 KiB per corked burst.
    sock.cork();
    let ok = true;
    for (let n = 0; n < 256 * 1024;) {
      const f = list[next++ % list.length]!;
      const [h, b] = f.template.parts(corr++);
      sock.write(h);
      ok = sock.write(b);
      n += f.template.length;
      sentBytes += f.template.length;
      records += f.records ?? 0;
      batchBytes += f.batchBytes ?? 0;
    }
    sock.uncork();
    if (!ok) await new Promise((r) => sock.once('drain', r));
    else if (++loops % 64 === 0) await new Promise((r) => setImmediate(r));
  }
  sock.end();
  const r = await done;
  sock.destroy();
  return { frames: corr - 1, bytes: r.bytes, sentBytes, seconds: r.ms / 1000, mbPerSec: r.bytes / r.ms / 1000, records, batchBytes };
}
