// One test table, run against every accel backend this process can load (native, wasm, js),
// plus seeded randomized parity: for every input, each backend must give what the pure-TypeScript
// reference gives (CRCs, ScanResult with error code, batch index and message text, the BatchScan
// entries, stamped bytes, thrown errors). Any difference is a bug.
//
// The native backend must be present under CI (which runs `npm run build:native` first; elsewhere
// its test is skipped with the reason); the wasm one is tested when wasm/build/samsa.wasm exists.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goldenProduceRecords, goldenTest } from '../golden-captures.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { computeBatchCrc } from '../../src/protocol/records/stamp.js';
import { createBatchScan } from '../../src/accel/batch-scan.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { type RecordHeader } from '../../src/protocol/records/iterate.js';
import { availableAccels, type Accel, type BatchScan, type ScanOptions } from '../../src/accel/index.js';
import { nativeTest } from './native-required.js';
import { CompressionType } from '../../src/protocol/records/layout.js';
import { setAttributeBits, xorByte } from '../byte-edits.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const ARRAYS = [
  'position',
  'size',
  'lastOffsetDelta',
  'recordCount',
  'attributes',
  'producerEpoch',
  'baseSequence',
  'baseTimestamp',
  'maxTimestamp',
  'producerId',
] as const;

const backends = await availableAccels();
const names = backends.map((b) => b.backend);
const reference = backends.find((b) => b.backend === 'js')!;
const others = backends.filter((b) => b.backend !== 'js');
console.log(`accel backends under test: ${backends.map((b) => b.description).join(' | ')}`);

nativeTest('the native backend is available (CI builds it with `npm run build:native`)', () => {
  assert.ok(names.includes('native'), `backends: ${names.join(', ')}; build native/ with npm run build:native`);
});

test('the js backend is always available', () => {
  assert.ok(names.includes('js'));
});

// ---- helpers ---------------------------------------------------------------------------------

function opts(over: Partial<ScanOptions> = {}): ScanOptions {
  return {
    maxMessageBytes: 1_048_588,
    verifyCrc: true,
    timestampType: 'CreateTime',
    beforeMaxMs: HOUR,
    afterMaxMs: HOUR,
    now: NOW,
    validateRecords: true,
    ...over,
  };
}

function fixCrc(b: Buffer, pos = 0): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, pos), pos + 17);
  return b;
}

function sample(n = 3, over: Parameters<typeof buildBatch>[1] = {}): Buffer {
  const recs = Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), timestamp: NOW }));
  return buildBatch(recs, { timestamp: NOW, ...over });
}

/** What a call did: its value, or the error it threw (name and message). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).name, message: (e as Error).message };
  }
}

/** The valid entries of a BatchScan, as plain arrays. */
function entries(out: BatchScan): Record<string, number[]> {
  const r: Record<string, number[]> = { count: [out.count] };
  for (const k of ARRAYS) r[k] = Array.from(out[k].subarray(0, out.count));
  return r;
}

// Reused across calls by each backend, as the produce path reuses its scan. Each backend gets one
// from its own createBatchScan and one from batch-scan.ts (which native re-lays out).
const scans = new Map<Accel, BatchScan[]>(backends.map((b) => [b, [b.createBatchScan(1), createBatchScan(1)]]));
let flip = 0;

/** Scans `buf` with every backend; asserts all agree with the reference; returns its result. */
function scanAll(buf: Buffer, o: ScanOptions, label: string): { result: unknown; entries: Record<string, number[]> } {
  const pick = flip++ & 1;
  const run = (a: Accel) => {
    const out = scans.get(a)![pick]!;
    const result = outcome(() => a.scanBatches(buf, out, o));
    return { result, entries: entries(out) };
  };
  const ref = run(reference);
  for (const a of others) assert.equal(run(a), ref, `${label}: ${a.backend} differs from js`);
  return ref;
}

