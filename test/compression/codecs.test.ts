// The four codecs: round trips (sync and async), the framings real clients write (raw and
// xerial snappy, the LZ4 frame), the compressed batches real clients sent to Kafka 4.1 (kcat -z
// gzip|snappy|lz4|zstd, kafkajs gzip) decompressed and read record by record, and corrupt input
// turned into CompressionError (CORRUPT_MESSAGE), never a crash or another error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { iterateRecords, type RecordHeader } from '../../src/protocol/records/iterate.js';
import {
  CompressionError,
  compress,
  compressSync,
  decompress,
  decompressSync,
  hasSyncCodec,
  isXerialFramed,
  decompressBatch,
  decompressBatchSync,
} from '../../src/compression/index.js';
import { GOLDEN_DIR, goldenCompressedBatches } from './golden.js';
import { goldenTest } from '../golden-captures.js';
import { xorByte } from '../byte-edits.js';

const require = createRequire(import.meta.url);
const snappy = require('snappy') as typeof import('snappy');

const CODECS = [1, 2, 3, 4] as const;
const NAMES = ['', 'gzip', 'snappy', 'lz4', 'zstd'];

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function jsonish(bytes: number, seed = 1): Buffer {
  const rnd = mulberry32(seed);
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const s = JSON.stringify({
      id: i,
      user: `user-${Math.floor(rnd() * 5000)}`,
      event: ['click', 'view', 'buy'][i % 3],
      amount: Math.round(rnd() * 1e6) / 100,
      ts: 1_700_000_000_000 + i,
    });
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join('\n')).subarray(0, bytes);
}

