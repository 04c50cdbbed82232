// The ceilings of the suite, measured in the same run as each samsa cell: minimal programs
// (bench/lib/ceiling/*.mjs, separate node processes) that only move the same bytes between a
// loopback socket and a file, driven from this process with the same frames, the same requests in
// flight and the same duration as the `samsa bench` command beside them.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { startCeiling, tempDir } from '../lib/samsa.js';
import { drainSource } from '../lib/consumer.js';
import { runSchedule } from '../lib/scheduled.js';
import { blast } from '../lib/producer.js';
import { RawConnection } from '../../src/bench/raw-connection.js';
import { newHistogram, record, summarize, type LatencySummary } from '../../src/bench/histogram.js';
import type { Frame } from './frames.js';
import type { Mode } from './settings.js';

export interface CeilingResult {
  /** What the ceiling program did. */
  program: string;
  records: number;
  bytes: number; // record-batch bytes, as samsa bench counts them
  seconds: number;
  recordsPerSec: number;
  mbPerSec: number;
  /** Send (or due) -> answer, per record; null when nothing answers (acks=0). */
  latency: LatencySummary | null;
}

function result(program: string, records: number, bytes: number, seconds: number, latency: LatencySummary | null): CeilingResult {
  return { program, records, bytes, seconds, recordsPerSec: records / seconds, mbPerSec: bytes / seconds / 1e6, latency };
}

/** Runs `fn` against sink.mjs in `mode` (with a file in a fresh temp dir on disk), then removes the file. */
async function withSink<T>(sinkMode: string, disk: boolean, fn: (port: number) => Promise<T>): Promise<T> {
  const dir = disk ? tempDir('samsa-bench-ceiling-') : null;
  const sink = await startCeiling('sink.mjs', dir ? [sinkMode, join(dir, 'sink.log')] : [sinkMode]);
  try {
    return await fn(sink.port);
  } finally {
    await sink.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Produce ceiling. acks=0: the frames are written as fast as the socket takes them to a process
 * that appends every chunk to a file (disk) or discards it (memory). acks=1/all: `inflight` frames
 * in flight, to a process that appends each chunk to a file (disk) or not (memory) and then answers
 * every frame it completed with 8 bytes (one broker, so acks=1 and all are the same here).
 */
export async function produceCeiling(mode: Mode, acks: number, frames: Frame[], inflight: number, seconds: number): Promise<CeilingResult> {
  const disk = mode === 'disk';
  if (acks === 0) {
    return withSink(disk ? 'append' : 'discard', disk, async (port) => {
      const r = await blast(port, frames, seconds);
      if (r.bytes !== r.sentBytes) throw new Error(`the sink received ${r.bytes} bytes of ${r.sentBytes}`);
      return result(disk ? 'socket -> fs.writeSync append' : 'socket -> discard', r.records, r.batchBytes, r.seconds, null);
    });
  }
  return withSink('ack', disk, async (port) => {
    const r = await closedLoop(port, frames, inflight, seconds, 0);
    return result(
      disk ? 'socket -> fs.writeSync append -> 8-byte answer per frame' : 'socket -> 8-byte answer per frame',
      r.records,
      r.batchBytes,
      r.seconds,
      r.latency,
    );
  });
}

/** E2e ceiling at saturation: `inflight` frames in flight to a process that appends them (disk) and sends the same bytes back; latency = send -> the frame is back. */
export async function e2eCeilingSaturated(mode: Mode, frames: Frame[], inflight: number, seconds: number): Promise<CeilingResult> {
  const disk = mode === 'disk';
  return withSink('relay', disk, async (port) => {
    // An echoed request frame: [api key 2][api version 2][correlation id 4]...
    const r = await closedLoop(port, frames, inflight, seconds, 4);
    return result(disk ? 'socket -> fs.writeSync append -> same bytes back' : 'socket -> same bytes back', r.records, r.batchBytes, r.seconds, r.latency);
  });
}

/** E2e ceiling at a fixed rate: the same schedule (one frame every 1/requestsPerSecond s) against the relay; latency = due -> the frame is back. */
export async function e2eCeilingRate(mode: Mode, frame: Frame, requestsPerSecond: number, seconds: number): Promise<CeilingResult> {
  const disk = mode === 'disk';
  return withSink('relay', disk, async (port) => {
    const r = await runSchedule({ port, template: frame.template, requestsPerSecond, warmupSeconds: 0, seconds, check: (f) => f.readInt32BE(4) });
    const lat = summarize(r.latency);
    // Per record, as samsa bench counts its e2e latency (every record of a request has the request's).
    const scaled = { ...lat, count: lat.count * frame.records };
    return result(
      disk ? 'socket -> fs.writeSync append -> same bytes back' : 'socket -> same bytes back',
      r.requests * frame.records,
      r.requests * frame.batchBytes,
      r.seconds,
      scaled,
    );
  });
}

/** Consume ceiling: fs.read of the segment files into fresh 10 MiB buffers (a Fetch's partition_max_bytes), written to a loopback socket, one read in flight (samsa bench consume keeps one fetch in flight); the client counts bytes. */
export async function consumeCeiling(files: string[]): Promise<CeilingResult> {
  const src = await startCeiling('file-source.mjs', [String(10 * 1024 * 1024), '1', ...files]);
  try {
    const r = await drainSource(src.port);
    return result('fs.read 10 MiB -> socket', NaN, r.bytes, r.seconds, null);
  } finally {
    await src.stop();
  }
}

interface LoopResult {
  records: number;
  batchBytes: number;
  seconds: number;
  latency: LatencySummary;
}

/** Keeps `inflight` frames in flight (cycling through `frames`) for `seconds`, then waits for the rest; answers carry the correlation id at `corrAt`. */
async function closedLoop(port: number, frames: Frame[], inflight: number, seconds: number, corrAt: number): Promise<LoopResult> {
  const conn = await RawConnection.connect(port, { wholeLimit: 64 * 1024 * 1024 });
  const h = newHistogram();
  return new Promise<LoopResult>((resolve, reject) => {
    const sent: Array<{ at: number; frame: Frame }> = [];
    let head = 0;
    let corr = 1;
    let next = 0;
    let records = 0;
    let batchBytes = 0;
    let done = false;
    const t0 = performance.now();
    const stopAt = t0 + seconds * 1000;
    const fail = (e: Error) => {
      if (done) return;
      done = true;
      conn.close();
      reject(e);
    };
    const refill = () => {
      const parts: Buffer[] = [];
      const now = performance.now();
      while (sent.length - head < inflight && now < stopAt) {
        const f = frames[next++ % frames.length]!;
        parts.push(...f.template.parts(corr++));
        sent.push({ at: now, frame: f });
      }
      if (parts.length > 0) conn.write(parts);
    };
    conn.onFrame = (frame) => {
      if (done) return;
      const now = performance.now();
      const want = head + 1;
      const got = frame.readInt32BE(corrAt);
      if (got !== want) return fail(new Error(`ceiling answered correlation id ${got}, expected ${want}`));
      const s = sent[head++]!;
      records += s.frame.records;
      batchBytes += s.frame.batchBytes;
      record(h, (now - s.at) * 1000, s.frame.records);
      refill();
      if (head === sent.length && now >= stopAt) {
        done = true;
        conn.close();
        resolve({ records, batchBytes, seconds: (now - t0) / 1000, latency: summarize(h) });
      }
    };
    conn.onClose = (err) => fail(err ?? new Error('the ceiling closed the connection'));
    refill();
  });
}