/** Runs `f` on a copy of `buf` per backend; asserts the same outcome and the same bytes after. */
function mutateAll(buf: Buffer, f: (a: Accel, b: Buffer) => unknown, label: string): { outcome: unknown; bytes: Buffer } {
  const run = (a: Accel) => {
    const b = Buffer.from(buf);
    return { outcome: outcome(() => f(a, b)), bytes: b };
  };
  const ref = run(reference);
  for (const a of others) {
    const got = run(a);
    assert.equal(got.outcome, ref.outcome, `${label}: ${a.backend} outcome`);
    assert.ok(got.bytes.equals(ref.bytes), `${label}: ${a.backend} bytes differ from js`);
  }
  return ref;
}

function crcAll(buf: Uint8Array, label: string, start?: number, end?: number, init?: number): number {
  const ref = reference.crc32c(buf, start, end, init);
  for (const a of others) assert.is(a.crc32c(buf, start, end, init), ref, `${label}: ${a.backend} crc32c(${buf.length} bytes, ${start}, ${end}, ${init})`);
  return ref;
}

function fails(buf: Buffer, code: number, over: Partial<ScanOptions>, pattern: RegExp, label: string): void {
  const { result } = scanAll(buf, opts(over), label);
  const r = (result as { value: { ok: boolean; errorCode?: number; message?: string } }).value;
  assert.ok(r && r.ok === false, `${label}: expected error ${code}, got ${JSON.stringify(result)}`);
  assert.is(r.errorCode, code, `${label}: ${r.message}`);
  assert.match(r.message!, /^batch \d+ at byte \d+: /);
  assert.match(r.message!, pattern, label);
}

function passes(buf: Buffer, over: Partial<ScanOptions>, label: string): void {
  const { result } = scanAll(buf, opts(over), label);
  const r = (result as { value: { ok: boolean } }).value;
  assert.ok(r && r.ok, `${label}: ${JSON.stringify(result)}`);
}

// ---- the table -------------------------------------------------------------------------------

test('crc32c: known vectors, bounds, continuation (every backend)', () => {
  const inc = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.is(crcAll(Buffer.from('123456789'), 'check'), 0xe3069283);
  assert.is(crcAll(new Uint8Array(32), 'zeros'), 0x8a9136aa);
  assert.is(crcAll(new Uint8Array(32).fill(0xff), 'ones'), 0x62a8ab43);
  assert.is(crcAll(inc, 'incrementing'), 0x46dd794e);
  assert.is(crcAll(new Uint8Array(0), 'empty'), 0);
  assert.is(crcAll(inc, 'empty range', 5, 5, 1234), 1234);
  assert.is(crcAll(inc, 'reversed range', 9, 3, -1), 0xffffffff);
  const b = Buffer.from('xx123456789yy');
  assert.is(crcAll(b, 'sub-range', 2, 11), 0xe3069283);
  assert.is(crcAll(b, 'negative start clamps', -5, 0), 0);
  assert.is(crcAll(Buffer.from('123456789'), 'end past the buffer clamps', 0, 1e9), 0xe3069283);
  assert.is(crcAll(b, 'fractional bounds truncate', 2.9, 11.2), 0xe3069283);
  assert.is(crcAll(Buffer.from('123456789'), 'NaN start is 0', NaN), 0xe3069283);
  assert.is(crcAll(Buffer.from('123456789'), 'Infinity end', 0, Infinity), 0xe3069283);
  const part = crcAll(b, 'first part', 2, 6);
  assert.is(crcAll(b, 'continued', 6, 11, part), 0xe3069283);
  crcAll(b, 'init wraps modulo 2^32', 0, 13, 2 ** 32 + 5);
  crcAll(b, 'fractional init', 0, 13, 12345.75);
  crcAll(b, 'NaN init', 0, 13, NaN);
  const u8c = new Uint8ClampedArray(Buffer.from('123456789'));
  assert.is(crcAll(u8c as unknown as Uint8Array, 'Uint8ClampedArray'), 0xe3069283);
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  crcAll(big, '1 MiB');
  crcAll(big.subarray(3, 100_003), 'unaligned view');
});

