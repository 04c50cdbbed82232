// Batch-level compression: compressBatch / decompressBatch are exact inverses (same header, codec
// bits and batchLength changed, CRC recomputed), recompressBatch converts between every pair of
// codecs and renumbers inner offsets as Kafka's LogValidator does, and bad batches get the error
// code Kafka would answer with.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { createBatchScan } from '../../src/accel/batch-scan.js';
import { iterateRecords, type RecordHeader } from '../../src/protocol/records/iterate.js';
import { readBatchHeader, type BatchHeader } from '../../src/protocol/records/header.js';
import { scanBatches } from '../../src/accel/js-scan.js';
import {
  CompressionError,
  compressBatch,
  compressBatchSync,
  decompressBatch,
  decompressBatchSync,
  hasSyncCodec,
  recompressBatch,
  recompressBatchSync,
  walkRecords,
  type TargetCodec,
} from '../../src/compression/index.js';
import { TIMESTAMP_TYPE_MASK } from '../../src/protocol/records/layout.js';
import { setAttributeBits } from '../byte-edits.js';

const NOW = 1_700_000_000_000;
const ALL: TargetCodec[] = [0, 1, 2, 3, 4];

function recs(n: number, seed = 0): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 7 === 3 ? null : Buffer.from(`key-${seed}-${i}`),
    value: i % 11 === 5 ? null : Buffer.from(JSON.stringify({ i, seed, user: `u${(i * 7919) % 1000}`, text: 'lorem ipsum '.repeat(i % 20) })),
    headers:
      i % 3 === 0
        ? [
            { key: 'h', value: Buffer.from(String(i)) },
            { key: 'n', value: null },
          ]
        : [],
    timestamp: NOW + (i % 5) * 1000 - 2000,
  }));
}

function sample(n = 50, over: Parameters<typeof buildBatch>[1] = {}): Buffer {
  return buildBatch(recs(n), { timestamp: NOW, producerId: 77, producerEpoch: 3, baseSequence: 1000, transactional: true, partitionLeaderEpoch: 9, ...over });
}

interface Rec {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function read(batch: Buffer, position = 0): Rec[] {
  const out: Rec[] = [];
  iterateRecords(batch, position, (offset, timestamp, key, value, headers) => void out.push({ offset, timestamp, key, value, headers }));
  return out;
}

function headerWithout(h: BatchHeader, ...keys: Array<keyof BatchHeader>): Partial<BatchHeader> {
  const c: Partial<BatchHeader> = { ...h };
  for (const k of ['crc', 'batchLength', 'size', 'attributes', 'compression', ...keys] as Array<keyof BatchHeader>) delete c[k];
  return c;
}

function ownsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.buffer.byteLength === b.length;
}

function scanOk(b: Buffer): void {
  const r = scanBatches(b, createBatchScan(), {
    maxMessageBytes: 64 << 20,
    verifyCrc: true,
    timestampType: 'CreateTime',
    beforeMaxMs: 1e13,
    afterMaxMs: 1e13,
    now: NOW,
    validateRecords: true,
    singleBatch: true,
  });
  assert.ok(r.ok, JSON.stringify(r));
}

async function rejects(p: Promise<unknown>, check: (e: unknown) => boolean, what: string): Promise<void> {
  await p.then(
    () => assert.unreachable(`${what}: resolved`),
    (e) => assert.ok(check(e), `${what}: ${(e as Error).stack}`),
  );
}

// ---- compress / decompress -------------------------------------------------------------------

test('compressBatch then decompressBatch gives back the exact bytes, for every codec, sync and async', async () => {
  const b = sample();
  for (const codec of [1, 2, 3, 4] as const) {
    const c = await compressBatch(b, codec);
    assert.ok(c.length < b.length, `codec ${codec} shrinks the batch`);
    const h = readBatchHeader(c, 0);
    assert.is(h.compression, codec);
    assert.is(h.size, c.length);
    assert.is(h.crc, crc32c(c, 21));
    assert.equal(headerWithout(h), headerWithout(readBatchHeader(b, 0)), 'every other header field copied');
    assert.ok(ownsMemory(c));
    scanOk(c);
    const d = await decompressBatch(c, 0);
    assert.ok(d.equals(b), `codec ${codec}: decompress(compress(b)) === b`);
    assert.ok(ownsMemory(d));
    if (hasSyncCodec(codec)) {
      const cs = compressBatchSync(b, codec);
      assert.ok(decompressBatchSync(cs, 0).equals(b));
      assert.ok(decompressBatchSync(c, 0).equals(b));
    }
  }
});

test('the decompressed copy scans clean with deep record validation', async () => {
  const b = sample(300);
  for (const codec of [1, 2, 3, 4] as const) scanOk(await decompressBatch(await compressBatch(b, codec)));
});

