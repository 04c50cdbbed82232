// Produce ingest, one partition, acks=1, against a separate samsa process in disk and memory mode:
//   (a) 1 MiB requests (one ~1 MiB batch of 1 KiB records each; the topic has
//       max.message.bytes=2000000), BENCH_INFLIGHT in flight on one connection: MB/s of batches.
//   (b) 100-byte records in 16 KiB batches, one batch per request, BENCH_INFLIGHT_SMALL in
//       flight: records/s (goal >= 1,000,000/s; Kafka 4.1's perf tool: 398,000/s here).
// Requests are encoded once and the same bytes are written again and again (only the correlation
// id changes), so the generator costs almost nothing per record.
// Ceiling, same run, same frames: a separate node process that reads the loopback socket and
// appends every chunk to a file (fs.writeSync) for disk mode, or only counts the bytes for memory
// mode. Goal for (a) on disk: samsa >= 70% of the ceiling.
//
// Reproduce: npm run build && npm run bench:produce
// Knobs: BENCH_SECONDS (10, measured), BENCH_WARMUP (2), BENCH_MODES (disk,memory),
// BENCH_CASES (big,small), BENCH_INFLIGHT (8), BENCH_INFLIGHT_SMALL (64), BENCH_MAX_GB (8, per
// disk run), BENCH_CONNECTIONS (1; each with the in-flight count above), BENCH_NO_CEILING=1 (skip
// the ceilings, for quick A/B runs with BENCH_SAMSA_SCRIPT), BENCH_CPU_PROF=1 (profile the broker, print its top self-time functions),
// BENCH_JSON=1.
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { rmSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startSamsa, startCeiling, freeBytes, tempDir } from './lib/samsa.js';
import { createTopic, makeBatch, produceFrame, type FrameTemplate } from './lib/kafka.js';
import { runProducer, blast, type ProduceResult } from './lib/producer.js';
import { banner, env, envList, fmt, pct, table, json } from './lib/report.js';
import { printSummary } from './lib/cpuprofile.js';

const SECONDS = env('BENCH_SECONDS', 10);
const WARMUP = env('BENCH_WARMUP', 2);
const MODES = envList('BENCH_MODES', ['disk', 'memory']) as Array<'disk' | 'memory'>;
const CASES = envList('BENCH_CASES', ['big', 'small']);
const INFLIGHT = env('BENCH_INFLIGHT', 8);
const INFLIGHT_SMALL = env('BENCH_INFLIGHT_SMALL', 64);
const MAX_BYTES = env('BENCH_MAX_GB', 8) * 1e9;
const CONNECTIONS = env('BENCH_CONNECTIONS', 1);
const NO_CEILING = env('BENCH_NO_CEILING', 0) === 1; // for quick A/B runs of broker changes only
const PROF = process.env.BENCH_CPU_PROF ? join(tmpdir(), `samsa-bench-prof-${Date.now()}`) : null;

banner('produce ingest: one partition, acks=1, separate samsa process', 'bench:produce');

const free = await freeBytes(tmpdir());
if (MODES.includes('disk') && free < 3 * MAX_BYTES) {
  console.error(`refusing to run: ${(free / 1e9).toFixed(1)} GB free in ${tmpdir()}, need 3 x BENCH_MAX_GB = ${((3 * MAX_BYTES) / 1e9).toFixed(1)} GB`);
  process.exit(1);
}

interface Case {
  name: string;
  topic: string;
  template: FrameTemplate;
  batchBytes: number;
  records: number;
  inflight: number;
}
const cases: Case[] = [];
if (CASES.includes('big')) {
  const { batch, records } = makeBatch(1024 * 1024 - 128, 1024);
  cases.push({ name: 'big', topic: 'bench-big', template: produceFrame('bench-big', batch, 1), batchBytes: batch.length, records, inflight: INFLIGHT });
}
if (CASES.includes('small')) {
  const { batch, records } = makeBatch(16 * 1024, 100);
  cases.push({
    name: 'small',
    topic: 'bench-small',
    template: produceFrame('bench-small', batch, 1),
    batchBytes: batch.length,
    records,
    inflight: INFLIGHT_SMALL,
  });
}
for (const c of cases)
  console.log(`case ${c.name}: requests of ${c.template.length} bytes, one batch of ${c.batchBytes} bytes = ${c.records} records, ${c.inflight} in flight`);
console.log(`measured ${SECONDS} s after ${WARMUP} s of warm-up; disk runs stop early at ${MAX_BYTES / 1e9} GB; ${CONNECTIONS} connection(s)`);

// Each run starts with no dirty pages left by the previous one (writeback would slow it down).
function settle(): void {
  if (MODES.includes('disk')) execFileSync('sync');
}