test('scan: golden-free cases, same codes and messages as the reference', () => {
  const b = sample();
  fails(Buffer.alloc(0), ErrorCode.INVALID_RECORD, {}, /no record batch/, 'empty');
  fails(b.subarray(0, 10), ErrorCode.INVALID_RECORD, {}, /too few/, 'short');
  fails(b.subarray(0, 15), ErrorCode.INVALID_RECORD, {}, /too few/, 'short 2');
  fails(b.subarray(0, 40), ErrorCode.INVALID_RECORD, {}, /past the end/, 'truncated');
  fails(Buffer.concat([b, Buffer.from([1, 2, 3, 4, 5])]), ErrorCode.INVALID_RECORD, {}, /^batch 1 at byte \d+: 5 bytes left/, 'trailing');
  fails(Buffer.concat([b, Buffer.alloc(20)]), ErrorCode.CORRUPT_MESSAGE, {}, /minimum record overhead/, 'trailing zeros');
  const big = Buffer.from(b);
  big.writeInt32BE(0x7fffffff, 8);
  fails(big, ErrorCode.INVALID_RECORD, {}, /batchLength 2147483647 runs past/, '2 GiB');
  big.writeUInt32BE(0x80000000, 8);
  fails(big, ErrorCode.CORRUPT_MESSAGE, {}, /record size -2147483648/, 'negative length');
  const short = Buffer.from(b);
  short.writeInt32BE(30, 8);
  fails(short.subarray(0, 42), ErrorCode.CORRUPT_MESSAGE, {}, /minimum allowed overhead 61/, 'below v2 header');
  for (const [m, code, re] of [
    [0, ErrorCode.INVALID_RECORD, /magic version 2/],
    [1, ErrorCode.INVALID_RECORD, /magic version 2/],
    [3, ErrorCode.CORRUPT_MESSAGE, /invalid magic found in record: 3/],
    [0xff, ErrorCode.CORRUPT_MESSAGE, /invalid magic found in record: -1/],
  ] as const) {
    const x = Buffer.from(b);
    x[16] = m;
    fails(x, code, {}, re, `magic ${m}`);
  }
  const crc = Buffer.from(b);
  xorByte(crc, crc.length - 1, 1);
  fails(crc, ErrorCode.CORRUPT_MESSAGE, {}, /record is corrupt \(stored crc = \d+, computed crc = \d+\)/, 'bad crc');
  const crc2 = Buffer.from(b);
  xorByte(crc2, 17, 0x80);
  passes(crc2, { verifyCrc: false }, 'crc off');
  fails(sample(2, { baseOffset: 5 }), ErrorCode.INVALID_RECORD, {}, /should be 0, but it is 5/, 'base offset');
  fails(sample(2, { baseOffset: 2 ** 40 + 3 }), ErrorCode.INVALID_RECORD, {}, /but it is 1099511627779/, 'big base offset');
  fails(sample(2, { control: true }), ErrorCode.INVALID_RECORD, {}, /control records/, 'control');
  fails(
    sample(2, { producerId: 9, producerEpoch: 0 }),
    ErrorCode.INVALID_RECORD,
    {},
    /invalid sequence number -1 in record batch with producerId 9/,
    'sequence',
  );
  passes(sample(2, { baseOffset: 5 }), { internal: true }, 'internal base offset');
  const large = buildBatch([{ key: null, value: Buffer.alloc(2000) }], { timestamp: NOW });
  passes(large, { maxMessageBytes: large.length }, 'max message bytes exact');
  fails(large, ErrorCode.MESSAGE_TOO_LARGE, { maxMessageBytes: large.length - 1 }, /exceeds the maximum configured value/, 'too large');
  const codec = Buffer.from(b);
  setAttributeBits(codec, 5);
  fails(fixCrc(codec), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, {}, /compression type id 5/, 'codec 5');
  const all = Buffer.concat(Array.from({ length: 40 }, (_, i) => sample(1 + (i % 5))));
  passes(all, {}, '40 batches (growth)');
  fails(all, ErrorCode.INVALID_RECORD, { singleBatch: true }, /exactly one record batch/, 'single batch');
});