test('batches inside larger buffers: position is honoured, input untouched', async () => {
  const a = sample(3);
  const b = sample(20, { producerId: -1, producerEpoch: -1, baseSequence: -1, transactional: false });
  const c = await compressBatch(b, 3);
  const buf = Buffer.concat([a, c, a]);
  const before = Buffer.from(buf);
  assert.ok((await decompressBatch(buf, a.length)).equals(b));
  assert.ok(decompressBatchSync(buf, a.length).equals(b));
  assert.ok(buf.equals(before));
  const whole = Buffer.concat([a, b]);
  assert.ok((await decompressBatch(await compressBatch(whole, 1, undefined, a.length))).equals(b));
  assert.ok(decompressBatchSync(compressBatchSync(whole, 2, undefined, a.length)).equals(b));
});

test('uncompressed input: decompressBatch and compressBatch(.., 0) return copies', async () => {
  const b = sample(5);
  for (const d of [await decompressBatch(b), decompressBatchSync(b), await compressBatch(b, 0), compressBatchSync(b, 0)]) {
    assert.ok(d.equals(b));
    assert.is.not(d.buffer, b.buffer);
    assert.ok(ownsMemory(d));
  }
});

test('compressBatch refuses a compressed batch (TypeError naming recompressBatch)', async () => {
  const c = compressBatchSync(sample(5), 1);
  assert.throws(
    () => compressBatchSync(c, 2),
    (e: Error) => e instanceof TypeError && /recompressBatch/.test(e.message),
  );
  await rejects(compressBatch(c, 4), (e) => e instanceof TypeError, 'async');
});

test('gzip level and zstd level reach the codec', async () => {
  const b = sample(400);
  assert.ok(compressBatchSync(b, 1, 1).length > compressBatchSync(b, 1, 9).length);
  assert.ok((await compressBatch(b, 4, 1)).length !== (await compressBatch(b, 4, 19)).length);
});

// ---- recompress ------------------------------------------------------------------------------

test('recompressBatch: every source codec to every target codec keeps every record and header field', async () => {
  const b = sample(120);
  const want = read(b);
  for (const src of ALL) {
    const s = src === 0 ? b : await compressBatch(b, src);
    for (const dst of ALL) {
      const r = await recompressBatch(s, 0, dst);
      const h = readBatchHeader(r, 0);
      assert.is(h.compression, dst, `${src} -> ${dst}`);
      assert.is(h.crc, crc32c(r, 21));
      assert.equal(headerWithout(h), headerWithout(readBatchHeader(b, 0)));
      scanOk(r);
      assert.equal(read(await decompressBatch(r)), want, `${src} -> ${dst}`);
      if ((src === 0 || hasSyncCodec(src)) && (dst === 0 || hasSyncCodec(dst)))
        assert.ok(recompressBatchSync(s, 0, dst).equals(r), `${src} -> ${dst} sync = async`);
    }
  }
});

// Records written by hand, with whatever offset deltas a (broken) client put there.
function varint(n: number): number[] {
  let v = ((n << 1) ^ (n >> 31)) >>> 0;
  const out: number[] = [];
  for (; v >= 0x80; v >>>= 7) out.push((v & 0x7f) | 0x80);
  out.push(v);
  return out;
}

function withDeltas(batch: Buffer, deltas: number[], lastOffsetDelta = deltas[deltas.length - 1]!): Buffer {
  const records = batch.subarray(61);
  const layout = walkRecords(records, deltas.length);
  const parts: Buffer[] = [];
  for (let i = 0; i < deltas.length; i++) {
    const [bodyStart, odStart, odEnd, end] = Array.from(layout.bounds.subarray(i * 4, i * 4 + 4));
    const body = Buffer.concat([records.subarray(bodyStart, odStart), Buffer.from(varint(deltas[i]!)), records.subarray(odEnd, end)]);
    parts.push(Buffer.from(varint(body.length)), body);
  }
  const out = Buffer.concat([batch.subarray(0, 61), ...parts]);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(lastOffsetDelta, 23);
  out.writeUInt32BE(crc32c(out, 21), 17);
  return out;
}

test('recompressBatch renumbers inner offsets 0..n-1 (Kafka rebuilds such batches), keeps the rest', async () => {
  const b = sample(4);
  const broken = withDeltas(b, [0, 200, 100_000, 3_000_000], 3);
  assert.equal(
    read(broken).map((r) => r.offset),
    [0, 200, 100_000, 3_000_000],
  );
  for (const src of [0, 1, 2, 3, 4] as const) {
    const s = src === 0 ? broken : await compressBatch(broken, src);
    for (const dst of [0, 3, 4] as const) {
      const r = await recompressBatch(s, 0, dst);
      const rs = read(await decompressBatch(r));
      assert.equal(
        rs.map((x) => x.offset),
        [0, 1, 2, 3],
        `${src} -> ${dst}`,
      );
      assert.equal(
        rs.map(({ offset, ...rest }) => rest),
        read(b).map(({ offset, ...rest }) => rest),
      );
      assert.is(readBatchHeader(r, 0).lastOffsetDelta, 3);
      scanOk(r);
    }
  }
});

