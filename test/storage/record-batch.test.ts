// RecordBatch v2 scan, stamp and build: every batch real clients sent to Kafka 4.1 scans clean,
// built batches round-trip, and bad input gets the error code Kafka 4.x answers with (see the
// comments in src/accel/js-scan.ts), never an exception.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goldenProduceRecords, goldenTest } from '../golden-captures.js';
import { ErrorCode } from '../../src/errors.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { BATCH_HEADER_SIZE, COMPRESSION_MASK, CompressionType } from '../../src/protocol/records/layout.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { computeBatchCrc, setLogAppendTime, stampBatch } from '../../src/protocol/records/stamp.js';
import { createBatchScan, type ScanOptions, type ScanResult } from '../../src/accel/batch-scan.js';
import { iterateRecords, type RecordHeader } from '../../src/protocol/records/iterate.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { scanBatches } from '../../src/accel/js-scan.js';
import { setAttributeBits, xorByte } from '../byte-edits.js';

const NOW = 1_700_000_000_000;
const HOUR = 3_600_000;

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

function scan(buf: Buffer, over: Partial<ScanOptions> = {}): ScanResult {
  return scanBatches(buf, createBatchScan(), opts(over));
}

function fails(buf: Buffer, code: number, over: Partial<ScanOptions> = {}, pattern?: RegExp): void {
  const r = scan(buf, over);
  assert.is(r.ok, false, `expected error ${code}, got ${JSON.stringify(r)}`);
  if (r.ok) return;
  assert.is(r.errorCode, code, r.message);
  assert.match(r.message, /^batch \d+ at byte \d+: /);
  if (pattern) assert.match(r.message, pattern);
}

function fixCrc(b: Buffer, pos = 0): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, pos), pos + 17);
  return b;
}

function sample(n = 3, over: Parameters<typeof buildBatch>[1] = {}): Buffer {
  const recs = Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), timestamp: NOW }));
  return buildBatch(recs, { timestamp: NOW, ...over });
}

// ---- golden traffic -------------------------------------------------------------------------

// Without ../shared/kafka-golden these cases are skipped and the fuzz cases seed from built batches only.
const golden = goldenProduceRecords();

goldenTest(test, 'every golden Produce batch scans ok (records parsed, CRC, timestamps near its own clock)', () => {
  assert.ok(golden.length >= 30, `${golden.length} golden partitions`);
  const codecs = new Set<number>();
  const out = createBatchScan(1);
  for (const g of golden) {
    const h = readBatchHeader(g.records, 0);
    const r = scanBatches(g.records, out, opts({ now: h.maxTimestamp, singleBatch: true }));
    assert.ok(r.ok, `${g.file} v${g.version}: ${JSON.stringify(r)}`);
    if (!r.ok) continue;
    assert.is(r.batches, 1);
    assert.is(r.records, h.recordCount);
    assert.is(r.bytes, g.records.length);
    assert.is(out.size[0], g.records.length);
    assert.is(out.lastOffsetDelta[0], h.recordCount - 1);
    assert.is(out.producerId[0], h.producerId);
    assert.is(out.producerEpoch[0], h.producerEpoch);
    assert.is(out.baseSequence[0], h.baseSequence);
    assert.is(out.maxTimestamp[0], h.maxTimestamp);
    const attributes = out.attributes[0];
    assert.ok(attributes !== undefined);
    assert.is(attributes & COMPRESSION_MASK, h.compression);
    codecs.add(h.compression);
    if (h.compression === CompressionType.None) {
      let n = 0;
      iterateRecords(g.records, 0, (offset) => void assert.is(offset, n++));
      assert.is(n, h.recordCount);
    }
  }
  assert.equal([...codecs].sort(), [0, 1, 2, 3, 4]);
});

goldenTest(test, 'golden: kcat records carry key1..key20 and headers source=kcat, seq=abc', () => {
  const keys: string[] = [];
  for (const g of golden.filter((x) => x.file === 'kcat-produce-consume.jsonl')) {
    iterateRecords(g.records, 0, (_o, _t, key, value, headers) => {
      keys.push(key!.toString());
      assert.ok(value && value.length > 0);
      assert.equal(
        headers.map((h) => `${h.key}=${h.value}`),
        ['source=kcat', 'seq=abc'],
      );
    });
  }
  assert.equal(keys.sort(), Array.from({ length: 20 }, (_, i) => `key${i + 1}`).sort());
});