test('scan: counts, records and timestamps, same codes and messages as the reference', () => {
  const more = sample(3);
  more.writeInt32BE(4, 57);
  fails(Buffer.from(more), ErrorCode.CORRUPT_MESSAGE, {}, /crc/, 'count without crc');
  fails(fixCrc(Buffer.from(more)), ErrorCode.INVALID_RECORD, {}, /inconsistent batch offset range \[0, 2\] and count of records 4/, 'count lies');
  more.writeInt32BE(3, 23);
  fails(fixCrc(more), ErrorCode.INVALID_RECORD, {}, /declares 4 records but its bytes end after 3 \(premature EOF\)/, 'premature eof');
  const fewer = sample(3);
  fewer.writeInt32BE(2, 57);
  fewer.writeInt32BE(1, 23);
  fails(fixCrc(fewer), ErrorCode.INVALID_RECORD, {}, /bytes remain/, 'bytes remain');
  const zero = sample(1);
  zero.writeInt32BE(0, 57);
  zero.writeInt32BE(-1, 23);
  fails(fixCrc(zero), ErrorCode.INVALID_RECORD, {}, /invalid offset range: lastOffsetDelta -1/, 'lod -1');
  zero.writeInt32BE(0, 23);
  fails(fixCrc(zero), ErrorCode.INVALID_RECORD, {}, /invalid reported count for record batch: 0/, 'count 0');
  const neg = sample(1);
  neg.writeInt32BE(-5, 57);
  fails(fixCrc(neg), ErrorCode.INVALID_RECORD, { internal: true }, /invalid record count -5/, 'negative count internal');
  const d = sample(2);
  d[64] = 2;
  fails(fixCrc(d), ErrorCode.INVALID_RECORD, {}, /record 0 at byte 61: offsetDelta 1, expected 0/, 'offset delta');
  const c = sample(2);
  c[61] = 0x7e;
  fails(fixCrc(c), ErrorCode.INVALID_RECORD, {}, /record 0 at byte 61: invalid record size 63, \d+ bytes left/, 'record size');
  const v = sample(2);
  v.fill(0xff, 61, 67);
  fails(fixCrc(v), ErrorCode.INVALID_RECORD, {}, /record 0 at byte 61: invalid record length varint/, 'long varint');
  passes(sample(2), { validateRecords: false }, 'records not validated');
  const at = (ts: number): Buffer =>
    buildBatch([
      { key: null, value: null, timestamp: NOW },
      { key: null, value: null, timestamp: ts },
    ]);
  passes(at(NOW - HOUR), {}, 'lower bound');
  passes(at(NOW + HOUR), {}, 'upper bound');
  fails(at(NOW - HOUR - 1), ErrorCode.INVALID_TIMESTAMP, {}, /record 1: timestamp 1699996399999 is out of range \[1699996400000, 1700003600000\]/, 'too old');
  passes(at(NOW + 10 * HOUR), { timestampType: 'LogAppendTime' }, 'log append time topic');
  passes(buildBatch([{ key: null, value: null, timestamp: -1 }]), {}, 'no timestamp');
  const z = at(NOW + 2 * HOUR);
  setAttributeBits(z, CompressionType.Zstd);
  fails(fixCrc(z), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false }, /maxTimestamp/, 'compressed max timestamp');
  passes(fixCrc(z), {}, "compressed records are the caller's to validate");
  const old = buildBatch([
    { key: null, value: null, timestamp: NOW - 2 * HOUR },
    { key: null, value: null, timestamp: NOW },
  ]);
  setAttributeBits(old, CompressionType.Gzip);
  fails(fixCrc(old), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false }, /baseTimestamp/, 'compressed base timestamp');
  // The entry's maxTimestamp is the records' largest, whatever the header says (LogValidator).
  for (const header of [2n ** 63n - 1n, -(2n ** 63n), BigInt(NOW + 10 * HOUR), -1n]) {
    const lie = at(NOW - 7);
    lie.writeBigInt64BE(header, 35);
    passes(fixCrc(lie), {}, `header maxTimestamp ${header}`);
  }
  const lat = sample(2);
  setLogAppendTime(lat, NOW);
  fails(lat, ErrorCode.INVALID_TIMESTAMP, {}, /LogAppendTime/, 'client log append time');
  passes(lat, { internal: true }, 'internal log append time');
  // Options outside the usual: NaN limits disable the checks, as in the reference.
  passes(buildBatch([{ key: null, value: Buffer.alloc(2000) }], { timestamp: NOW }), { maxMessageBytes: NaN }, 'NaN max message bytes');
  passes(at(0), { now: NaN }, 'NaN now');
});

