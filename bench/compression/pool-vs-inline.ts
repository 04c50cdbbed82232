// Pool round trip against inline cost, for batch jobs of 1 KiB ... 4 MiB of JSON-event records:
// the numbers behind INLINE_MAX_BYTES in src/workers/pool.ts.
//
// For each job (compress to each codec, decompress from each codec) and size it measures, one job
// at a time: the inline latency (runInline: the sync codec on the event loop, or zstd's async one),
// the pool latency (runOnPool: copy the batch, post it, run it on a worker, transfer the result
// back), and how long each keeps the main thread busy (event-loop utilization x time / jobs). A
// no-op `echo` job gives the pool's own round trip, the ceiling of how fast the pool can be.
// A job goes to the pool from the size at which running it inline would block the event loop at
// least twice as long as the pool's hop costs the main thread (see the note near the end).
// Reproduce: node --import tsx bench/compression/pool-vs-inline.ts [--time ms]
import { Bench } from 'tinybench';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compressBatch } from '../../src/compression/batch-codec.js';
import { destroyPool, getPool, runInline, runOnPool, INLINE_MAX_BYTES, type JobInput, type JobKind } from '../../src/workers/pool.js';
import type { BatchTask } from '../../src/workers/tasks.js';
import { fmtBytes, jsonBatch } from './data.js';

const COMMAND = 'node --import tsx bench/compression/pool-vs-inline.ts';
const NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const timeArg = process.argv.indexOf('--time');
const TIME_MS = timeArg > 0 ? Number(process.argv[timeArg + 1]) : 300;
const SIZES = [1, 4, 16, 64, 256, 1024, 4096].map((k) => k * 1024);

interface Sample {
  p50Us: number;
  busyUs: number; // main-thread time per job
}

async function measure(fn: () => Promise<unknown>): Promise<Sample> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 50, iterations: 6 });
  let calls = 0; // warm-up calls included: the event-loop time below covers them too
  bench.add('job', () => {
    calls++;
    return fn();
  });
  const elu0 = performance.eventLoopUtilization();
  await bench.run();
  const elu = performance.eventLoopUtilization(elu0);
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`bench ${r.state}`);
  return { p50Us: r.latency.p50 * 1000, busyUs: (elu.active * 1000) / calls };
}

async function echo(batch: Buffer): Promise<Buffer> {
  const copy = new Uint8Array(batch.length);
  copy.set(batch);
  const task: BatchTask = { batch: copy };
  const r = (await getPool().run(task, { name: 'echo', transferList: [copy.buffer] })) as Uint8Array;
  return Buffer.from(r.buffer, r.byteOffset, r.byteLength);
}

interface Row {
  job: string;
  size: number;
  inputBytes: number;
  inline: Sample;
  pool: Sample;
}

const rows: Row[] = [];
const echoes: Array<[number, Sample]> = [];
await runOnPool('compressBatch', { buf: jsonBatch(1024), codec: 1 }); // start the worker
await measure(() => echo(jsonBatch(1024))); // and warm up both sides of the hop

for (const size of SIZES) {
  const plain = jsonBatch(size);
  echoes.push([size, await measure(() => echo(plain))]);
  // No codec work: the record walk and copies every recompression does (the "none" entries).
  const input: JobInput = { buf: plain, codec: 0 };
  rows.push({
    job: 'recompress none',
    size,
    inputBytes: plain.length,
    inline: await measure(() => runInline('recompressBatch', input)),
    pool: await measure(() => runOnPool('recompressBatch', input)),
  });
  for (const codec of [1, 2, 3, 4] as const) {
    const packed = await compressBatch(plain, codec);
    const jobs: Array<[string, JobKind, JobInput]> = [
      [`compress ${NAMES[codec]}`, 'compressBatch', { buf: plain, codec }],
      [`decompress ${NAMES[codec]}`, 'decompressBatch', { buf: packed }],
    ];
    for (const [job, kind, input] of jobs) {
      const inline = await measure(() => runInline(kind, input));
      const pool = await measure(() => runOnPool(kind, input));
      rows.push({ job, size, inputBytes: input.buf.length, inline, pool });
      process.stderr.write('.');
    }
  }
}
process.stderr.write('\n');
await destroyPool();

const us = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}ms` : `${n.toFixed(0)}us`);
console.log(
  `pool round trip vs inline (${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, pool of ${Math.max(1, availableParallelism() - 1)} thread(s), node ${process.version})`,
);
console.log('p50 latency of one job at a time; "busy" = main-thread time per job; sizes are uncompressed records\n');
console.log(
  `${'job'.padEnd(18)} ${'records'.padStart(8)} ${'input'.padStart(9)} ${'inline'.padStart(9)} ${'busy'.padStart(8)} ${'pool'.padStart(9)} ${'busy'.padStart(8)}  inline/pool busy`,
);
for (const [size, s] of echoes)
  console.log(
    `${'echo (pool only)'.padEnd(18)} ${fmtBytes(size).padStart(8)} ${''.padStart(9)} ${''.padStart(9)} ${''.padStart(8)} ${us(s.p50Us).padStart(9)} ${us(s.busyUs).padStart(8)}`,
  );
for (const r of rows) {
  console.log(
    `${r.job.padEnd(18)} ${fmtBytes(r.size).padStart(8)} ${String(r.inputBytes).padStart(9)} ${us(r.inline.p50Us).padStart(9)} ${us(r.inline.busyUs).padStart(8)} ${us(r.pool.p50Us).padStart(9)} ${us(r.pool.busyUs).padStart(8)}  ${(r.inline.busyUs / r.pool.busyUs).toFixed(1)}x`,
  );
}

// One job at a time the pool cannot beat inline on latency: the worker does the same work, plus
// the hop and two copies. What it buys is event-loop time. A job goes to the pool from the first
// size from which (at every larger size too) running it inline blocks the event loop at least
// twice as long as the pool's own main-thread cost at that size (the echo job's busy time).
// Inline blocking time is the p50 latency for sync codecs (less noisy than event-loop
// utilization) and the measured busy time for zstd, whose inline codec runs on libuv's threads.
console.log("\nthreshold (input bytes from which inline blocking >= 2 x the pool hop's main-thread time), vs INLINE_MAX_BYTES now:");
const hop = new Map(echoes.map(([size, s]) => [size, s.busyUs]));
for (const job of [...new Set(rows.map((r) => r.job))]) {
  const rs = rows.filter((r) => r.job === job);
  const blocking = (r: Row): number => (job.endsWith('zstd') ? r.inline.busyUs : r.inline.p50Us);
  let from = -1;
  for (let i = rs.length - 1; i >= 0 && blocking(rs[i]!) >= 2 * hop.get(rs[i]!.size)!; i--) from = i;
  const [kind, name] = job.split(' ') as [string, string];
  const now = kind === 'recompress' ? INLINE_MAX_BYTES.walk : INLINE_MAX_BYTES[kind as 'compress' | 'decompress'][NAMES.indexOf(name)];
  const at =
    from < 0
      ? 'never (up to 4 MiB)'
      : from === 0
        ? `<= ${rs[0]!.inputBytes} bytes`
        : `between ${rs[from - 1]!.inputBytes} and ${rs[from]!.inputBytes} bytes (${fmtBytes(rs[from]!.size)} of records)`;
  console.log(`  ${job.padEnd(18)} ${at}; now ${now}`);
}
console.log(`\nreproduce: ${COMMAND}`);