goldenTest(test, 'golden: stamp + LogAppendTime keep every batch valid', () => {
  for (const g of golden) {
    const b = Buffer.from(g.records);
    stampBatch(b, 0, 123_456_789_012, 7);
    assert.is(b.readUInt32BE(17), crc32c(b, 21), 'stamping needs no new CRC');
    setLogAppendTime(b, 0, NOW);
    const h = readBatchHeader(b, 0);
    assert.is(h.baseOffset, 123_456_789_012);
    assert.is(h.partitionLeaderEpoch, 7);
    assert.is(h.timestampType, 'LogAppendTime');
    assert.is(h.maxTimestamp, NOW);
    assert.ok(scan(b, { internal: true }).ok);
  }
});

// ---- build / scan / iterate ------------------------------------------------------------------

test('buildBatch -> scanBatches -> iterateRecords round trip', () => {
  const big = Buffer.alloc(1 << 20, 0xab);
  const headers: RecordHeader[] = [
    { key: 'trace-id', value: Buffer.from('abc') },
    { key: 'ünï', value: null },
    { key: '', value: Buffer.alloc(0) },
  ];
  const input = [
    { key: Buffer.from('k1'), value: Buffer.from('v1'), headers, timestamp: NOW + 5 },
    { key: null, value: null, timestamp: NOW },
    { key: Buffer.alloc(0), value: big, timestamp: NOW - 1000 },
    { key: Buffer.from('k4'), value: Buffer.from('') },
  ];
  const b = buildBatch(input, { timestamp: NOW + 7, producerId: 42, producerEpoch: 3, baseSequence: 100, transactional: true });
  const h = readBatchHeader(b, 0);
  assert.equal(
    { ...h, crc: 0 },
    {
      baseOffset: 0,
      batchLength: b.length - 12,
      size: b.length,
      partitionLeaderEpoch: -1,
      magic: 2,
      crc: 0,
      attributes: 0x10,
      compression: 0,
      timestampType: 'CreateTime',
      isTransactional: true,
      isControl: false,
      hasDeleteHorizonMs: false,
      lastOffsetDelta: 3,
      baseTimestamp: NOW + 5,
      maxTimestamp: NOW + 7,
      producerId: 42,
      producerEpoch: 3,
      baseSequence: 100,
      recordCount: 4,
    },
  );
  assert.is(h.crc, crc32c(b, 21));
  const out = createBatchScan();
  const r = scanBatches(b, out, opts({ maxMessageBytes: 2 << 20 }));
  assert.equal(r, { ok: true, batches: 1, records: 4, bytes: b.length });
  const seen: Array<[number, number, string | null, Buffer | null, RecordHeader[]]> = [];
  assert.is(
    iterateRecords(b, 0, (o, t, k, v, hs) => void seen.push([o, t, k && k.toString(), v, hs])),
    4,
  );
  assert.equal(
    seen.map((s) => s[0]),
    [0, 1, 2, 3],
  );
  assert.equal(
    seen.map((s) => s[1]),
    [NOW + 5, NOW, NOW - 1000, NOW + 7],
  );
  assert.equal(
    seen.map((s) => s[2]),
    ['k1', null, '', 'k4'],
  );
  assert.is(seen[0]![3]!.toString(), 'v1');
  assert.is(seen[1]![3], null);
  assert.ok(seen[2]![3]!.equals(big));
  assert.is(seen[2]![3]!.buffer, b.buffer, 'values are views, not copies');
  assert.is(seen[3]![3]!.length, 0);
  assert.equal(seen[0]![4], headers);
  assert.equal(seen[1]![4], []);
  // A callback returning false stops the walk.
  assert.is(
    iterateRecords(b, 0, () => false),
    1,
  );
});

test('buildBatch: many headers, large negative timestamp deltas, non-ASCII keys', () => {
  const recs = Array.from({ length: 300 }, (_, i) => ({
    key: i % 2 ? null : Buffer.from(`ключ-${i}`),
    value: i % 3 ? Buffer.alloc(i) : null,
    headers: Array.from({ length: i % 7 }, (_, k) => ({ key: k ? `h${k}` : '', value: k % 2 ? null : Buffer.from('x') })),
    timestamp: i % 5 === 1 ? NOW - 2 ** 45 + i : NOW + i, // the base is record 0: negative deltas
  }));
  const b = buildBatch(recs, { timestamp: NOW });
  assert.is(readBatchHeader(b, 0).size, b.length);
  assert.ok(scan(b, { beforeMaxMs: 2 ** 46, maxMessageBytes: 1 << 20 }).ok);
  let i = 0;
  iterateRecords(b, 0, (o, t, k, v, hs) => {
    const r = recs[i++]!;
    assert.is(o, i - 1);
    assert.is(t, r.timestamp);
    assert.equal(k, r.key);
    assert.equal(v, r.value);
    assert.equal(hs, r.headers);
  });
  assert.is(i, 300);
});

