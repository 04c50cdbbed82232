// The produce hot path on a 1 MiB payload of 16 KiB batches: scan (framing, CRC, counts,
// timestamps, producer fields, every record parsed) and stamp (base offset and leader epoch of
// each batch), per backend, with a CRC-32C of the same bytes (native) and memcpy as floors
// measured in the same run. Also LogAppendTime (CRC recompute per batch) and stamp alone.
// Goal (issue 4): scan + stamp <= 100 us with the native backend.
// Reproduce: npm run bench:accel:scan   (BENCH_VALUE_BYTES=1024 record value size;
//            BENCH_BATCH_BYTES=16384; BENCH_PAYLOAD_BYTES=1048576; BENCH_TIME_MS=500)
import { Bench } from 'tinybench';
import { availableAccels, type Accel } from '../../src/accel/index.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { stampBatch as jsStamp } from '../../src/protocol/records/stamp.js';
import { type ScanOptions } from '../../src/accel/batch-scan.js';
import { banner, env, fmt, json, table } from '../lib/report.js';

const TIME_MS = env('BENCH_TIME_MS', 500);
const VALUE = env('BENCH_VALUE_BYTES', 1024);
const BATCH = env('BENCH_BATCH_BYTES', 16384);
const PAYLOAD = env('BENCH_PAYLOAD_BYTES', 1 << 20);
const NOW = Date.now();

// One batch of about BATCH bytes (key 16 B, value VALUE B, one small header per record).
function oneBatch(seed: number): Buffer {
  const perRecord = 16 + VALUE + 20;
  const n = Math.max(1, Math.floor((BATCH - 61) / perRecord));
  const records = Array.from({ length: n }, (_, i) => {
    const value = Buffer.alloc(VALUE);
    for (let k = 0; k < VALUE; k++) value[k] = (seed * 31 + i * 7 + k) & 0xff;
    return { key: Buffer.from(`key-${seed}-${i}`.padEnd(16, '.')), value, headers: [{ key: 'trace', value: Buffer.from('abc') }], timestamp: NOW + i };
  });
  return buildBatch(records, { timestamp: NOW, producerId: 1000, producerEpoch: 0, baseSequence: seed * n });
}

const batches: Buffer[] = [];
for (let size = 0; size < PAYLOAD;) {
  const b = oneBatch(batches.length);
  batches.push(b);
  size += b.length;
}
const payload = Buffer.concat(batches);
const options: ScanOptions = {
  maxMessageBytes: 1_048_588,
  verifyCrc: true,
  timestampType: 'CreateTime',
  beforeMaxMs: 3_600_000,
  afterMaxMs: 3_600_000,
  now: NOW,
  validateRecords: true,
};

const accels = await availableAccels();
banner(
  `scan + stamp: ${fmt(payload.length)} bytes in ${batches.length} batches of ~${fmt(batches[0]!.length)} B (${batches[0]!.readInt32BE(57)} records of ${VALUE} B each)`,
  'bench:accel:scan',
);

interface Row {
  what: string;
  backend: string;
  us: number;
}
const rows: Row[] = [];

async function measure(what: string, backend: string, fn: () => void): Promise<void> {
  const bench = new Bench({ time: backend === 'js' ? Math.max(TIME_MS, 1000) : TIME_MS, warmupTime: 100 });
  bench.add(what, fn);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${what}: ${r.state}`);
  rows.push({ what, backend, us: r.latency.p50 * 1000 });
}

function scanAndStamp(a: Accel, stamp: (buf: Buffer, position: number, baseOffset: number, epoch: number) => void): () => void {
  const out = a.createBatchScan(16);
  return () => {
    const r = a.scanBatches(payload, out, options);
    if (!r.ok) throw new Error(`${a.backend}: ${r.message}`);
    // baseOffset 0 keeps the payload scannable by the next iteration (a client batch must have
    // baseOffset 0); writing 0 costs what writing the real offset costs.
    for (let i = 0; i < out.count; i++) stamp(payload, out.position[i]!, 0, 7);
  };
}

const scratch = Buffer.allocUnsafe(payload.length);
await measure('floor: memcpy 1 MiB', '-', () => void payload.copy(scratch));
const native = accels.find((a) => a.backend === 'native');
if (native) await measure('floor: crc32c of the payload', 'native', () => void native.crc32c(payload));
for (const a of accels) {
  const out = a.createBatchScan(16);
  await measure('scan', a.backend, () => {
    const r = a.scanBatches(payload, out, options);
    if (!r.ok) throw new Error(`${a.backend}: ${r.message}`);
  });
  await measure('scan + stamp', a.backend, scanAndStamp(a, a.stampBatch));
}
// A typical small produce: one batch of 5 records of 100 B (fixed costs dominate here).
const small = buildBatch(
  Array.from({ length: 5 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(100, i), timestamp: NOW })),
  { timestamp: NOW },
);
const smallOptions: ScanOptions = { ...options, singleBatch: true };
for (const a of accels) {
  const out = a.createBatchScan(1);
  await measure(`scan + stamp 1 batch of ${small.length} B`, a.backend, () => {
    const r = a.scanBatches(small, out, smallOptions);
    if (!r.ok) throw new Error(`${a.backend}: ${r.message}`);
    a.stampBatch(small, 0, 0, 7);
  });
}
// How to stamp: one addon call per batch, or the 12 byte writes in JS (what the native backend
// does is decided by this row; see src/accel/native.ts).
const positions = batches.reduce<number[]>((acc, b, i) => (acc.push(i === 0 ? 0 : acc[i - 1]! + batches[i - 1]!.length), acc), []);
for (const a of accels) await measure(`stamp ${batches.length} batches`, a.backend, () => positions.forEach((p) => a.stampBatch(payload, p, 0, 7)));
await measure(`stamp ${batches.length} batches`, 'js (no bounds check)', () => positions.forEach((p) => jsStamp(payload, p, 0, 7)));
const lat = Buffer.from(payload);
for (const a of accels) await measure(`setLogAppendTime ${batches.length} batches`, a.backend, () => positions.forEach((p) => a.setLogAppendTime(lat, p, NOW)));

table(
  ['what', 'backend', 'us (p50)', 'GB/s'],
  rows.map((r) => [
    r.what,
    r.backend,
    fmt(r.us, r.us < 10 ? 2 : 1),
    r.what.startsWith('stamp') || r.what.includes('1 batch') ? '' : fmt(payload.length / (r.us * 1000), 2),
  ]),
);
const goal = rows.find((r) => r.what === 'scan + stamp' && r.backend === 'native');
if (goal) console.log(`\nnative scan + stamp of ${fmt(payload.length)} bytes: ${fmt(goal.us, 1)} us (goal <= 100 us: ${goal.us <= 100 ? 'met' : 'NOT met'})`);
json({ bench: 'accel-scan', valueBytes: VALUE, batches: batches.length, bytes: payload.length, rows });