test('recompressBatch recomputes maxTimestamp from the records (CreateTime), keeps it for LogAppendTime', async () => {
  const b = sample(10);
  const lying = Buffer.from(b);
  lying.writeInt32BE(0, 35);
  lying.writeInt32BE(5, 39);
  lying.writeUInt32BE(crc32c(lying, 21), 17);
  const r = await recompressBatch(await compressBatch(lying, 1), 0, 2);
  assert.is(readBatchHeader(r, 0).maxTimestamp, NOW + 2000);
  const lat = Buffer.from(lying);
  setAttributeBits(lat, TIMESTAMP_TYPE_MASK); // LogAppendTime: maxTimestamp is the append time, records take it
  lat.writeUInt32BE(crc32c(lat, 21), 17);
  assert.is(readBatchHeader(await recompressBatch(lat, 0, 3), 0).maxTimestamp, 5);
});

test('recompressBatch leaves an uncompressed control batch uncompressed (as Kafka does)', async () => {
  const marker = buildBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], {
    control: true,
    transactional: true,
    producerId: 5,
    producerEpoch: 1,
    timestamp: NOW,
  });
  assert.ok((await recompressBatch(marker, 0, 4)).equals(marker));
  assert.ok(recompressBatchSync(marker, 0, 1).equals(marker));
});

test('recompressBatch: records that do not match the header are INVALID_RECORD', async () => {
  const b = sample(3);
  const more = Buffer.from(b);
  more.writeInt32BE(4, 57);
  const fewer = Buffer.from(b);
  fewer.writeInt32BE(2, 57);
  const garbage = Buffer.from(b);
  garbage.fill(0xff, 61, 70);
  for (const [what, bad] of [
    ['count too high', more],
    ['count too low', fewer],
    ['garbage record', garbage],
    [
      'huge count',
      (() => {
        const x = Buffer.from(b);
        x.writeInt32BE(0x7fffffff, 57);
        return x;
      })(),
    ],
  ] as const) {
    const c = compressBatchSync(bad, 1);
    assert.throws(
      () => recompressBatchSync(c, 0, 2),
      (e: KafkaError) => e instanceof KafkaError && e.code === ErrorCode.INVALID_RECORD,
      what,
    );
    await rejects(recompressBatch(c, 0, 4), (e) => e instanceof KafkaError && (e as KafkaError).code === ErrorCode.INVALID_RECORD, what);
  }
});

// ---- bad batches -----------------------------------------------------------------------------

test('corrupt compressed records: CompressionError (CORRUPT_MESSAGE) from every function', async () => {
  const b = sample(30);
  for (const codec of [1, 2, 3, 4] as const) {
    // Truncated in the middle of the stream (lz4 has no checksum: flipped literal bytes would
    // decompress to wrong records, which the batch CRC is there to catch).
    const whole = await compressBatch(b, codec);
    const c = whole.subarray(0, 61 + Math.floor((whole.length - 61) / 2));
    c.writeInt32BE(c.length - 12, 8);
    c.writeUInt32BE(crc32c(c, 21), 17);
    const isCorrupt = (e: unknown): boolean => e instanceof CompressionError && e.code === ErrorCode.CORRUPT_MESSAGE && e.codec === codec;
    await rejects(decompressBatch(c), isCorrupt, `decompress ${codec}`);
    await rejects(recompressBatch(c, 0, 1), isCorrupt, `recompress ${codec}`);
    if (hasSyncCodec(codec)) {
      assert.throws(() => decompressBatchSync(c), isCorrupt);
      assert.throws(() => recompressBatchSync(c, 0, 0), isCorrupt);
    }
  }
});

test('malformed headers: CORRUPT_MESSAGE; unknown codec ids: UNSUPPORTED_COMPRESSION_TYPE', async () => {
  const b = compressBatchSync(sample(5), 1);
  const code = (c: number) => (e: unknown) => e instanceof KafkaError && e.code === c;
  const magic1 = Buffer.from(b);
  magic1[16] = 1;
  const long = Buffer.from(b);
  long.writeInt32BE(b.length, 8);
  const short = Buffer.from(b);
  short.writeInt32BE(10, 8);
  const codec6 = Buffer.from(b);
  codec6[22] = (codec6[22]! & ~7) | 6;
  for (const [bad, c] of [
    [magic1, ErrorCode.CORRUPT_MESSAGE],
    [long, ErrorCode.CORRUPT_MESSAGE],
    [short, ErrorCode.CORRUPT_MESSAGE],
    [b.subarray(0, 40), ErrorCode.CORRUPT_MESSAGE],
    [codec6, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE],
  ] as const) {
    assert.throws(() => decompressBatchSync(bad), code(c));
    await rejects(decompressBatch(bad), code(c), 'decompressBatch');
    await rejects(recompressBatch(bad, 0, 2), code(c), 'recompressBatch');
  }
  assert.throws(() => decompressBatchSync(b, -1), code(ErrorCode.CORRUPT_MESSAGE));
  assert.throws(() => decompressBatchSync(b, b.length), code(ErrorCode.CORRUPT_MESSAGE));
  assert.throws(() => compressBatchSync(sample(2), 5 as TargetCodec), code(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE));
  await rejects(recompressBatch(b, 0, 9 as TargetCodec), code(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE), 'target 9');
});

test.run();