test('concatenated batches fill a growing BatchScan; singleBatch rejects the second', () => {
  const parts = Array.from({ length: 40 }, (_, i) => sample(1 + (i % 5)));
  const all = Buffer.concat(parts);
  const out = createBatchScan(1);
  const r = scanBatches(all, out, opts());
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.batches, 40);
  assert.is(out.count, 40);
  assert.is(
    r.records,
    parts.reduce((s, p) => s + readBatchHeader(p, 0).recordCount, 0),
  );
  let pos = 0;
  parts.forEach((p, i) => {
    assert.is(out.position[i], pos);
    assert.is(out.size[i], p.length);
    pos += p.length;
  });
  fails(all, ErrorCode.INVALID_RECORD, { singleBatch: true }, /exactly one record batch/);
});

test('stampBatch keeps the CRC valid; setLogAppendTime recomputes it', () => {
  const b = sample(3);
  const crc = b.readUInt32BE(17);
  stampBatch(b, 0, 2 ** 40 + 5, 12);
  assert.is(b.readUInt32BE(17), crc);
  assert.is(readBatchHeader(b, 0).baseOffset, 2 ** 40 + 5);
  assert.is(readBatchHeader(b, 0).partitionLeaderEpoch, 12);
  const offsets: number[] = [];
  iterateRecords(b, 0, (o) => void offsets.push(o));
  assert.equal(offsets, [2 ** 40 + 5, 2 ** 40 + 6, 2 ** 40 + 7]);
  stampBatch(b, 0, -1, -1);
  assert.is(readBatchHeader(b, 0).baseOffset, -1);
  stampBatch(b, 0, 0, -1);
  setLogAppendTime(b, 0, NOW + 99);
  assert.is.not(b.readUInt32BE(17), crc);
  assert.is(b.readUInt32BE(17), crc32c(b, 21));
  const stamps: number[] = [];
  iterateRecords(b, 0, (_o, t) => void stamps.push(t));
  assert.equal(stamps, [NOW + 99, NOW + 99, NOW + 99]);
  // A client may not send LogAppendTime itself; samsa's own appends may.
  fails(b, ErrorCode.INVALID_TIMESTAMP, {}, /LogAppendTime/);
  assert.ok(scan(b, { internal: true }).ok);
});

// ---- bad input -------------------------------------------------------------------------------

test('wrong CRC: CORRUPT_MESSAGE, unless verifyCrc is off', () => {
  const b = sample();
  xorByte(b, b.length - 1, 1);
  fails(b, ErrorCode.CORRUPT_MESSAGE, {}, /stored crc/);
  const c = sample();
  xorByte(c, 17, 0x80);
  fails(c, ErrorCode.CORRUPT_MESSAGE);
  assert.ok(scan(c, { verifyCrc: false }).ok);
});

test('framing: short, truncated, past the end, trailing bytes, empty', () => {
  const b = sample();
  fails(Buffer.alloc(0), ErrorCode.INVALID_RECORD, {}, /no record batch/);
  fails(b.subarray(0, 10), ErrorCode.INVALID_RECORD, {}, /too few/);
  fails(b.subarray(0, 15), ErrorCode.INVALID_RECORD, {}, /too few/);
  fails(b.subarray(0, 40), ErrorCode.INVALID_RECORD, {}, /past the end/);
  fails(b.subarray(0, b.length - 1), ErrorCode.INVALID_RECORD, {}, /past the end/);
  const past = Buffer.from(b);
  past.writeInt32BE(b.length - 12 + 1, 8);
  fails(past, ErrorCode.INVALID_RECORD, {}, /past the end/);
  fails(Buffer.concat([b, Buffer.from([1, 2, 3, 4, 5])]), ErrorCode.INVALID_RECORD, {}, /^batch 1 at byte \d+: 5 bytes left/);
  fails(Buffer.concat([b, Buffer.alloc(20)]), ErrorCode.CORRUPT_MESSAGE, {}, /^batch 1 .*minimum record overhead/);
  fails(Buffer.concat([b, b.subarray(0, 30)]), ErrorCode.INVALID_RECORD, {}, /^batch 1 /);
});