function random(bytes: number, seed = 7): Buffer {
  const rnd = mulberry32(seed);
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

// Sizes cross snappy's 32 KiB xerial blocks and lz4's 64 / 256 KiB frame blocks.
const INPUTS: Array<[string, Buffer]> = [
  ['empty', Buffer.alloc(0)],
  ['1 byte', Buffer.from('x')],
  ['300 B json', jsonish(300)],
  ['32 KiB json (one xerial block)', jsonish(32 * 1024)],
  ['100 KiB json', jsonish(100 * 1024)],
  ['600 KiB json', jsonish(600 * 1024, 3)],
  ['200 KiB random', random(200 * 1024)],
];

async function throwsCorrupt(codec: number, fn: () => unknown): Promise<CompressionError> {
  try {
    await fn();
  } catch (e) {
    assert.instance(e, CompressionError, `${NAMES[codec]}: ${(e as Error).stack}`);
    assert.instance(e, KafkaError);
    assert.is((e as CompressionError).code, ErrorCode.CORRUPT_MESSAGE);
    assert.is((e as CompressionError).codec, codec);
    assert.match((e as Error).message, new RegExp(`^${NAMES[codec]}: `));
    return e as CompressionError;
  }
  assert.unreachable(`${NAMES[codec]}: corrupt input decompressed`);
  throw new Error('unreachable');
}

// ---- round trips -----------------------------------------------------------------------------

test('every codec round-trips every input, async; gzip/snappy/lz4 also sync, and sync and async agree', async () => {
  for (const codec of CODECS) {
    for (const [name, data] of INPUTS) {
      const c = await compress(codec, data);
      assert.ok((await decompress(codec, c)).equals(data), `${NAMES[codec]} ${name} async`);
      if (!hasSyncCodec(codec)) continue;
      const s = compressSync(codec, data);
      assert.ok(decompressSync(codec, s).equals(data), `${NAMES[codec]} ${name} sync`);
      assert.ok(decompressSync(codec, c).equals(data), `${NAMES[codec]} ${name} async -> sync`);
      assert.ok((await decompress(codec, s)).equals(data), `${NAMES[codec]} ${name} sync -> async`);
    }
  }
});

test('JSON-ish data shrinks with every codec; levels change gzip and zstd output', async () => {
  const data = jsonish(100 * 1024);
  for (const codec of CODECS) assert.ok((await compress(codec, data)).length < data.length / 2, NAMES[codec]);
  assert.ok(compressSync(1, data, 1).length > compressSync(1, data, 9).length);
  assert.ok((await compress(4, data, 1)).length !== (await compress(4, data, 19)).length);
  assert.ok((await decompress(4, await compress(4, data, 19))).equals(data));
});

test('zstd has no sync codec: compressSync/decompressSync throw TypeError', () => {
  assert.is(hasSyncCodec(4), false);
  assert.throws(
    () => compressSync(4, Buffer.from('x')),
    (e: Error) => e instanceof TypeError && /use compress\(\)/.test(e.message),
  );
  assert.throws(
    () => decompressSync(4, Buffer.from('x')),
    (e: Error) => e instanceof TypeError,
  );
});

test('unknown codec ids: KafkaError UNSUPPORTED_COMPRESSION_TYPE', async () => {
  for (const codec of [0, 5, 7]) {
    assert.throws(
      () => compressSync(codec, Buffer.from('x')),
      (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
    assert.throws(
      () => decompressSync(codec, Buffer.from('x')),
      (e: KafkaError) => e.code === ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
    await compress(codec, Buffer.from('x')).then(
      () => assert.unreachable(),
      (e: KafkaError) => assert.is(e.code, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE),
    );
    await decompress(codec, Buffer.from('x')).then(
      () => assert.unreachable(),
      (e: KafkaError) => assert.is(e.code, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE),
    );
  }
});

test('Uint8Array views (not Buffers) are accepted, at any offset', async () => {
  const data = jsonish(5000);
  const big = new Uint8Array(data.length + 100);
  big.set(data, 37);
  const view = big.subarray(37, 37 + data.length);
  for (const codec of CODECS) assert.ok((await decompress(codec, await compress(codec, view))).equals(data), NAMES[codec]);
});

// ---- framings --------------------------------------------------------------------------------

test('snappy: samsa writes the xerial framing (Java client), 32 KiB blocks', () => {
  const data = jsonish(100 * 1024);
  const c = compressSync(2, data);
  assert.ok(isXerialFramed(c));
  assert.is(c.subarray(0, 16).toString('hex'), '82534e41505059000000000100000001');
  // Four blocks: 32 + 32 + 32 + 4 KiB of input, each [int32 length][raw snappy].
  let p = 16;
  const blocks: Buffer[] = [];
  while (p < c.length) {
    const n = c.readInt32BE(p);
    blocks.push(snappy.uncompressSync(c.subarray(p + 4, p + 4 + n), { asBuffer: true }) as Buffer);
    p += 4 + n;
  }
  assert.is(p, c.length);
  assert.equal(
    blocks.map((b) => b.length),
    [32768, 32768, 32768, 4096],
  );
  assert.ok(Buffer.concat(blocks).equals(data));
});

test('snappy: raw snappy (librdkafka) reads too, sync and async', async () => {
  const data = jsonish(70 * 1024);
  const raw = snappy.compressSync(data);
  assert.not.ok(isXerialFramed(raw));
  assert.ok(decompressSync(2, raw).equals(data));
  assert.ok((await decompress(2, raw)).equals(data));
  // A xerial stream with no blocks is empty data.
  assert.is(decompressSync(2, compressSync(2, Buffer.alloc(0))).length, 0);
});

test('lz4: samsa writes an LZ4 frame with independent blocks and no checksums (what Kafka reads)', () => {
  const c = compressSync(3, jsonish(10_000));
  assert.is(c.readUInt32LE(0), 0x184d2204, 'frame magic');
  const flg = c[4]!;
  assert.is(flg >> 6, 1, 'version 01');
  assert.is((flg >> 5) & 1, 1, 'independent blocks (Kafka rejects dependent ones)');
  assert.is((flg >> 4) & 1, 0, 'no block checksum');
  assert.is((flg >> 3) & 1, 0, 'no content size');
  assert.is((flg >> 2) & 1, 0, 'no content checksum');
  const bd = (c[5]! >> 4) & 7;
  assert.ok(bd >= 4 && bd <= 7, `block size id ${bd} is one Kafka's Lz4BlockInputStream accepts (4..7)`);
  assert.is(c.readUInt32LE(c.length - 4), 0, 'ends with the end mark, no content checksum');
});

// ---- golden batches from real clients --------------------------------------------------------

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
  headers: RecordHeader[];
}

function records(batch: Buffer): Rec[] {
  const out: Rec[] = [];
  iterateRecords(
    batch,
    0,
    (offset, _ts, key, value, headers) => void out.push({ offset, key: key && key.toString(), value: value && value.toString(), headers }),
  );
  return out;
}

goldenTest(test, 'kcat -z gzip|snappy|lz4|zstd (librdkafka 2.0.2): each Produce batch decompresses to its 3 keyed records', async () => {
  const batches = goldenCompressedBatches('kcat-compression.jsonl').filter((b) => b.dir === 'request');
  assert.equal(batches.map((b) => b.codec).sort(), [1, 2, 3, 4]);
  for (const g of batches) {
    const name = NAMES[g.codec]!;
    const u = await decompressBatch(g.buf, g.position);
    assert.is(u[22]! & 7, 0, 'codec bits cleared');
    const rs = records(u);
    assert.is(rs.length, 3, name);
    assert.equal(
      rs.map((r) => r.key),
      [`${name}-1`, `${name}-2`, `${name}-3`],
    );
    rs.forEach((r, i) => {
      assert.is(r.offset, i);
      assert.ok(r.value!.startsWith(`${name} message ${i + 1}, repeated text`), r.value!);
      assert.equal(r.headers, []);
    });
    if (hasSyncCodec(g.codec)) assert.ok(decompressBatchSync(g.buf, g.position).equals(u), `${name}: sync = async`);
  }
});

goldenTest(test, 'kcat framings as sent: raw snappy (not xerial), LZ4 frame FLG 0x60 BD 0x40, zstd frame', () => {
  const byCodec = new Map(
    goldenCompressedBatches('kcat-compression.jsonl')
      .filter((b) => b.dir === 'request')
      .map((b) => [b.codec, b]),
  );
  const payload = (c: number): Buffer => {
    const g = byCodec.get(c)!;
    return g.buf.subarray(g.position + 61, g.position + g.buf.readInt32BE(g.position + 8) + 12);
  };
  assert.is(payload(1).subarray(0, 2).toString('hex'), '1f8b');
  assert.not.ok(isXerialFramed(payload(2)), 'librdkafka writes raw snappy');
  assert.is(payload(3).subarray(0, 7).toString('hex'), '04224d18604082');
  assert.is(payload(4).readUInt32LE(0), 0xfd2fb528);
});

goldenTest(test, 'Kafka 4.1 Fetch response (kcat-compression) returns the 4 batches as produced; all decompress, offsets 0..11', async () => {
  const batches = goldenCompressedBatches('kcat-compression.jsonl').filter((b) => b.dir === 'response');
  assert.equal(
    batches.map((b) => b.codec),
    [1, 2, 3, 4],
  );
  const offsets: number[] = [];
  for (const g of batches) {
    const rs = records(await decompressBatch(g.buf, g.position));
    assert.equal(
      rs.map((r) => r.key),
      [1, 2, 3].map((i) => `${NAMES[g.codec]}-${i}`),
    );
    offsets.push(...rs.map((r) => r.offset));
  }
  assert.equal(
    offsets,
    Array.from({ length: 12 }, (_, i) => i),
  );
});

goldenTest(test, 'kafkajs 2.2.4 gzip: 6 keyed records with headers across its Produce batches, and the Fetch', async () => {
  const all = goldenCompressedBatches('kafkajs-admin-produce-txn-consume.jsonl');
  for (const dir of ['request', 'response'] as const) {
    const seen: Rec[] = [];
    for (const g of all.filter((b) => b.dir === dir)) {
      assert.is(g.codec, 1);
      const rs = records(await decompressBatch(g.buf, g.position));
      assert.is(rs.length, g.recordCount);
      seen.push(...rs);
    }
    assert.is(seen.length, 6, dir);
    for (const r of seen) {
      const i = Number(r.key!.slice(4));
      assert.is(r.key, `key-${i}`);
      assert.is(r.value, `gzip value ${i}`);
      assert.equal(
        r.headers.map((h) => [h.key, h.value!.toString()]),
        [
          ['x-idx', String(i)],
          ['source', 'kafkajs'],
        ],
      );
    }
    assert.equal(
      seen.map((r) => r.key).sort(),
      [0, 1, 2, 3, 4, 5].map((i) => `key-${i}`),
    );
  }
});

goldenTest(test, 'every compressed batch in every golden file decompresses and parses', async () => {
  const codecs = new Set<number>();
  let n = 0;
  for (const file of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.jsonl'))) {
    for (const g of goldenCompressedBatches(file)) {
      const rs = records(await decompressBatch(g.buf, g.position));
      assert.is(rs.length, g.recordCount, `${file} ${g.dir} at ${g.position}`);
      codecs.add(g.codec);
      n++;
    }
  }
  assert.equal([...codecs].sort(), [1, 2, 3, 4]);
  assert.ok(n >= 14, `${n} compressed golden batches`);
});

// ---- corrupt input ---------------------------------------------------------------------------

test('garbage, truncated and bit-flipped input: CompressionError (CORRUPT_MESSAGE), sync and async', async () => {
  const data = jsonish(50_000);
  for (const codec of CODECS) {
    const good = await compress(codec, data);
    const cases: Array<[string, Buffer]> = [
      ['garbage', Buffer.from('this is not compressed data at all, not even close')],
      ['truncated', good.subarray(0, Math.floor(good.length / 2))],
      ['one byte', good.subarray(0, 1)],
    ];
    if (codec !== 2) cases.push(['empty', Buffer.alloc(0)]); // an empty raw snappy stream is invalid too, tested below
    for (const [what, bad] of cases) {
      await throwsCorrupt(codec, () => decompress(codec, bad));
      if (hasSyncCodec(codec)) await throwsCorrupt(codec, () => decompressSync(codec, bad));
      void what;
    }
  }
  await throwsCorrupt(2, () => decompressSync(2, Buffer.alloc(0)));
  // xerial framing with a block length past the end.
  const x = compressSync(2, data);
  x.writeInt32BE(1 << 30, 16);
  const e = await throwsCorrupt(2, () => decompressSync(2, x));
  assert.match(e.message, /runs past the end/);
  await throwsCorrupt(2, () => decompress(2, x));
});

test('fuzz: 2,000 mutated streams per codec decompress or throw CompressionError, nothing else', async () => {
  const rnd = mulberry32(0xdecaf);
  const int = (n: number): number => Math.floor(rnd() * n);
  for (const codec of CODECS) {
    const seeds = [await compress(codec, jsonish(3000, 5)), await compress(codec, random(2000, 9)), await compress(codec, jsonish(70_000, 11))];
    let failed = 0;
    for (let i = 0; i < 2000; i++) {
      const base = seeds[int(seeds.length)]!;
      const b = Buffer.from(base);
      for (let f = 1 + int(4); f > 0; f--) xorByte(b, int(b.length), 1 + int(255));
      const input = rnd() < 0.2 ? b.subarray(0, int(b.length)) : b;
      try {
        if (hasSyncCodec(codec) && i % 2 === 0) decompressSync(codec, input);
        else await decompress(codec, input);
      } catch (e) {
        if (!(e instanceof CompressionError)) assert.unreachable(`${NAMES[codec]} iteration ${i}: ${(e as Error).stack}`);
        failed++;
      }
    }
    assert.ok(failed > 500, `${NAMES[codec]}: only ${failed} of 2000 mutations were caught`);
  }
});

test.run();
