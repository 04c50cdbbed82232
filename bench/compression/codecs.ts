// Each codec's compress and decompress speed on realistic record batches (JSON event values),
// in MB/s of uncompressed records, sync (on the calling thread) and async (the library's libuv
// threads; zstd has only this one), with memcpy and the JS CRC-32C of the same bytes as ceilings
// measured in the same run. Also prints the compression ratio.
// Reproduce: node --import tsx bench/compression/codecs.ts [--time ms]
import { Bench } from 'tinybench';
import { compress, compressSync, decompress, decompressSync, hasSyncCodec } from '../../src/compression/codecs.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { RECORDS_OFFSET } from '../../src/protocol/records/layout.js';
import { availableParallelism, cpus } from 'node:os';
import { fmtBytes, jsonBatch } from './data.js';

const COMMAND = 'node --import tsx bench/compression/codecs.ts';
const NAMES = ['', 'gzip', 'snappy', 'lz4', 'zstd'];
const timeArg = process.argv.indexOf('--time');
const TIME_MS = timeArg > 0 ? Number(process.argv[timeArg + 1]) : 500;
const SIZES = [64 * 1024, 1024 * 1024];

interface Row {
  size: string;
  what: string;
  mbps: number;
  meanUs: number;
  ratio?: number;
}

async function measure(rows: Row[], size: number, what: string, bytes: number, fn: () => unknown, ratio?: number): Promise<void> {
  const bench = new Bench({ time: TIME_MS, warmupTime: 100, iterations: 8 });
  bench.add(what, fn as () => void);
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`${what}: ${r.state}`);
  const ms = r.latency.p50;
  rows.push({ size: fmtBytes(size), what, mbps: bytes / 1e6 / (ms / 1000), meanUs: r.latency.mean * 1000, ...(ratio === undefined ? {} : { ratio }) });
}

const rows: Row[] = [];
for (const size of SIZES) {
  const batch = jsonBatch(size);
  const records = Buffer.from(batch.subarray(RECORDS_OFFSET));
  const n = records.length;
  const scratch = Buffer.allocUnsafe(n);
  await measure(rows, size, 'ceiling: memcpy', n, () => records.copy(scratch));
  await measure(rows, size, 'ceiling: crc32c (js)', n, () => crc32c(records));
  for (const codec of [1, 2, 3, 4]) {
    const packed = await compress(codec, records);
    const ratio = n / packed.length;
    if (hasSyncCodec(codec)) {
      await measure(rows, size, `${NAMES[codec]} compress sync`, n, () => compressSync(codec, records), ratio);
      await measure(rows, size, `${NAMES[codec]} decompress sync`, n, () => decompressSync(codec, packed));
    }
    await measure(rows, size, `${NAMES[codec]} compress async`, n, () => compress(codec, records), ratio);
    await measure(rows, size, `${NAMES[codec]} decompress async`, n, () => decompress(codec, packed));
  }
}

console.log(`compression codecs on JSON-event record batches (${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version})`);
console.log('MB/s of uncompressed records (p50 latency); async = on libuv threads, one job at a time\n');
console.log(`${'records'.padEnd(8)} ${'what'.padEnd(26)} ${'MB/s'.padStart(9)} ${'mean us'.padStart(10)} ${'ratio'.padStart(6)}`);
for (const r of rows) {
  console.log(
    `${r.size.padEnd(8)} ${r.what.padEnd(26)} ${r.mbps.toFixed(0).padStart(9)} ${r.meanUs.toFixed(1).padStart(10)} ${r.ratio === undefined ? '' : r.ratio.toFixed(2).padStart(6)}`,
  );
}
console.log(`\nreproduce: ${COMMAND}`);
