// Consume: fill one partition (BENCH_CONSUME_GB, default 1 GB, in identical batches), then read
// it all with Fetch (max_bytes 50 MiB, partition_max_bytes 10 MiB) on one connection, with 1
// fetch in flight (what Kafka's consumers do per broker) and with BENCH_DEPTH in flight
// (pipelined: the offsets are known in advance because every batch is the same). Phases:
//   disk, just written   the same broker process that wrote it; the file is in the page cache
//   disk, after restart  a new samsa process on the same data dir (recovery, cold file handles);
//                        the page cache is still warm: dropping it needs root tricks, so "cold"
//                        here means a cold broker, not a cold disk
//   memory               the in-memory engine, filled the same way
// Ceiling, same run: a separate node process that reads the same segment files with fs.read into
// fresh 10 MiB buffers and writes them to a loopback socket, with 1 and BENCH_DEPTH reads in
// flight (the faster is the ceiling); the client only counts bytes.
//
// Reproduce: npm run build && npm run bench:consume
// Knobs: BENCH_CONSUME_GB (1), BENCH_BATCH_KIB (1024), BENCH_DEPTH (4), BENCH_PASSES (3; the table
// shows the median pass), BENCH_MODES (disk,memory),
// BENCH_CPU_PROF=1, BENCH_JSON=1.
import { join } from 'node:path';
import { readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { startSamsa, startCeiling, freeBytes, type SamsaProcess } from './lib/samsa.js';
import { createTopic, makeBatch, produceFrame } from './lib/kafka.js';
import { runProducer } from './lib/producer.js';
import { runConsumer, drainSource, type ConsumeResult } from './lib/consumer.js';
import { banner, env, envList, fmt, pct, table, json } from './lib/report.js';
import { printSummary } from './lib/cpuprofile.js';

const GB = env('BENCH_CONSUME_GB', 1);
const BATCH_KIB = env('BENCH_BATCH_KIB', 1024);
const DEPTH = env('BENCH_DEPTH', 4);
const PASSES = env('BENCH_PASSES', 3); // reads of the whole log per phase and depth; the table shows the median
const MODES = envList('BENCH_MODES', ['disk', 'memory']);
const PROF = process.env.BENCH_CPU_PROF ? join(tmpdir(), `samsa-bench-prof-${Date.now()}`) : null;
const TOPIC = 'bench-consume';

banner('consume: Fetch from one partition, one connection, separate samsa process', 'bench:consume');
const free = await freeBytes(tmpdir());
if (MODES.includes('disk') && free < 3 * GB * 1e9) {
  console.error(`refusing to run: ${(free / 1e9).toFixed(1)} GB free in ${tmpdir()}, need 3 x ${GB} GB`);
  process.exit(1);
}

const { batch, records } = makeBatch(BATCH_KIB * 1024 - (BATCH_KIB >= 1024 ? 128 : 0), BATCH_KIB >= 64 ? 1024 : 100);
const batches = Math.ceil((GB * 1e9) / batch.length);
const template = produceFrame(TOPIC, batch, 1);
console.log(
  `log: ${batches} batches of ${batch.length} bytes (${records} records each) = ${fmt((batches * batch.length) / 1e6)} MB; fetch max_bytes 50 MiB, partition_max_bytes 10 MiB`,
);

function profDir(name: string): string | undefined {
  if (!PROF) return undefined;
  const d = join(PROF, name);
  mkdirSync(d, { recursive: true });
  return d;
}
// The profile of the consume runs only (not the fill, start-up or shutdown).
let window: [number, number] | undefined;
function printProfiles(dir: string | undefined): void {
  if (!dir) return;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) printSummary(join(dir, f), 12, window);
  window = undefined;
}

async function fill(s: SamsaProcess): Promise<void> {
  await createTopic(s.port, TOPIC, { 'max.message.bytes': 2000000 });
  const r = await runProducer({
    port: s.port,
    template,
    recordsPerRequest: records,
    batchBytes: batch.length,
    inflight: 8,
    warmupSeconds: 0,
    seconds: 3600,
    maxBytes: batches * batch.length,
    brokerPid: s.pid,
  });
  console.log(`filled ${fmt(r.bytes / 1e6)} MB in ${r.seconds.toFixed(1)} s (${fmt(r.mbPerSec)} MB/s)`);
}