function setLogAppendTime(b: Buffer, ts: number): void {
  reference.setLogAppendTime(b, 0, ts);
}

test('stampBatch and setLogAppendTime: same bytes, same RangeErrors', () => {
  const b = sample(3);
  const stamp = (pos: number, off: number, epoch: number) => mutateAll(b, (a, x) => a.stampBatch(x, pos, off, epoch), `stamp ${pos} ${off} ${epoch}`);
  const r = stamp(0, 2 ** 40 + 5, 12);
  assert.is(readBatchHeader(r.bytes, 0).baseOffset, 2 ** 40 + 5);
  assert.is(readBatchHeader(r.bytes, 0).partitionLeaderEpoch, 12);
  assert.is(r.bytes.readUInt32BE(17), b.readUInt32BE(17), 'the CRC is untouched');
  for (const [off, ep] of [
    [-1, -1],
    [0, 0],
    [2 ** 53 - 1, 2 ** 31 - 1],
    [-(2 ** 53), -(2 ** 31)],
    [NaN, NaN],
    [Infinity, -Infinity],
    [1.5, 2.5],
    [2 ** 64, 2 ** 32 + 7],
    [-0.5, -1.5],
  ])
    stamp(0, off!, ep!);
  for (const pos of [-1, 1, 0.5, NaN, b.length - 61, b.length - 60, 1e21]) stamp(pos, 1, 1);
  assert.equal(stamp(b.length - 60, 0, 0).outcome, {
    threw: 'RangeError',
    message: `stampBatch: no batch header at position ${b.length - 60} of a ${b.length}-byte buffer`,
  });
  const lat = (buf: Buffer, pos: number, ts: number) => mutateAll(buf, (a, x) => a.setLogAppendTime(x, pos, ts), `log append time ${pos} ${ts}`);
  const t = lat(b, 0, NOW + 99);
  assert.is(t.bytes.readUInt32BE(17), computeBatchCrc(t.bytes, 0));
  assert.is(readBatchHeader(t.bytes, 0).maxTimestamp, NOW + 99);
  for (const ts of [-1, 0, 2 ** 53, NaN, -Infinity, 0.25]) lat(b, 0, ts);
  const two = Buffer.concat([sample(1), sample(2)]);
  lat(two, sample(1).length, NOW);
  for (const pos of [1, -1, 0.5, two.length]) lat(two, pos, NOW);
  const cut = Buffer.from(b.subarray(0, b.length - 1));
  assert.equal(lat(cut, 0, NOW).outcome, { threw: 'RangeError', message: `setLogAppendTime: no whole batch at position 0 of a ${cut.length}-byte buffer` });
  const tiny = Buffer.from(b);
  tiny.writeInt32BE(48, 8);
  assert.equal((lat(tiny, 0, NOW).outcome as { threw: string }).threw, 'RangeError');
});