test('2 GiB and negative batchLength', () => {
  const b = sample();
  b.writeInt32BE(0x7fffffff, 8);
  fails(b, ErrorCode.INVALID_RECORD, {}, /batchLength 2147483647 runs past/);
  b.writeUInt32BE(0x80000000, 8);
  fails(b, ErrorCode.CORRUPT_MESSAGE, {}, /record size -2147483648/);
  b.writeInt32BE(13, 8);
  fails(b, ErrorCode.CORRUPT_MESSAGE);
});

test('batchLength 14..48 that fits: CORRUPT_MESSAGE (smaller than a v2 header)', () => {
  const b = sample();
  b.writeInt32BE(30, 8);
  fails(b.subarray(0, 42), ErrorCode.CORRUPT_MESSAGE, {}, /minimum allowed overhead 61/);
});

test('magic 0 and 1: INVALID_RECORD; magic 3 and -1: CORRUPT_MESSAGE', () => {
  for (const m of [0, 1]) {
    const b = sample();
    b[16] = m;
    fails(b, ErrorCode.INVALID_RECORD, {}, /magic version 2/);
  }
  for (const m of [3, 0xff]) {
    const b = sample();
    b[16] = m;
    fails(b, ErrorCode.CORRUPT_MESSAGE, {}, /invalid magic/);
  }
});

test('record count that lies: INVALID_RECORD (CORRUPT_MESSAGE if the CRC was not redone)', () => {
  const more = sample(3);
  more.writeInt32BE(4, 57);
  fails(Buffer.from(more), ErrorCode.CORRUPT_MESSAGE);
  fails(fixCrc(Buffer.from(more)), ErrorCode.INVALID_RECORD, {}, /inconsistent batch offset range/);
  more.writeInt32BE(3, 23);
  fails(fixCrc(more), ErrorCode.INVALID_RECORD, {}, /premature EOF/);
  const fewer = sample(3);
  fewer.writeInt32BE(2, 57);
  fewer.writeInt32BE(1, 23);
  fails(fixCrc(fewer), ErrorCode.INVALID_RECORD, {}, /bytes remain/);
  const zero = sample(1);
  zero.writeInt32BE(0, 57);
  zero.writeInt32BE(-1, 23);
  fails(fixCrc(zero), ErrorCode.INVALID_RECORD, {}, /invalid offset range/);
  zero.writeInt32BE(0, 23);
  fails(fixCrc(zero), ErrorCode.INVALID_RECORD, {}, /invalid reported count/);
  const neg = sample(1);
  neg.writeInt32BE(-5, 57);
  fails(fixCrc(neg), ErrorCode.INVALID_RECORD, { internal: true }, /invalid record count/);
});

test('records that do not parse, offset deltas out of order: INVALID_RECORD', () => {
  // Records: length, attributes, timestampDelta (0: one byte), offsetDelta @64 for record 0.
  const b = sample(2);
  b[64] = 2; // zig-zag 1
  fails(fixCrc(b), ErrorCode.INVALID_RECORD, {}, /offsetDelta 1, expected 0/);
  const c = sample(2);
  c[61] = 0x7e; // record 0 length 63: longer than the batch
  fails(fixCrc(c), ErrorCode.INVALID_RECORD, {}, /invalid record size/);
  const d = sample(2);
  d.fill(0xff, 61, 67); // a varint longer than 5 bytes
  fails(fixCrc(d), ErrorCode.INVALID_RECORD, {}, /record 0/);
  // A parse error anywhere beats a timestamp error (Kafka throws the first, collects the second).
  const e = buildBatch([
    { key: null, value: null, timestamp: NOW - 10 * HOUR },
    { key: null, value: null, timestamp: NOW - 10 * HOUR },
  ]);
  fails(Buffer.from(e), ErrorCode.INVALID_TIMESTAMP, {}, /record 0: timestamp/);
  const r1 = 61 + 1 + e[61]! / 2; // second record: length, attributes, timestampDelta 0, offsetDelta
  e[r1 + 3] = 6; // offsetDelta 3
  fails(fixCrc(e), ErrorCode.INVALID_RECORD, {}, /record 1 at byte \d+: offsetDelta 3, expected 1/);
  // validateRecords off: trusts the records of uncompressed batches too.
  assert.ok(scan(b, { validateRecords: false }).ok);
});

