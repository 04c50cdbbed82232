// The raw consumer: Fetch (max_bytes 50 MiB, partition_max_bytes 10 MiB by default) on one
// connection, `depth` requests in flight, advancing the offset. The bench filled the partition
// with identical batches (same size, same record count), so the offset the next fetch starts at
// is known before the previous response arrives: that is what lets fetches be pipelined. Every
// response is checked (in order, starting at the offset asked for, the expected byte count) from
// its first bytes; every 16th is decoded whole with the generated codec. The consumer otherwise
// only counts bytes, like the ceiling's.
import { connect } from 'node:net';
import { RawConnection } from './raw-connection.js';
import { fetchFrame, parseFetchHead, checkFetchWhole } from './kafka.js';
import { cpuSeconds, systemCpu } from './samsa.js';

export interface ConsumeOptions {
  port: number;
  topic: string;
  /** The log: `batches` batches of `batchBytes` bytes and `recordsPerBatch` records, from offset 0. */
  batches: number;
  batchBytes: number;
  recordsPerBatch: number;
  depth: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  brokerPid?: number;
}

export interface ConsumeResult {
  responses: number;
  bytes: number; // record-batch bytes
  seconds: number;
  mbPerSec: number;
  brokerCores: number;
  machineCores: number;
  clientCores: number;
  windowUs: [number, number]; // monotonic clock, microseconds (see cpuprofile.ts)
}

export async function runConsumer(o: ConsumeOptions): Promise<ConsumeResult> {
  const maxBytes = o.maxBytes ?? 50 * 1024 * 1024;
  const pmb = o.partitionMaxBytes ?? 10 * 1024 * 1024;
  const perFetch = Math.max(1, Math.floor(pmb / o.batchBytes));
  const conn = await RawConnection.connect(o.port, { wholeLimit: 64 * 1024, headBytes: 512, sampleWhole: (i) => i % 16 === 0 });
  return new Promise<ConsumeResult>((resolve, reject) => {
    let nextBatch = 0; // first batch of the next fetch to send
    const pending: Array<{ corr: number; batch: number; count: number }> = [];
    let corr = 1;
    let bytes = 0;
    let responses = 0;
    let done = false;
    const t0 = performance.now();
    const w0 = Number(process.hrtime.bigint() / 1000n);
    const cpu0 = o.brokerPid ? cpuSeconds(o.brokerPid) : NaN;
    const sys0 = systemCpu();
    const me0 = process.cpuUsage();
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      conn.close();
      reject(e);
    };
    const send = () => {
      const frames: Buffer[] = [];
      while (pending.length < o.depth && nextBatch < o.batches) {
        const count = Math.min(perFetch, o.batches - nextBatch);
        pending.push({ corr, batch: nextBatch, count });
        frames.push(fetchFrame(o.topic, nextBatch * o.recordsPerBatch, corr++, { maxBytes, partitionMaxBytes: pmb, maxWaitMs: 500, minBytes: 1 }));
        nextBatch += count;
      }
      if (frames.length > 0) conn.write(frames);
    };
    conn.onFrame = (head, size, whole) => {
      if (done) return;
      const want = pending.shift();
      try {
        if (!want) throw new Error('a response nobody asked for');
        const h = parseFetchHead(head);
        if (h.correlationId !== want.corr) throw new Error(`response ${h.correlationId} out of order, expected ${want.corr}`);
        if (h.errorCode !== 0) throw new Error(`fetch at batch ${want.batch} failed: error ${h.errorCode}`);
        const offset = want.batch * o.recordsPerBatch;
        if (h.firstBaseOffset !== offset) throw new Error(`fetch at offset ${offset} returned a batch at ${h.firstBaseOffset}`);
        if (h.recordsBytes !== want.count * o.batchBytes)
          throw new Error(`fetch at offset ${offset}: ${h.recordsBytes} bytes, expected ${want.count} batches of ${o.batchBytes}`);
        if (whole) {
          const w = checkFetchWhole(head);
          if (w.nextOffset !== offset + want.count * o.recordsPerBatch) throw new Error(`fetch at offset ${offset}: next offset ${w.nextOffset}`);
        }
        bytes += h.recordsBytes;
      } catch (e) {
        return fail(e as Error);
      }
      void size;
      responses++;
      if (nextBatch < o.batches) send();
      else if (pending.length === 0) {
        done = true;
        const dt = (performance.now() - t0) / 1000;
        conn.close();
        const me = process.cpuUsage(me0);
        resolve({
          responses,
          bytes,
          seconds: dt,
          mbPerSec: bytes / dt / 1e6,
          brokerCores: o.brokerPid ? (cpuSeconds(o.brokerPid) - cpu0) / dt : NaN,
          machineCores: (systemCpu().busy - sys0.busy) / dt,
          clientCores: (me.user + me.system) / 1e6 / dt,
          windowUs: [w0, Number(process.hrtime.bigint() / 1000n)],
        });
      }
    };
    conn.onClose = (err) => fail(err ?? new Error('the broker closed the connection'));
    send();
  });
}

/** The ceiling's consumer: counts the bytes a bench/lib/ceiling/file-source.mjs server sends. */
export async function drainSource(port: number): Promise<{ bytes: number; seconds: number; mbPerSec: number }> {
  const t0 = performance.now();
  const sock = connect({ host: '127.0.0.1', port });
  let bytes = 0;
  await new Promise<void>((resolve, reject) => {
    sock.on('data', (d: Buffer) => (bytes += d.length));
    sock.on('end', () => resolve());
    sock.on('error', reject);
  });
  const dt = (performance.now() - t0) / 1000;
  sock.destroy();
  return { bytes, seconds: dt, mbPerSec: bytes / dt / 1e6 };
}
