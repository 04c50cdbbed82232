// How fast `samsa bench`'s generator can emit Produce requests when nothing pushes back: the
// prepared frames of src/bench/payload.ts (what `samsa bench produce` sends) written as fast as
// the socket takes them to a sink that discards the bytes (bench/lib/ceiling/sink.mjs, its own
// process). Reports GB/s of request bytes for a few batch sizes. Goal: >= 1.5 GB/s.
//   BENCH_SECONDS=3 npm run bench:generator   (or: node --import tsx bench/generator-sink.ts)
import { Payload } from '../src/bench/payload.js';
import type { BenchConfig } from '../src/bench/types.js';
import { blast } from './lib/producer.js';
import { startCeiling } from './lib/samsa.js';
import { banner, env, table, fmt } from './lib/report.js';

const seconds = env('BENCH_SECONDS', 3);
banner('samsa bench generator -> discarding TCP sink', 'bench:generator');
const rows: string[][] = [];
for (const [recordSize, batchSize] of [
  [100, 16384],
  [100, 65536],
  [1024, 1048576],
] as const) {
  const cfg = { topic: 'sink', recordSize: { min: recordSize, max: recordSize }, keyCardinality: 0, batchSize, compression: 'none' } as BenchConfig;
  const payload = new Payload(cfg, 12, 1);
  await payload.prepare([0]);
  const b = await payload.take(0);
  const sink = await startCeiling('sink.mjs', ['discard']);
  try {
    const r = await blast(sink.port, b.template, seconds, Infinity);
    rows.push([`${recordSize} B x ${b.records}`, fmt(b.template.length), fmt(r.mbPerSec / 1000, 2), fmt((r.frames / r.seconds) * b.records)]);
  } finally {
    await sink.stop();
  }
}
table(['records per request', 'frame bytes', 'GB/s', 'records/s'], rows);
