// The wasm backend (wasm/index.mjs, built from wasm/assembly) against the pure-TypeScript
// reference (src/protocol/records/crc32c.ts, src/accel/js-scan.ts): the same CRCs, and for every
// scan the same ScanResult (ok, errorCode, batchIndex, message) and the same BatchScan arrays,
// byte for byte, grown the same way. Any difference is a bug in one of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goldenProduceRecords, goldenTest } from '../golden-captures.js';
import { ErrorCode } from '../../src/errors.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { CONTROL_MASK, CompressionType, TIMESTAMP_TYPE_MASK } from '../../src/protocol/records/layout.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { computeBatchCrc, setLogAppendTime, stampBatch } from '../../src/protocol/records/stamp.js';
import { createBatchScan, type BatchScan, type ScanOptions, type ScanResult } from '../../src/accel/batch-scan.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { scanBatches } from '../../src/accel/js-scan.js';
import { wasmAccel, wasmInternals } from '../../wasm/index.mjs';
import { setAttributeBits, xorByte } from '../byte-edits.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;
const ARRAYS = ['position', 'size', 'lastOffsetDelta', 'recordCount', 'attributes', 'producerEpoch', 'baseSequence', 'baseTimestamp', 'maxTimestamp', 'producerId'] as const;

function opts(over: Partial<ScanOptions> = {}): ScanOptions {
  return { maxMessageBytes: 1_048_588, verifyCrc: true, timestampType: 'CreateTime', beforeMaxMs: HOUR, afterMaxMs: HOUR, now: NOW, validateRecords: true, ...over };
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Both BatchScans hold the same count and the same arrays: lengths, and every byte. */
function sameScan(ref: BatchScan, got: BatchScan, label: string): void {
  assert.is(got.count, ref.count, `${label}: count`);
  for (const k of ARRAYS) {
    assert.is(got[k].constructor, ref[k].constructor, `${label}: ${k} type`);
    assert.is(got[k].length, ref[k].length, `${label}: ${k} length`);
    if (!bytesOf(got[k]).equals(bytesOf(ref[k]))) {
      assert.equal(Array.from(got[k]), Array.from(ref[k]), `${label}: ${k}`);
    }
  }
}

// Reused across calls, as a produce path reuses its scan: stale entries past `count` must match too.
const refOut = createBatchScan(1);
const wasmOut = createBatchScan(1);

/** Scans with both backends, asserts they agree, and returns the (common) result. */
function both(buf: Buffer, o: ScanOptions, label = ''): ScanResult {
  const r = scanBatches(buf, refOut, o);
  const w = wasmAccel.scanBatches(buf, wasmOut, o);
  assert.equal(w, r, `${label}: ${JSON.stringify(w)} vs ${JSON.stringify(r)}`);
  assert.is(JSON.stringify(w), JSON.stringify(r), `${label}: key order`);
  sameScan(refOut, wasmOut, label);
  return r;
}

function fixCrc(b: Buffer, pos = 0): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, pos), pos + 17);
  return b;
}

function sample(n = 3, over: Parameters<typeof buildBatch>[1] = {}): Buffer {
  const recs = Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), timestamp: NOW }));
  return buildBatch(recs, { timestamp: NOW, ...over });
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- golden traffic (decoded as test/storage/record-batch.test.ts does) ----------------------

// Without ../shared/kafka-golden these cases are skipped and the fuzz case seeds from built batches only.
const golden = goldenProduceRecords();


// ---- crc32c ----------------------------------------------------------------------------------

test('backend name and the exact interface', () => {
  assert.is(wasmAccel.backend, 'wasm');
  assert.equal(Object.keys(wasmAccel).sort(), ['backend', 'crc32c', 'scanBatches', 'setLogAppendTime', 'stampBatch']);
});