// ---- ceilings ----
const ceilings = new Map<string, { mbPerSec: number; recordsPerSec: number }>();
for (const c of NO_CEILING ? [] : cases) {
  for (const mode of MODES) {
    settle();
    const dir = tempDir('samsa-bench-ceiling-');
    const sink = await startCeiling('sink.mjs', mode === 'disk' ? ['append', join(dir, 'sink.log')] : ['discard']);
    try {
      const r = await blast(sink.port, c.template, SECONDS + WARMUP, mode === 'disk' ? MAX_BYTES : Infinity);
      const recs = (r.bytes / c.template.length) * c.records;
      ceilings.set(`${c.name}/${mode}`, { mbPerSec: (r.bytes / r.seconds / 1e6) * (c.batchBytes / c.template.length), recordsPerSec: recs / r.seconds });
      console.log(
        `ceiling ${c.name}/${mode} (${mode === 'disk' ? 'socket -> fs.writeSync append' : 'socket -> discard'}): ${fmt(r.bytes / r.seconds / 1e6)} MB/s, ${fmt(recs / r.seconds)} records/s`,
      );
    } finally {
      await sink.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---- samsa ----
const results = new Map<string, ProduceResult>();
for (const c of cases) {
  for (const mode of MODES) {
    settle();
    const profDir = PROF ? join(PROF, `${c.name}-${mode}`) : undefined;
    if (profDir) mkdirSync(profDir, { recursive: true });
    // Memory mode keeps every batch in the broker's memory: bound it with retention.
    const memoryBound: Record<string, number> = mode === 'memory' ? { 'segment.bytes': 256 * 1024 * 1024, 'retention.bytes': 1024 * 1024 * 1024 } : {};
    let window: [number, number] | undefined;
    const samsa = await startSamsa({ storage: mode, cpuProfDir: profDir, set: mode === 'memory' ? { 'log.retention.check.interval.ms': 500 } : {} });
    try {
      await createTopic(samsa.port, c.topic, { 'max.message.bytes': 2000000, ...memoryBound });
      const r = await runProducer({
        port: samsa.port,
        template: c.template,
        recordsPerRequest: c.records,
        batchBytes: c.batchBytes,
        inflight: c.inflight,
        warmupSeconds: WARMUP,
        seconds: SECONDS,
        maxBytes: mode === 'disk' ? MAX_BYTES : Infinity,
        brokerPid: samsa.pid,
        connections: CONNECTIONS,
      });
      results.set(`${c.name}/${mode}`, r);
      window = r.windowUs;
      console.log(
        `samsa ${c.name}/${mode}: ${fmt(r.mbPerSec)} MB/s, ${fmt(r.recordsPerSec)} records/s over ${r.seconds.toFixed(1)} s; broker ${r.brokerCores.toFixed(2)} cores, generator ${r.clientCores.toFixed(2)} cores, machine busy ${r.machineCores.toFixed(2)} cores (steal ${r.stealCores.toFixed(2)})`,
      );
      console.log(`  broker cores by thread: ${r.brokerThreads}`);
    } finally {
      await samsa.destroy();
    }
    if (profDir) {
      for (const f of readdirSync(profDir).filter((x) => x.endsWith('.cpuprofile'))) {
        printSummary(join(profDir, f), 15, window);
        if (window) console.log(`  (window: --window ${window.join(',')})`);
      }
    }
  }
}

console.log('');
const rows: Array<Array<string | number>> = [];
for (const c of cases) {
  for (const mode of MODES) {
    const r = results.get(`${c.name}/${mode}`)!;
    const ceil = ceilings.get(`${c.name}/${mode}`) ?? { mbPerSec: NaN, recordsPerSec: NaN };
    const goal = c.name === 'big' ? (mode === 'disk' ? '>= 70% of ceiling' : '') : '>= 1,000,000 rec/s';
    rows.push([
      c.name === 'big' ? '1 MiB requests' : '100 B records, 16 KiB batches',
      mode,
      fmt(r.mbPerSec),
      fmt(r.recordsPerSec),
      fmt(ceil.mbPerSec),
      fmt(ceil.recordsPerSec),
      pct(r.mbPerSec, ceil.mbPerSec),
      r.brokerCores.toFixed(2),
      (r.brokerCores / (r.mbPerSec / 1000)).toFixed(2),
      Math.max(0, r.machineCores - r.brokerCores - r.clientCores).toFixed(2),
      goal,
    ]);
  }
}
table(
  ['case', 'mode', 'samsa MB/s', 'samsa rec/s', 'ceiling MB/s', 'ceiling rec/s', 'of ceiling', 'broker cores', 'broker CPU s/GB', 'other load', 'goal'],
  rows,
);
console.log('broker CPU s/GB = CPU seconds samsa spent per GB ingested: the cost, less sensitive to other load than the rate.');
console.log('other load = busy cores of the machine minus the broker and the generator (other work on the box).');
console.log(
  'MB = 10^6 bytes of record batches. Ceiling: disk = loopback socket -> fs.writeSync append to a file; memory = loopback socket -> discard. Both separate node processes.',
);
if (PROF) console.log(`CPU profiles in ${PROF}`);
json({ bench: 'produce', seconds: SECONDS, results: Object.fromEntries(results), ceilings: Object.fromEntries(ceilings) });