test('batch larger than maxMessageBytes: MESSAGE_TOO_LARGE (size includes the 12-byte log overhead)', () => {
  const b = buildBatch([{ key: null, value: Buffer.alloc(2000) }], { timestamp: NOW });
  assert.ok(scan(b, { maxMessageBytes: b.length }).ok);
  fails(
    b,
    ErrorCode.MESSAGE_TOO_LARGE,
    { maxMessageBytes: b.length - 1 },
    new RegExp(`is ${b.length} bytes which exceeds the maximum configured value of ${b.length - 1}`),
  );
});

test('timestamps out of range: INVALID_TIMESTAMP (CreateTime only, bounds inclusive, -1 skipped)', () => {
  const at = (ts: number): Buffer =>
    buildBatch([
      { key: null, value: null, timestamp: NOW },
      { key: null, value: null, timestamp: ts },
    ]);
  assert.ok(scan(at(NOW - HOUR)).ok);
  assert.ok(scan(at(NOW + HOUR)).ok);
  fails(at(NOW - HOUR - 1), ErrorCode.INVALID_TIMESTAMP, {}, /record 1: timestamp \d+ is out of range/);
  fails(at(NOW + HOUR + 1), ErrorCode.INVALID_TIMESTAMP);
  assert.ok(scan(at(NOW + 10 * HOUR), { timestampType: 'LogAppendTime' }).ok);
  assert.ok(scan(buildBatch([{ key: null, value: null, timestamp: -1 }])).ok, 'NO_TIMESTAMP is not checked');
  assert.ok(scan(at(0), { beforeMaxMs: Number.MAX_SAFE_INTEGER }).ok);
  // With validateRecords off, batches are checked on baseTimestamp and maxTimestamp.
  const z = at(NOW + 2 * HOUR);
  setAttributeBits(z, CompressionType.Zstd);
  fails(fixCrc(z), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false }, /maxTimestamp/);
  fails(at(NOW + 2 * HOUR), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false }, /maxTimestamp/);
  const old = buildBatch([
    { key: null, value: null, timestamp: NOW - 2 * HOUR },
    { key: null, value: null, timestamp: NOW },
  ]);
  setAttributeBits(old, CompressionType.Gzip);
  fails(fixCrc(old), ErrorCode.INVALID_TIMESTAMP, { validateRecords: false }, /baseTimestamp/);
  // With validateRecords, a compressed batch's timestamps are left to the caller, which
  // validates its records once decompressed (storage/leader-validation.ts).
  assert.ok(scan(fixCrc(z)).ok);
});

test("validateRecords: the entry's maxTimestamp is the records' largest timestamp, not the header's (LogValidator)", () => {
  const b = buildBatch([
    { key: null, value: null, timestamp: NOW },
    { key: null, value: null, timestamp: NOW + 5 },
    { key: null, value: null, timestamp: NOW - 5 },
  ]);
  for (const header of [Number.MAX_SAFE_INTEGER, 2 ** 63, NOW + 10 * HOUR, -1, NOW]) {
    b.writeBigInt64BE(header >= 2 ** 63 ? 2n ** 63n - 1n : BigInt(header), 35);
    const s = createBatchScan();
    assert.ok(scanBatches(fixCrc(b), s, opts()).ok);
    assert.is(s.maxTimestamp[0], NOW + 5, `header ${header}`);
  }
  const none = buildBatch([{ key: null, value: null, timestamp: -1 }]);
  const s = createBatchScan();
  assert.ok(scanBatches(none, s, opts()).ok);
  assert.is(s.maxTimestamp[0], -1);
});

test('client-only rules: baseOffset 0, no control batches, producer id needs a sequence', () => {
  fails(sample(2, { baseOffset: 5 }), ErrorCode.INVALID_RECORD, {}, /baseOffset of a produced batch should be 0, but it is 5/);
  fails(sample(2, { control: true }), ErrorCode.INVALID_RECORD, {}, /control records/);
  fails(sample(2, { producerId: 9, producerEpoch: 0 }), ErrorCode.INVALID_RECORD, {}, /invalid sequence number -1/);
  for (const b of [sample(2, { baseOffset: 5 }), sample(1, { control: true, transactional: true, producerId: 9, producerEpoch: 1 })]) {
    assert.ok(scan(b, { internal: true }).ok);
  }
});

test('unknown compression codec 5..7: UNSUPPORTED_COMPRESSION_TYPE', () => {
  const b = sample();
  setAttributeBits(b, 5);
  fails(fixCrc(b), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, {}, /compression type id 5/);
});