test('crc32c: check values (RFC 3720 B.4 and friends)', () => {
  const cases: Array<[Uint8Array, number]> = [
    [Buffer.from('123456789'), 0xe3069283],
    [Buffer.alloc(32), 0x8a9136aa],
    [Buffer.alloc(32, 0xff), 0x62a8ab43],
    [Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
    [Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
    [Buffer.alloc(0), 0],
  ];
  for (const [b, want] of cases) {
    assert.is(crc32c(b), want);
    assert.is(wasmAccel.crc32c(b), want);
  }
});

test('crc32c: every length 0..4700 at offsets 0..8 (all code paths: bytes, 16-byte steps, 3 lanes)', () => {
  const rnd = mulberry32(7);
  const data = Uint8Array.from({ length: 4720 }, () => Math.floor(rnd() * 256));
  for (let off = 0; off <= 8; off++) {
    for (let len = 0; len <= 4700; len += len < 300 ? 1 : 37) {
      assert.is(wasmAccel.crc32c(data, off, off + len), crc32c(data, off, off + len), `off ${off} len ${len}`);
    }
  }
});

test('crc32c: init continues, bounds clamp, results are unsigned', () => {
  const b = Buffer.from('The quick brown fox jumps over the lazy dog, again and again and again');
  for (let k = 0; k <= b.length; k++) {
    assert.is(wasmAccel.crc32c(b, k, b.length, wasmAccel.crc32c(b, 0, k)), crc32c(b));
  }
  for (const [s, e, init] of [[-5, 100, 0], [5, 2, 0], [5, 2, 0xdeadbeef], [0, 9, -1], [0, 9, 2 ** 32 + 5], [3, 3, 7], [0, 9, NaN], [NaN, 9, 3], [0, NaN, 3]] as const) {
    assert.is(wasmAccel.crc32c(Buffer.from('123456789'), s, e, init), crc32c(Buffer.from('123456789'), s, e, init), `${s} ${e} ${init}`);
  }
  assert.is(wasmAccel.crc32c(Buffer.from('123456789'), undefined, undefined, undefined), 0xe3069283);
});

test('crc32c: 16 KiB, 1 MiB and 9 MiB (past the 4 MiB copy window) random buffers', () => {
  const rnd = mulberry32(99);
  for (const size of [16384, 1 << 20, 9 * (1 << 20) + 13]) {
    const b = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) b.writeUInt32LE(Math.floor(rnd() * 2 ** 32), i - (i + 4 > size ? i + 4 - size : 0));
    assert.is(wasmAccel.crc32c(b), crc32c(b), `${size}`);
    assert.is(wasmAccel.crc32c(b, 1, size - 3, 12345), crc32c(b, 1, size - 3, 12345), `${size} inner`);
  }
});

goldenTest(test, 'crc32c: the CRC stored in every golden batch', () => {
  assert.ok(golden.length >= 30);
  for (const g of golden) {
    for (let pos = 0; pos < g.records.length; ) {
      const size = g.records.readInt32BE(pos + 8) + 12;
      assert.is(wasmAccel.crc32c(g.records, pos + 21, pos + size), g.records.readUInt32BE(pos + 17), g.file);
      pos += size;
    }
  }
});

// ---- scan: golden ----------------------------------------------------------------------------

goldenTest(test, 'scan: every golden Produce batch, as the reference test scans it and with other options', () => {
  const codecs = new Set<number>();
  for (const g of golden) {
    const h = readBatchHeader(g.records, 0);
    codecs.add(h.compression);
    const r = both(g.records, opts({ now: h.maxTimestamp, singleBatch: true }), `${g.file} v${g.version}`);
    assert.ok(r.ok, `${g.file}: ${JSON.stringify(r)}`);
    both(g.records, opts(), `${g.file} at NOW`); // far from their clock: timestamp errors
    both(g.records, opts({ now: h.maxTimestamp, internal: true, validateRecords: false, verifyCrc: false }), `${g.file} internal`);
    both(g.records, opts({ now: h.maxTimestamp, timestampType: 'LogAppendTime', maxMessageBytes: g.records.length - 1 }), `${g.file} too large`);
  }
  assert.equal([...codecs].sort(), [0, 1, 2, 3, 4]);
  const all = Buffer.concat(golden.map((g) => g.records));
  both(all, opts({ beforeMaxMs: Number.MAX_SAFE_INTEGER, afterMaxMs: Number.MAX_SAFE_INTEGER }), 'all golden, concatenated');
  both(all, opts({ internal: true, timestampType: 'LogAppendTime' }), 'all golden, internal');
});

goldenTest(test, 'stamp + LogAppendTime on every golden batch: the same bytes (JS path and in-wasm path)', () => {
  for (const g of golden) {
    const ref = Buffer.from(g.records);
    stampBatch(ref, 0, 123_456_789_012, 7);
    setLogAppendTime(ref, 0, NOW);
    const w = Buffer.from(g.records);
    wasmAccel.stampBatch(w, 0, 123_456_789_012, 7);
    wasmAccel.setLogAppendTime(w, 0, NOW);
    assert.ok(w.equals(ref), g.file);
    const v = Buffer.from(g.records);
    wasmInternals.stampBatchInWasm(v, 0, 123_456_789_012, 7);
    wasmInternals.setLogAppendTimeInWasm(v, 0, NOW);
    assert.ok(v.equals(ref), `${g.file} in wasm`);
    assert.ok(both(w, opts({ internal: true }), g.file).ok);
  }
});

// ---- scan: bad input (the cases of test/storage/record-batch.test.ts) -------------------------

interface Case { name: string; buf: Buffer; code: number; over?: Partial<ScanOptions> }

function badCases(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, buf: Buffer, code: number, over: Partial<ScanOptions> = {}): void => void cases.push({ name, buf, code, over });
  // CRC
  const crc1 = sample();
  xorByte(crc1, crc1.length - 1, 1);
  add('wrong CRC (last byte)', crc1, ErrorCode.CORRUPT_MESSAGE);
  const crc2 = sample();
  xorByte(crc2, 17, 0x80);
  add('wrong CRC (stored)', crc2, ErrorCode.CORRUPT_MESSAGE);
  add('wrong CRC, verifyCrc off', crc2, 0, { verifyCrc: false });
  // framing
  const b = sample();
  add('empty', Buffer.alloc(0), ErrorCode.INVALID_RECORD);
  add('10 bytes', b.subarray(0, 10), ErrorCode.INVALID_RECORD);
  add('15 bytes', b.subarray(0, 15), ErrorCode.INVALID_RECORD);
  add('40 bytes', b.subarray(0, 40), ErrorCode.INVALID_RECORD);
  add('one byte short', b.subarray(0, b.length - 1), ErrorCode.INVALID_RECORD);
  const past = Buffer.from(b);
  past.writeInt32BE(b.length - 12 + 1, 8);
  add('batchLength one past', past, ErrorCode.INVALID_RECORD);
  add('5 trailing bytes', Buffer.concat([b, Buffer.from([1, 2, 3, 4, 5])]), ErrorCode.INVALID_RECORD);
  add('20 trailing zeros', Buffer.concat([b, Buffer.alloc(20)]), ErrorCode.CORRUPT_MESSAGE);
  add('a partial second batch', Buffer.concat([b, b.subarray(0, 30)]), ErrorCode.INVALID_RECORD);
  // lengths
  for (const [len, code] of [[0x7fffffff, ErrorCode.INVALID_RECORD], [-0x80000000, ErrorCode.CORRUPT_MESSAGE], [13, ErrorCode.CORRUPT_MESSAGE]] as const) {
    const c = sample();
    c.writeInt32BE(len, 8);
    add(`batchLength ${len}`, c, code);
  }
  const short = sample();
  short.writeInt32BE(30, 8);
  add('batchLength 30 that fits', short.subarray(0, 42), ErrorCode.CORRUPT_MESSAGE);
  // magic
  for (const [m, code] of [[0, ErrorCode.INVALID_RECORD], [1, ErrorCode.INVALID_RECORD], [3, ErrorCode.CORRUPT_MESSAGE], [0xff, ErrorCode.CORRUPT_MESSAGE]] as const) {
    const c = sample();
    c[16] = m;
    add(`magic ${m}`, c, code);
  }
  // counts
  const more = sample(3);
  more.writeInt32BE(4, 57);
  add('count 4 of 3, CRC not redone', Buffer.from(more), ErrorCode.CORRUPT_MESSAGE);
  add('count 4 of 3', fixCrc(Buffer.from(more)), ErrorCode.INVALID_RECORD);
  more.writeInt32BE(3, 23);
  add('count 4 of 3, lastOffsetDelta 3', fixCrc(more), ErrorCode.INVALID_RECORD);
  const fewer = sample(3);
  fewer.writeInt32BE(2, 57);
  fewer.writeInt32BE(1, 23);
  add('count 2 of 3', fixCrc(fewer), ErrorCode.INVALID_RECORD);
  const zero = sample(1);
  zero.writeInt32BE(0, 57);
  zero.writeInt32BE(-1, 23);
  add('count 0, lastOffsetDelta -1', fixCrc(Buffer.from(zero)), ErrorCode.INVALID_RECORD);
  zero.writeInt32BE(0, 23);
  add('count 0', fixCrc(zero), ErrorCode.INVALID_RECORD);
  const neg = sample(1);
  neg.writeInt32BE(-5, 57);
  add('count -5, internal', fixCrc(neg), ErrorCode.INVALID_RECORD, { internal: true });
  const big = sample(1);
  big.writeInt32BE(0x7fffffff, 57);
  big.writeInt32BE(0x7ffffffe, 23);
  add('count 2^31-1', fixCrc(big), ErrorCode.INVALID_RECORD);
  big.writeInt32BE(0x7fffffff, 23);
  add('lastOffsetDelta 2^31-1', fixCrc(big), ErrorCode.INVALID_RECORD);
  // records
  const d1 = sample(2);
  d1[64] = 2;
  add('offsetDelta 1 for record 0', fixCrc(d1), ErrorCode.INVALID_RECORD);
  add('offsetDelta 1, validateRecords off', d1, 0, { validateRecords: false });
  const d2 = sample(2);
  d2[61] = 0x7e;
  add('record longer than the batch', fixCrc(d2), ErrorCode.INVALID_RECORD);
  const d3 = sample(2);
  d3.fill(0xff, 61, 67);
  add('6-byte varint', fixCrc(d3), ErrorCode.INVALID_RECORD);
  const e = buildBatch([{ key: null, value: null, timestamp: NOW - 10 * HOUR }, { key: null, value: null, timestamp: NOW - 10 * HOUR }]);
  add('timestamps 10 h old', Buffer.from(e), ErrorCode.INVALID_TIMESTAMP);
  e[61 + 1 + e[61]! / 2 + 3] = 6;
  add('parse error beats timestamp error', fixCrc(e), ErrorCode.INVALID_RECORD);
  // size
  const large = buildBatch([{ key: null, value: Buffer.alloc(2000) }], { timestamp: NOW });
  add('exactly maxMessageBytes', large, 0, { maxMessageBytes: large.length });
  add('maxMessageBytes - 1', large, ErrorCode.MESSAGE_TOO_LARGE, { maxMessageBytes: large.length - 1 });
  add('maxMessageBytes 1e3 + 0.5', large, ErrorCode.MESSAGE_TOO_LARGE, { maxMessageBytes: 1000.5 });
  // timestamps
  const at = (ts: number): Buffer => buildBatch([{ key: null, value: null, timestamp: NOW }, { key: null, value: null, timestamp: ts }]);
  add('ts lower bound', at(NOW - HOUR), 0);
  add('ts upper bound', at(NOW + HOUR), 0);
  add('ts below', at(NOW - HOUR - 1), ErrorCode.INVALID_TIMESTAMP);
  add('ts above', at(NOW + HOUR + 1), ErrorCode.INVALID_TIMESTAMP);
  add('ts above, LogAppendTime topic', at(NOW + 10 * HOUR), 0, { timestampType: 'LogAppendTime' });
  add('NO_TIMESTAMP', buildBatch([{ key: null, value: null, timestamp: -1 }]), 0);
  add('ts 0, huge window', at(0), 0, { beforeMaxMs: Number.MAX_SAFE_INTEGER });
  const z = at(NOW + 2 * HOUR);
  setAttributeBits(z, CompressionType.Zstd);
  add('zstd, maxTimestamp above', fixCrc(z), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false });
  add('zstd, maxTimestamp above, records left to the caller', fixCrc(z), 0);
  add('maxTimestamp above, validateRecords off', at(NOW + 2 * HOUR), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false });
  const old = buildBatch([{ key: null, value: null, timestamp: NOW - 2 * HOUR }, { key: null, value: null, timestamp: NOW }]);
  setAttributeBits(old, CompressionType.Gzip);
  add('gzip, baseTimestamp below', fixCrc(old), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false });
  add('NaN window', at(NOW), 0, { now: NaN });
  // client-only rules
  add('baseOffset 5', sample(2, { baseOffset: 5 }), ErrorCode.INVALID_RECORD);
  add('baseOffset 2^60 + 1', sample(2, { baseOffset: 2 ** 60 }), ErrorCode.INVALID_RECORD);
  add('baseOffset -1', sample(2, { baseOffset: -1 }), ErrorCode.INVALID_RECORD);
  add('control batch', sample(2, { control: true }), ErrorCode.INVALID_RECORD);
  add('control batch with a producer id and no sequence', sample(2, { control: true, producerId: 9 }), ErrorCode.INVALID_RECORD);
  add('producer id without sequence', sample(2, { producerId: 9, producerEpoch: 0 }), ErrorCode.INVALID_RECORD);
  add('baseOffset 5, internal', sample(2, { baseOffset: 5 }), 0, { internal: true });
  add('control, internal', sample(1, { control: true, transactional: true, producerId: 9, producerEpoch: 1 }), 0, { internal: true });
  const lat = sample(3);
  setLogAppendTime(lat, 0, NOW + 99);
  add('LogAppendTime from a client', lat, ErrorCode.INVALID_TIMESTAMP);
  add('LogAppendTime, internal', lat, 0, { internal: true });
  // codecs
  for (let c = 5; c <= 7; c++) {
    const u = sample();
    setAttributeBits(u, c);
    add(`compression ${c}`, fixCrc(u), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  }
  // many batches: growth, resumption past the 512-entry output columns, errors late in the input
  const parts = Array.from({ length: 1300 }, (_, i) => sample(1 + (i % 5)));
  const many = Buffer.concat(parts);
  add('1300 batches', many, 0);
  add('1300 batches, singleBatch', many, ErrorCode.INVALID_RECORD, { singleBatch: true });
  const lateBad = Buffer.from(many);
  const at1100 = parts.slice(0, 1100).reduce((s, p) => s + p.length, 0);
  xorByte(lateBad, at1100 + 70, 0x40);
  add('1300 batches, bad CRC in batch 1100', lateBad, ErrorCode.CORRUPT_MESSAGE);
  const at512 = parts.slice(0, 512).reduce((s, p) => s + p.length, 0);
  add('512 batches and 3 stray bytes', Buffer.concat([many.subarray(0, at512), Buffer.from([0, 0, 0])]), ErrorCode.INVALID_RECORD);
  add('exactly 512 batches', many.subarray(0, at512), 0);
  add('exactly 1024 batches', many.subarray(0, parts.slice(0, 1024).reduce((s, p) => s + p.length, 0)), 0);
  return cases;
}