// ---- golden traffic --------------------------------------------------------------------------

// Without ../shared/kafka-golden this case is skipped; the randomized tests below still run.
const golden: Buffer[] = goldenProduceRecords().map((g) => g.records);

goldenTest(test, 'golden Produce batches from real clients (all codecs): scan, stamp and LogAppendTime agree', () => {
  for (const [i, g] of golden.entries()) {
    const h = readBatchHeader(g, 0);
    passes(g, { now: h.maxTimestamp, singleBatch: true }, `golden ${i}`);
    const s = mutateAll(
      g,
      (a, x) => {
        a.stampBatch(x, 0, 123_456_789_012, 7);
        a.setLogAppendTime(x, 0, NOW);
      },
      `golden ${i} stamp`,
    );
    passes(s.bytes, { internal: true }, `golden ${i} stamped`);
    assert.is(crcAll(g, `golden ${i}`, 21), g.readUInt32BE(17));
  }
});

// ---- randomized parity -----------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random: crc32c of random buffers, ranges and init values', () => {
  const rnd = mulberry32(0xc4c32c);
  const int = (n: number) => Math.floor(rnd() * n);
  const pool = Buffer.alloc(200_000);
  for (let i = 0; i < pool.length; i++) pool[i] = int(256);
  const odd = [undefined, NaN, -Infinity, Infinity, -1, 0.5, 1e12];
  for (let i = 0; i < 2000; i++) {
    const len = [int(16), int(300), int(5000), int(70_000), int(200_000)][int(5)]!;
    const off = int(pool.length - len + 1);
    const buf = pool.subarray(off, off + len);
    const start = rnd() < 0.1 ? odd[int(odd.length)] : int(len + 2) - 1;
    const end = rnd() < 0.1 ? odd[int(odd.length)] : rnd() < 0.3 ? undefined : int(len + 3) - 1;
    const init = rnd() < 0.5 ? undefined : rnd() < 0.8 ? int(2 ** 32) : (rnd() - 0.5) * 2 ** 40;
    crcAll(buf, `random ${i}`, start, end, init);
  }
});

function randomBatch(rnd: () => number): Buffer {
  const int = (n: number) => Math.floor(rnd() * n);
  const n = 1 + int(rnd() < 0.1 ? 200 : 8);
  const blob = (max: number) => {
    const b = Buffer.alloc(int(max + 1));
    for (let i = 0; i < b.length; i++) b[i] = int(256);
    return b;
  };
  const base = NOW + int(2 * HOUR) - HOUR;
  const records: BuildRecord[] = Array.from({ length: n }, () => ({
    key: rnd() < 0.2 ? null : blob(20),
    value: rnd() < 0.1 ? null : blob(rnd() < 0.1 ? 3000 : 60),
    headers: Array.from({ length: int(3) }, (): RecordHeader => ({ key: `h${int(100)}`, value: rnd() < 0.3 ? null : blob(10) })),
    timestamp: rnd() < 0.05 ? -1 : base + int(2 * HOUR) - HOUR,
  }));
  const idempotent = rnd() < 0.3;
  return buildBatch(records, {
    timestamp: base,
    producerId: idempotent ? int(2 ** 40) : undefined,
    producerEpoch: idempotent ? int(100) : undefined,
    baseSequence: idempotent ? int(2 ** 31) : undefined,
    transactional: idempotent && rnd() < 0.3,
    baseOffset: rnd() < 0.05 ? int(2 ** 45) : 0,
  });
}