test('iterateRecords and readBatchHeader throw on what they cannot read', () => {
  const z = sample();
  setAttributeBits(z, CompressionType.Lz4);
  assert.throws(() => iterateRecords(z, 0, () => {}), /compressed/);
  assert.throws(() => readBatchHeader(z, z.length - 60), RangeError);
  const c = sample(2);
  c[61] = 0x7e;
  assert.throws(() => iterateRecords(c, 0, () => {}), /record 0/);
  assert.throws(() => buildBatch([]), RangeError);
});

// ---- fuzz ------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: 5,000 mutated or truncated batches never throw and never pass with a bad CRC', () => {
  const rnd = mulberry32(0x5a45a);
  const int = (n: number): number => Math.floor(rnd() * n);
  const seeds = [
    sample(1),
    sample(5),
    Buffer.concat([sample(2), sample(3)]),
    buildBatch([{ key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('v') }], timestamp: NOW }]),
    ...golden.map((g) => g.records).filter((_, i) => i % 3 === 0),
  ];
  const out = createBatchScan(1);
  const codes = new Map<number, number>();
  for (let i = 0; i < 5000; i++) {
    const base = seeds[int(seeds.length)]!;
    let b: Buffer = Buffer.from(base);
    const kind = int(4);
    if (kind !== 1) for (let f = 1 + int(4); f > 0; f--) xorByte(b, int(b.length), 1 + int(255));
    if (kind >= 1) b = b.subarray(0, int(b.length + 1));
    if (kind === 3 && rnd() < 0.5) b = Buffer.concat([b, Buffer.from(base.subarray(0, int(base.length)))]);
    let r: ScanResult;
    try {
      r = scanBatches(b, out, opts({ now: NOW, beforeMaxMs: Number.MAX_SAFE_INTEGER, afterMaxMs: Number.MAX_SAFE_INTEGER }));
    } catch (e) {
      assert.unreachable(`iteration ${i} threw ${(e as Error).stack}`);
      return;
    }
    const code = r.ok ? 0 : r.errorCode;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (!r.ok) continue;
    for (let k = 0; k < out.count; k++) {
      const p = out.position[k]!;
      assert.is(crc32c(b, p + 21, p + out.size[k]!), b.readUInt32BE(p + 17), `iteration ${i}: batch ${k} passed with a bad CRC`);
    }
  }
  // Most mutations are caught; some (partition leader epoch bytes, an untouched copy) pass.
  assert.ok((codes.get(ErrorCode.CORRUPT_MESSAGE) ?? 0) > 1000, JSON.stringify([...codes]));
  assert.ok((codes.get(ErrorCode.INVALID_RECORD) ?? 0) > 500, JSON.stringify([...codes]));
  assert.ok((codes.get(0) ?? 0) > 0, JSON.stringify([...codes]));
});

test('fuzz: 5,000 mutations behind a redone CRC reach the record parser; what scans ok iterates', () => {
  const rnd = mulberry32(0xc0ffee);
  const int = (n: number): number => Math.floor(rnd() * n);
  const seeds = [sample(4), ...golden.map((g) => g.records).filter((g) => (g[22]! & 7) === 0 && g.length < 2000)];
  const out = createBatchScan();
  const codes = new Map<number, number>();
  for (let i = 0; i < 5000; i++) {
    const b = Buffer.from(seeds[int(seeds.length)]!);
    for (let f = 1 + int(3); f > 0; f--) b[BATCH_HEADER_SIZE + int(b.length - BATCH_HEADER_SIZE)] = int(256);
    if (rnd() < 0.2) b.writeInt32BE(int(8), 57);
    fixCrc(b);
    let r: ScanResult;
    try {
      r = scanBatches(b, out, opts({ beforeMaxMs: Number.MAX_SAFE_INTEGER, afterMaxMs: Number.MAX_SAFE_INTEGER }));
    } catch (e) {
      assert.unreachable(`iteration ${i} threw ${(e as Error).stack}`);
      return;
    }
    codes.set(r.ok ? 0 : r.errorCode, (codes.get(r.ok ? 0 : r.errorCode) ?? 0) + 1);
    if (r.ok)
      assert.is(
        iterateRecords(b, 0, () => {}),
        r.records,
        `iteration ${i}`,
      );
  }
  assert.ok((codes.get(ErrorCode.INVALID_RECORD) ?? 0) > 2000, JSON.stringify([...codes]));
  assert.ok((codes.get(0) ?? 0) > 100, JSON.stringify([...codes]));
});

test('BATCH_HEADER_SIZE is 61', () => assert.is(BATCH_HEADER_SIZE, 61));

test.run();