test('scan: every bad-input case of the reference test gives the same result and arrays', () => {
  for (const c of badCases()) {
    const r = both(c.buf, opts(c.over), c.name);
    assert.is(r.ok ? 0 : r.errorCode, c.code, `${c.name}: ${JSON.stringify(r)}`);
    // Fresh, minimal scans too: the arrays grow the same way from one entry.
    const refFresh = createBatchScan(1);
    const wasmFresh = createBatchScan(1);
    assert.equal(wasmAccel.scanBatches(c.buf, wasmFresh, opts(c.over)), scanBatches(c.buf, refFresh, opts(c.over)), c.name);
    sameScan(refFresh, wasmFresh, `${c.name} (fresh)`);
  }
});

/** One uncompressed batch holding raw record bodies (each gets its length varint). */
function rawBatch(bodies: Buffer[]): Buffer {
  const recs = bodies.map((body) => {
    const n = ((body.length << 1) ^ (body.length >> 31)) >>> 0;
    const len: number[] = [];
    let v = n;
    for (; v >= 0x80; v >>>= 7) len.push((v & 0x7f) | 0x80);
    len.push(v);
    return Buffer.concat([Buffer.from(len), body]);
  });
  const head = Buffer.from(sample(1).subarray(0, 61));
  const b = Buffer.concat([head, ...recs]);
  b.writeInt32BE(b.length - 12, 8);
  b.writeInt32BE(bodies.length, 57);
  b.writeInt32BE(bodies.length - 1, 23);
  return fixCrc(b);
}