function randomOptions(rnd: () => number): ScanOptions {
  return opts({
    verifyCrc: rnd() < 0.9,
    validateRecords: rnd() < 0.9,
    internal: rnd() < 0.15 ? true : undefined,
    singleBatch: rnd() < 0.2 ? true : undefined,
    timestampType: rnd() < 0.15 ? 'LogAppendTime' : 'CreateTime',
    beforeMaxMs: rnd() < 0.2 ? Number.MAX_SAFE_INTEGER : HOUR * (1 + Math.floor(rnd() * 3)),
    afterMaxMs: rnd() < 0.2 ? Number.MAX_SAFE_INTEGER : HOUR,
    maxMessageBytes: rnd() < 0.1 ? 500 + Math.floor(rnd() * 3000) : 1_048_588,
  });
}

test('random: valid, concatenated and mutated batches scan identically', () => {
  const rnd = mulberry32(0x5ca11);
  const int = (n: number) => Math.floor(rnd() * n);
  const seeds = Array.from({ length: 60 }, () => randomBatch(rnd)).concat(golden.filter((_, i) => i % 2 === 0));
  const codes = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    let b: Buffer;
    const kind = int(6);
    if (kind === 0) b = Buffer.concat(Array.from({ length: 1 + int(40) }, () => seeds[int(seeds.length)]!));
    else {
      b = Buffer.from(seeds[int(seeds.length)]!);
      if (kind === 1 || kind === 3) for (let f = 1 + int(4); f > 0; f--) xorByte(b, int(b.length), 1 + int(255));
      if (kind === 2) b = b.subarray(0, int(b.length + 1));
      if (kind === 3 && rnd() < 0.5) b = Buffer.concat([b, seeds[int(seeds.length)]!.subarray(0, int(200))]);
      if (kind >= 4 && b.length > 61) {
        // Behind a redone CRC: reach the count checks and the record parser.
        for (let f = 1 + int(3); f > 0; f--) b[61 + int(b.length - 61)] = int(256);
        if (rnd() < 0.2) b.writeInt32BE(int(8), 57);
        if (rnd() < 0.2) b.writeInt32BE(int(8) - 1, 23);
        if (kind === 5) b[22] = int(256);
        fixCrc(b);
      }
    }
    const { result } = scanAll(b, randomOptions(rnd), `random ${i} (kind ${kind})`);
    const v = (result as { value?: { ok: boolean; errorCode?: number } }).value;
    const key = v ? (v.ok ? 'ok' : String(v.errorCode)) : 'threw';
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  assert.not.ok(codes.has('threw'), JSON.stringify([...codes]));
  for (const k of ['ok', '2', '87', '32']) assert.ok((codes.get(k) ?? 0) > 20, `too few '${k}' outcomes: ${JSON.stringify([...codes])}`);
});

test('random: stamp and LogAppendTime on random positions and values', () => {
  const rnd = mulberry32(0x57a3b);
  const int = (n: number) => Math.floor(rnd() * n);
  const weird = [NaN, Infinity, -Infinity, -0, 0.5, -1.5, 2 ** 53, -(2 ** 53), 2 ** 64, 1e300];
  const num = () => (rnd() < 0.15 ? weird[int(weird.length)]! : rnd() < 0.5 ? int(2 ** 53) - 2 ** 52 : int(2 ** 32) - 2 ** 31);
  for (let i = 0; i < 1500; i++) {
    const parts = Array.from({ length: 1 + int(3) }, () => randomBatch(rnd));
    const b = Buffer.concat(parts);
    let pos = parts.slice(0, int(parts.length)).reduce((s, p) => s + p.length, 0);
    if (rnd() < 0.2) pos = rnd() < 0.5 ? int(b.length + 10) - 5 : weird[int(weird.length)]!;
    if (rnd() < 0.1) b.writeInt32BE(int(b.length), Number.isInteger(pos) && pos >= 0 && pos + 12 <= b.length ? pos + 8 : 8);
    const [off, epoch] = [num(), num()];
    mutateAll(b, (a, x) => a.stampBatch(x, pos, off, epoch), `stamp ${i}`);
    const ts = num();
    mutateAll(b, (a, x) => a.setLogAppendTime(x, pos, ts), `log append time ${i}`);
  }
});

test.run();
