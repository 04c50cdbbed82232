// Segment I/O: does the native addon's positional writev / pread beat node:fs?
// Writes: one flush of N record batches at a file position (what partition-log.ts does with
// fs.writev once per group commit), as fs.writev (async, libuv thread pool), fs.writevSync and
// the addon's pwritev (one pwritev(2) on the calling thread). Reads: a fetch-sized pread into a
// pooled buffer, as fs.read (async), fs.readSync and the addon's pread. The file is in the page
// cache and rewritten in place (no block allocation): this measures the call path, which is all
// the addon could change; the disk is the same for everyone.
// Reproduce: npm run bench:accel:io   (BENCH_TIME_MS=500; BENCH_DIR=<dir> for the scratch file)
import { Bench } from 'tinybench';
import { closeSync, ftruncateSync, mkdtempSync, openSync, read, readSync, rmSync, writev, writevSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadNativeAddon } from '../../src/accel/native.js';
import { banner, env, fmt, json, table } from '../lib/report.js';

const TIME_MS = env('BENCH_TIME_MS', 500);
const loaded = loadNativeAddon();
if ('error' in loaded) throw new Error(`needs the native addon (npm run build:native): ${loaded.error}`);
const addon = loaded.addon;
if (process.platform === 'win32') throw new Error('the addon has no positional I/O on Windows');

const writevAsync = promisify(writev);
const readAsync = promisify(read);
const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'samsa-io-'));
const path = join(dir, 'segment.log');
const REGION = 64 << 20;
const fd = openSync(path, 'w+');
ftruncateSync(fd, REGION);
const zero = Buffer.alloc(1 << 20);
for (let p = 0; p < REGION; p += zero.length) writeSync(fd, zero, 0, zero.length, p);

banner('segment I/O: native pwritev / pread against node:fs (page cache, rewrite in place)', 'bench:accel:io');

interface Row {
  op: string;
  how: string;
  us: number;
  bytes: number;
}
const rows: Row[] = [];

async function measure(op: string, how: string, bytes: number, fn: () => unknown): Promise<void> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100 });
  bench.add(how, fn as () => void);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${op} ${how}: ${r.state}`);
  rows.push({ op, how, us: r.latency.p50 * 1000, bytes });
}

const writes: Array<[string, number, number]> = [
  ['write 1 × 16 KiB', 1, 16 << 10],
  ['write 8 × 16 KiB', 8, 16 << 10],
  ['write 64 × 16 KiB', 64, 16 << 10],
  ['write 32 × 1 KiB', 32, 1 << 10],
];
for (const [op, n, size] of writes) {
  const bufs = Array.from({ length: n }, (_, i) => Buffer.alloc(size, i));
  const total = n * size;
  let pos = 0;
  const next = () => {
    const p = pos;
    pos = (pos + total) % (REGION - total);
    return p;
  };
  await measure(op, 'fs.writev (async)', total, async () => {
    const { bytesWritten } = await writevAsync(fd, bufs, next());
    if (bytesWritten !== total) throw new Error('short write');
  });
  await measure(op, 'fs.writevSync', total, () => {
    if (writevSync(fd, bufs, next()) !== total) throw new Error('short write');
  });
  await measure(op, 'native pwritev', total, () => {
    if (addon.pwritev(fd, bufs, next()) !== total) throw new Error('short write');
  });
}

for (const size of [16 << 10, 1 << 20]) {
  const op = `read ${size >= 1 << 20 ? '1 MiB' : '16 KiB'}`;
  const pool = Buffer.allocUnsafe(size);
  let pos = 0;
  const next = () => {
    const p = pos;
    pos = (pos + 1_000_003) % (REGION - size);
    return p;
  };
  await measure(op, 'fs.read (async)', size, async () => {
    const { bytesRead } = await readAsync(fd, pool, 0, size, next());
    if (bytesRead !== size) throw new Error('short read');
  });
  await measure(op, 'fs.readSync', size, () => {
    if (readSync(fd, pool, 0, size, next()) !== size) throw new Error('short read');
  });
  await measure(op, 'native pread', size, () => {
    if (addon.pread(fd, pool, 0, size, next()) !== size) throw new Error('short read');
  });
}
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

table(
  ['operation', 'how', 'us (p50)', 'GB/s', 'vs node:fs sync'],
  rows.map((r) => {
    const sync = rows.find((x) => x.op === r.op && x.how.endsWith('Sync'))!;
    return [r.op, r.how, fmt(r.us, 1), fmt(r.bytes / (r.us * 1000), 2), `${(sync.us / r.us).toFixed(2)}x`];
  }),
);
json({ bench: 'accel-segment-io', rows });