test('scan: varlong timestamp deltas past 2^53 and 2^64 round and print the same', () => {
  const deltas = [
    [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f], // 2^53 - 1 (zig-zag even)
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f],
    [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20], // exactly 2^53
    [0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20],
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], // past 2^64
    [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // 10 bytes, no end: invalid
    [0x03],
  ];
  for (const d of deltas) {
    // attributes, timestampDelta, offsetDelta 0, key null, value null, no headers
    const b = rawBatch([Buffer.from([0, ...d, 0, 1, 1, 0])]);
    both(b, opts(), `delta ${d}`);
    both(b, opts({ beforeMaxMs: Infinity, afterMaxMs: Infinity }), `delta ${d}, open window`);
  }
  // Varints at the 5-byte limit: negative lengths, and a fifth byte with its top bit set.
  for (const v of [[0xff, 0xff, 0xff, 0xff, 0x0f], [0xfe, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x80], [0x81, 0x80, 0x80, 0x80, 0x08]]) {
    both(rawBatch([Buffer.from([0, 0, ...v, 1, 1, 0])]), opts(), `offsetDelta ${v}`);
    both(rawBatch([Buffer.from([0, 0, 0, ...v, 1, 0])]), opts(), `key length ${v}`);
    both(rawBatch([Buffer.from([0, 0, 0, 1, 1, ...v])]), opts(), `header count ${v}`);
    both(rawBatch([Buffer.from([0, 0, 0, 1, 1, 2, ...v, 0])]), opts(), `header key length ${v}`);
    both(rawBatch([Buffer.from([0, 0, 0, 1, 1, 2, 0, ...v])]), opts(), `header value length ${v}`);
  }
});