const rows: Array<Array<string | number>> = [];
const results: Record<string, ConsumeResult> = {};
async function consume(s: SamsaProcess, phase: string): Promise<void> {
  for (const depth of [1, DEPTH]) {
    const passes: ConsumeResult[] = [];
    for (let i = 0; i < PASSES; i++) {
      const p = await runConsumer({ port: s.port, topic: TOPIC, batches, batchBytes: batch.length, recordsPerBatch: records, depth, brokerPid: s.pid });
      window = [window?.[0] ?? p.windowUs[0], p.windowUs[1]];
      console.log(
        `samsa ${phase}, ${depth} in flight${PASSES > 1 ? `, pass ${i + 1}` : ''}: ${fmt(p.mbPerSec)} MB/s (${fmt(p.bytes / 1e6)} MB in ${p.seconds.toFixed(2)} s, ${p.responses} responses), broker ${p.brokerCores.toFixed(2)} cores`,
      );
      passes.push(p);
    }
    const r = [...passes].sort((a, b) => a.mbPerSec - b.mbPerSec)[Math.floor(passes.length / 2)]!;
    results[`${phase}/depth${depth}`] = r;
    rows.push([
      phase,
      depth,
      fmt(r.mbPerSec),
      '',
      r.brokerCores.toFixed(2),
      (r.brokerCores / (r.mbPerSec / 1000)).toFixed(2),
      Math.max(0, r.machineCores - r.brokerCores - r.clientCores).toFixed(2),
    ]);
  }
}

const ceilings = new Map<number, number>(); // by reads (fetches) in flight
if (MODES.includes('disk')) {
  let dir = profDir('disk-write-and-read');
  let s = await startSamsa({ storage: 'disk', cpuProfDir: dir });
  const dataDir = s.dataDir!;
  try {
    await fill(s);
    execFileSync('sync'); // no writeback of the fill while reading
    await consume(s, 'disk, just written');
    await s.stop();
    printProfiles(dir);
    execFileSync('sync');
    dir = profDir('disk-after-restart');
    s = await startSamsa({ storage: 'disk', dataDir, cpuProfDir: dir });
    await consume(s, 'disk, after restart');
    await s.stop();
    printProfiles(dir);
    const segs = readdirSync(join(dataDir, `${TOPIC}-0`))
      .filter((f) => f.endsWith('.log'))
      .sort()
      .map((f) => join(dataDir, `${TOPIC}-0`, f));
    for (const depth of [1, DEPTH]) {
      const src = await startCeiling('file-source.mjs', [String(10 * 1024 * 1024), String(depth), ...segs]);
      try {
        const runs = [];
        for (let i = 0; i < PASSES; i++) runs.push(await drainSource(src.port));
        const median = [...runs].sort((a, b) => a.mbPerSec - b.mbPerSec)[Math.floor(runs.length / 2)]!.mbPerSec;
        ceilings.set(depth, median);
        console.log(
          `ceiling, ${depth} read(s) in flight (fs.read 10 MiB -> loopback socket -> count): ${runs.map((r) => fmt(r.mbPerSec)).join(', ')} MB/s (median ${fmt(median)})`,
        );
      } finally {
        await src.stop();
      }
    }
  } finally {
    await s.destroy();
    const { rmSync } = await import('node:fs');
    rmSync(dataDir, { recursive: true, force: true });
  }
}
if (MODES.includes('memory')) {
  const dir = profDir('memory');
  const s = await startSamsa({ storage: 'memory', cpuProfDir: dir });
  try {
    await fill(s);
    await consume(s, 'memory');
  } finally {
    await s.destroy();
  }
  printProfiles(dir);
}

console.log('');
// The ceiling is the faster of the minimal program's two ways (reading ahead is not always faster).
const ceiling = Math.max(...ceilings.values());
for (const r of rows) r[3] = pct(Number(String(r[2]).replace(/,/g, '')), ceiling);
table(['phase', 'fetches in flight', 'samsa MB/s', 'of ceiling', 'broker cores', 'broker CPU s/GB', 'other load'], rows);
console.log('other load = busy cores of the machine minus the broker and the consumer (other work on the box).');
console.log(
  `ceiling: ${[...ceilings].map(([d, v]) => `${fmt(v)} MB/s with ${d} read(s) in flight`).join(', ')} (separate process: fs.read of the segment files into 10 MiB buffers -> loopback socket; client counts bytes); rows are compared with the faster. MB = 10^6 bytes of record batches.`,
);
json({ bench: 'consume', gb: GB, batchBytes: batch.length, results, ceilingMbPerSec: Object.fromEntries(ceilings) });
