// Broker memory: the RSS of the separate samsa process (VmRSS from /proc/<pid>/status, every
// 100 ms) while
//   ingest     BENCH_GB GB (default 10) of 1 MiB produce requests, acks=1, 8 in flight, one
//              partition, disk mode (refuses to run unless 3 x BENCH_GB is free under tmpdir)
//   long-poll  on a fresh broker, 100 connections each long-polling an idle topic (Fetch
//              max_wait_ms 500, min_bytes 1, re-sent as soon as it returns) for BENCH_POLL_SECONDS (10)
// Reported per phase: the peak and the steady RSS (median of the phase's second half). With
// BENCH_MODES=disk,memory the ingest also runs in memory mode, with segment.bytes 256 MiB and
// retention.bytes 1 GiB, to show that memory stays bounded by retention.
//
// Reproduce: npm run build && npm run bench:rss   (quick: BENCH_GB=1 npm run bench:rss)
import { tmpdir } from 'node:os';
import { startSamsa, rssKiB, freeBytes, type SamsaProcess } from './lib/samsa.js';
import { createTopic, makeBatch, produceFrame, fetchFrame, parseFetchHead } from './lib/kafka.js';
import { runProducer } from './lib/producer.js';
import { RawConnection } from './lib/raw-connection.js';
import { banner, env, envList, fmt, table, json, sleep } from './lib/report.js';

const GB = env('BENCH_GB', 10);
const POLL_SECONDS = env('BENCH_POLL_SECONDS', 10);
const POLLERS = env('BENCH_POLLERS', 100);
const MODES = envList('BENCH_MODES', ['disk']) as Array<'disk' | 'memory'>;

banner('broker RSS under ingest and under idle long polls, separate samsa process', 'bench:rss');
const free = await freeBytes(tmpdir());
if (MODES.includes('disk') && free < 3 * GB * 1e9) {
  console.error(`refusing to run: ${(free / 1e9).toFixed(1)} GB free in ${tmpdir()}, need 3 x BENCH_GB = ${3 * GB} GB (set BENCH_GB lower)`);
  process.exit(1);
}

interface Sample {
  t: number;
  kib: number;
}
function sampler(pid: number): { stop(): Sample[] } {
  const samples: Sample[] = [];
  const take = () => samples.push({ t: performance.now(), kib: rssKiB(pid) });
  take();
  const timer = setInterval(take, 100);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples.filter((s) => Number.isFinite(s.kib));
    },
  };
}
function stats(samples: Sample[]): { peakMiB: number; steadyMiB: number; n: number } {
  const half = samples
    .slice(Math.floor(samples.length / 2))
    .map((s) => s.kib)
    .sort((a, b) => a - b);
  return { peakMiB: Math.max(...samples.map((s) => s.kib)) / 1024, steadyMiB: (half[Math.floor(half.length / 2)] ?? NaN) / 1024, n: samples.length };
}

const rows: Array<Array<string | number>> = [];
const out: Record<string, unknown> = {};
function record(phase: string, samples: Sample[], note: string): void {
  const s = stats(samples);
  // The shape over time: RSS at each tenth of the phase (a leak keeps climbing, a plateau does not).
  const shape = Array.from({ length: 10 }, (_, i) => samples[Math.min(samples.length - 1, Math.round(((i + 1) * (samples.length - 1)) / 10))]!.kib / 1024);
  rows.push([phase, fmt(s.peakMiB, 1), fmt(s.steadyMiB, 1), s.n, note]);
  out[phase] = { ...s, note, shapeMiB: shape };
  console.log(`${phase}: peak ${fmt(s.peakMiB, 1)} MiB, steady ${fmt(s.steadyMiB, 1)} MiB (${s.n} samples) ${note}`);
  console.log(`  RSS MiB at each tenth of the phase: ${shape.map((x) => x.toFixed(0)).join(' ')}`);
}

const { batch, records } = makeBatch(1024 * 1024 - 128, 1024);

async function ingest(s: SamsaProcess, mode: string): Promise<void> {
  const topic = 'bench-rss';
  await createTopic(s.port, topic, {
    'max.message.bytes': 2000000,
    ...(mode === 'memory' ? { 'segment.bytes': 256 * 1024 * 1024, 'retention.bytes': 1024 * 1024 * 1024 } : {}),
  });
  const smp = sampler(s.pid);
  const r = await runProducer({
    port: s.port,
    template: produceFrame(topic, batch, 1),
    recordsPerRequest: records,
    batchBytes: batch.length,
    inflight: 8,
    warmupSeconds: 0,
    seconds: 3600,
    maxBytes: GB * 1e9,
    brokerPid: s.pid,
  });
  record(`ingest ${GB} GB (${mode})`, smp.stop(), `${fmt(r.mbPerSec)} MB/s for ${r.seconds.toFixed(1)} s`);
}

async function longPoll(s: SamsaProcess): Promise<void> {
  const topic = 'bench-idle';
  await createTopic(s.port, topic);
  const conns = await Promise.all(Array.from({ length: POLLERS }, () => RawConnection.connect(s.port)));
  let responses = 0;
  let stopping = false;
  let errors = 0;
  let corr = 1;
  const poll = (c: RawConnection) =>
    c.write([fetchFrame(topic, 0, corr++, { maxBytes: 50 * 1024 * 1024, partitionMaxBytes: 1024 * 1024, maxWaitMs: 500, minBytes: 1 })]);
  for (const c of conns) {
    c.onFrame = (head) => {
      responses++;
      if (parseFetchHead(head).errorCode !== 0) errors++;
      if (!stopping) poll(c);
    };
    c.onClose = () => {};
  }
  const smp = sampler(s.pid);
  for (const c of conns) poll(c);
  await sleep(POLL_SECONDS * 1000);
  stopping = true;
  await sleep(600);
  const samples = smp.stop();
  for (const c of conns) c.close();
  if (errors > 0) throw new Error(`${errors} fetch responses had errors`);
  record(`${POLLERS} idle long polls, ${POLL_SECONDS} s`, samples, `${fmt(responses / POLL_SECONDS)} responses/s`);
}

async function idle(s: SamsaProcess, what: string): Promise<void> {
  await sleep(500);
  const smp = sampler(s.pid);
  await sleep(1000);
  record(`idle after start (${what})`, smp.stop(), '');
}

for (const mode of MODES) {
  const s = await startSamsa({ storage: mode, set: mode === 'memory' ? { 'log.retention.check.interval.ms': 500 } : {} });
  try {
    await idle(s, mode);
    await ingest(s, mode);
  } finally {
    await s.destroy();
  }
}
// A fresh broker, so that the ingest's heap does not hide what the long polls cost.
{
  const s = await startSamsa({ storage: MODES[0]! });
  try {
    await idle(s, `${MODES[0]}, for the long polls`);
    await longPoll(s);
  } finally {
    await s.destroy();
  }
}
console.log('');
table(['phase', 'peak RSS MiB', 'steady RSS MiB', 'samples', ''], rows);
console.log('steady = median of the second half of the phase; samples every 100 ms of /proc/<pid>/status VmRSS.');
json({ bench: 'rss', gb: GB, results: out });