test('scan: KIP-467 recordErrors, up to 1000 per batch, only when no structural error follows', () => {
  const mixed = buildBatch(Array.from({ length: 1300 }, (_, i) => ({ key: null, value: null, timestamp: i % 3 === 0 ? NOW : NOW + (i % 2 ? 2 : -2) * HOUR })), { timestamp: NOW });
  const all = buildBatch(Array.from({ length: 1300 }, (_, i) => ({ key: null, value: null, timestamp: NOW - 2 * HOUR - i })), { timestamp: NOW });
  for (const [name, b] of [['mixed', mixed], ['all 1300 bad', all]] as const) {
    const r = both(b, opts({ maxMessageBytes: 1 << 20 }), name);
    assert.ok(!r.ok && r.errorCode === ErrorCode.INVALID_TIMESTAMP && r.recordErrors !== undefined, name);
    if (!r.ok) assert.is(r.recordErrors!.length, name === 'mixed' ? 866 : 1000);
    // the same batch after a good one, and with a structural error after the bad timestamps
    both(Buffer.concat([sample(2), b]), opts({ maxMessageBytes: 1 << 20 }), `${name}, second batch`);
    const broken = Buffer.from(b);
    broken.writeInt32BE(1301, 57);
    broken.writeInt32BE(1300, 23);
    const rb = both(fixCrc(broken), opts({ maxMessageBytes: 1 << 20 }), `${name}, premature EOF`);
    assert.ok(!rb.ok && rb.errorCode === ErrorCode.INVALID_RECORD && !('recordErrors' in rb), name);
  }
});

