// CRC-32C throughput of every accel backend on 64 B, 16 KiB and 1 MiB, against @node-rs/crc32
// (a prebuilt napi-rs addon, for reference) and memcpy of the same bytes (the ceiling of anything
// that reads them once), all measured in the same run.
// Reproduce: npm run bench:accel:crc32c   (BENCH_TIME_MS=500 per case; BENCH_SIZES=64,16384,1048576)
import { Bench } from 'tinybench';
import { crc32c as nodeRsCrc32c } from '@node-rs/crc32';
import { availableAccels } from '../../src/accel/index.js';
import { loadNativeAddon } from '../../src/accel/native.js';
import { banner, env, envList, fmt, json, table } from '../lib/report.js';

const TIME_MS = env('BENCH_TIME_MS', 500);
const SIZES = envList('BENCH_SIZES', ['64', '16384', '1048576']).map(Number);

const accels = await availableAccels();
const native = loadNativeAddon();
banner('crc32c: native, wasm, js and @node-rs/crc32', 'bench:accel:crc32c');
if (!('error' in native)) console.log(`# native crc32c: ${native.addon.crc32cImplementation}`);

function label(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}

interface Row {
  size: string;
  what: string;
  gbps: number;
  ns: number;
}
const rows: Row[] = [];

for (const size of SIZES) {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) buf[i] = (i * 2654435761) >>> 24;
  const scratch = Buffer.allocUnsafe(size);
  const cases: Array<[string, () => unknown]> = [['ceiling: memcpy', () => buf.copy(scratch) as unknown]];
  for (const a of accels) cases.push([`${a.backend}`, () => a.crc32c(buf)]);
  cases.push(['@node-rs/crc32', () => nodeRsCrc32c(buf)]);
  // The same answer from everyone, or the numbers mean nothing.
  const expect = accels[accels.length - 1]!.crc32c(buf);
  for (const a of accels) if (a.crc32c(buf) !== expect) throw new Error(`${a.backend} disagrees on ${size} bytes`);
  if (nodeRsCrc32c(buf) !== expect) throw new Error(`@node-rs/crc32 disagrees on ${size} bytes`);
  let sink = 0;
  // Small inputs run in a loop of `reps` calls per sample, so the harness's own cost per sample
  // (tens of ns) does not swamp a call that takes about as long.
  const reps = Math.max(1, Math.floor((256 << 10) / size));
  for (const [what, fn] of cases) {
    const bench = new Bench({ time: size >= 1 << 20 && what === 'js' ? Math.max(TIME_MS, 1000) : TIME_MS, warmupTime: 100 });
    bench.add(what, () => {
      for (let i = 0; i < reps; i++) sink ^= fn() as number;
    });
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (r.state !== 'completed') throw new Error(`${what}: ${r.state}`);
    const ns = (r.latency.p50 * 1e6) / reps;
    rows.push({ size: label(size), what, gbps: size / ns, ns });
  }
  if (sink === 0.5) console.log(sink);
}

table(
  ['size', 'what', 'GB/s', 'ns/op (p50)', 'vs @node-rs/crc32'],
  rows.map((r) => {
    const ref = rows.find((x) => x.size === r.size && x.what === '@node-rs/crc32')!;
    return [r.size, r.what, fmt(r.gbps, 2), fmt(r.ns, 0), `${(ref.ns / r.ns).toFixed(2)}x`];
  }),
);
json({ bench: 'accel-crc32c', rows });