// ---- fuzz ------------------------------------------------------------------------------------

test('fuzz: 3,000 seeded random mutations, random options: identical results and arrays', () => {
  const rnd = mulberry32(0x5a3541);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const seeds = [
    sample(1), sample(5), Buffer.concat([sample(2), sample(3)]), sample(3, { producerId: 7, producerEpoch: 2, baseSequence: 10 }),
    buildBatch([{ key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('v') }, { key: '', value: null }], timestamp: NOW }]),
    buildBatch(Array.from({ length: 40 }, (_, i) => ({ key: null, value: Buffer.alloc(i * 3, i), timestamp: NOW + i * 1000 })), { timestamp: NOW }),
    ...golden.map((g) => g.records).filter((_, i) => i % 2 === 0),
  ];
  const codes = new Map<number, number>();
  const messages = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const base = pick(seeds);
    let b: Buffer = Buffer.from(base);
    const kind = int(8);
    if (kind === 0) {
      // random byte flips anywhere (mostly CRC errors)
      for (let f = 1 + int(4); f > 0; f--) xorByte(b, int(b.length), 1 + int(255));
    } else if (kind === 1) {
      // truncation, maybe followed by a piece of another batch
      b = b.subarray(0, int(b.length + 1));
      if (rnd() < 0.5) b = Buffer.concat([b, Buffer.from(pick(seeds).subarray(0, int(base.length)))]);
    } else if (kind === 2) {
      // records mutated behind a redone CRC: reaches the record parser
      for (let f = 1 + int(3); f > 0; f--) b[61 + int(Math.max(1, b.length - 61))] = int(256);
      if (rnd() < 0.2) b.writeInt32BE(int(8), 57);
      if (b.length >= 61) fixCrc(b);
    } else if (kind === 3) {
      // header fields set to edge values, CRC redone
      const field = pick([[8, 4], [16, 1], [21, 2], [23, 4], [27, 8], [35, 8], [43, 8], [51, 2], [53, 4], [57, 4], [0, 8]] as const);
      const edge = pick([0, 1, -1, 0x7f, 0x80, 0xff, 0x7fffffff, -0x80000000, int(2 ** 31), -int(2 ** 31)]);
      const [at, width] = field;
      if (width === 1) b[at] = edge & 0xff;
      else if (width === 2) b.writeInt16BE(((edge << 16) >> 16), at);
      else if (width === 4) b.writeInt32BE(edge | 0, at);
      else {
        b.writeInt32BE(rnd() < 0.5 ? edge | 0 : 0, at);
        b.writeInt32BE(edge | 0, at + 4);
      }
      if (at >= 21 && b.length >= 61) fixCrc(b);
    } else if (kind === 4) {
      // varint-heavy: runs of 0x80 / 0xff in the records, CRC redone
      const at = 61 + int(Math.max(1, b.length - 61));
      b.fill(pick([0x80, 0xff, 0x7f, 0x00, 0x01]), at, Math.min(b.length, at + 1 + int(10)));
      if (b.length >= 61) fixCrc(b);
    } else if (kind >= 6) {
      // two to four header defects at once: the checks must run in the reference's order
      b = Buffer.from(pick(seeds.slice(0, 6)));
      let keepCrc = false;
      for (let f = 2 + int(3); f > 0; f--) {
        const d = int(14);
        if (d === 0) b.writeInt32BE(1 + int(5), 4); // baseOffset
        else if (d === 1) b[16] = pick([0, 1, 3, 0xfe]); // magic
        else if (d === 2) b.writeInt32BE(pick([14, 20, 48, b.length - 11, b.length]), 8); // batchLength
        else if (d === 3) b[22] = (b[22]! & ~7) | (1 + int(7)); // compression
        else if (d === 4) setAttributeBits(b, CONTROL_MASK);
        else if (d === 5) setAttributeBits(b, TIMESTAMP_TYPE_MASK); // LogAppendTime
        else if (d === 6) b.writeInt32BE(pick([-1, 0, 5]), 23); // lastOffsetDelta
        else if (d === 7) b.writeInt32BE(pick([-3, 0, 1, 9]), 57); // count
        else if (d === 8) b.writeInt32BE(9, 47); // producer id 9 ...
        else if (d === 9) b.writeInt32BE(-1, 53); // ... no sequence
        else if (d === 10) b.writeUInt32BE(0x3000, 29); // baseTimestamp far in the future
        else if (d === 11) b.writeUInt32BE(0, 39); // maxTimestamp far in the past
        else if (d === 12) keepCrc = true; // a wrong CRC
        else b.writeInt32BE(0, 43); // producer id 0 (with the sequence it has)
      }
      if (!keepCrc) fixCrc(b);
      else xorByte(b, 17, 1);
    } else {
      // several batches, one of them damaged
      const n = 2 + int(6);
      const list = Array.from({ length: n }, () => Buffer.from(pick(seeds)));
      const victim = list[int(n)]!;
      xorByte(victim, int(victim.length), 1 << int(8));
      if (rnd() < 0.5 && victim.length >= 61) fixCrc(victim);
      b = Buffer.concat(list);
    }
    const o = opts({
      now: rnd() < 0.5 ? NOW : readBatchHeader(pick(seeds), 0).maxTimestamp,
      beforeMaxMs: pick([HOUR, 0, Number.MAX_SAFE_INTEGER, 10 * 365 * 24 * HOUR]),
      afterMaxMs: pick([HOUR, 0, Number.MAX_SAFE_INTEGER]),
      timestampType: rnd() < 0.8 ? 'CreateTime' : 'LogAppendTime',
      verifyCrc: rnd() < 0.9,
      validateRecords: rnd() < 0.9,
      internal: rnd() < 0.15,
      singleBatch: rnd() < 0.2,
      maxMessageBytes: rnd() < 0.9 ? 1_048_588 : int(2000),
    });
    const r = both(b, o, `iteration ${i} (kind ${kind})`);
    const code = r.ok ? 0 : r.errorCode;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (!r.ok) messages.add(r.message.replace(/\d+/g, 'N'));
  }
  // The loop reached every error code and many different messages.
  for (const c of [0, ErrorCode.CORRUPT_MESSAGE, ErrorCode.INVALID_RECORD, ErrorCode.INVALID_TIMESTAMP, ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE]) {
    assert.ok((codes.get(c) ?? 0) > 0, `code ${c} never seen: ${JSON.stringify([...codes])}`);
  }
  assert.ok(messages.size >= 25, `${messages.size} kinds of message: ${[...messages].join('\n')}`);
});

// ---- stamp -----------------------------------------------------------------------------------

test('stampBatch and setLogAppendTime: the same bytes for odd values and positions', () => {
  const rnd = mulberry32(42);
  const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 53 - 1, -(2 ** 53), 2 ** 63, 2 ** 64 + 2 ** 20, -(2 ** 70), 1.5, -0.5, NaN, Infinity, -Infinity, NOW];
  const template = Buffer.concat([sample(3), sample(2)]);
  const second = readBatchHeader(template, 0).size;
  const positions = [0, second, -5, -16, template.length - 10, template.length - 30, template.length, template.length + 3];
  for (let i = 0; i < 600; i++) {
    const pos = positions[Math.floor(rnd() * positions.length)]!;
    const v = values[Math.floor(rnd() * values.length)]!;
    const e = values[Math.floor(rnd() * values.length)]!;
    const ref = Buffer.from(template);
    const js = Buffer.from(template);
    const inWasm = Buffer.from(template);
    stampBatch(ref, pos, v, e);
    wasmAccel.stampBatch(js, pos, v, e);
    wasmInternals.stampBatchInWasm(inWasm, pos, v, e);
    assert.ok(js.equals(ref), `stamp ${pos} ${v} ${e}`);
    assert.ok(inWasm.equals(ref), `stamp in wasm ${pos} ${v} ${e}`);
    setLogAppendTime(ref, pos, v);
    wasmAccel.setLogAppendTime(js, pos, v);
    wasmInternals.setLogAppendTimeInWasm(inWasm, pos, v);
    assert.ok(js.equals(ref), `setLogAppendTime ${pos} ${v}`);
    assert.ok(inWasm.equals(ref), `setLogAppendTime in wasm ${pos} ${v}`);
  }
});

test.run();
