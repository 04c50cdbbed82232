// The raw native addon (native/src/napi/mod.rs), called directly with every kind of bad argument:
// each call returns or throws a TypeError / RangeError, and the process never crashes. Also the
// scan state protocol the accel wrapper relies on (resume after "need capacity").
// requires: native
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNativeAddon, type NativeAddon } from '../../src/accel/native.js';
import { ENTRY_BYTES, HEADER_BYTES, IO } from '../../src/accel/scan-state.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { stampBatch as referenceStamp } from '../../src/protocol/records/stamp.js';

const loaded = loadNativeAddon();
if ('error' in loaded) throw new Error(`the native addon is required here (npm run build:native): ${loaded.error}`);
const addon: NativeAddon = loaded.addon;

const NOW = 1_700_000_000_000;
const junk: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  NaN,
  Infinity,
  2 ** 60,
  'abc',
  {},
  [],
  () => 1,
  Symbol('x'),
  10n,
  new Float64Array(4),
  new DataView(new ArrayBuffer(8)),
  new ArrayBuffer(8),
];

function throwsTypeOrRange(f: () => unknown, label: string): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TypeError || e instanceof RangeError, `${label}: threw ${(e as Error).name}: ${(e as Error).message}`);
    return;
  }
}

test('every export survives junk arguments', () => {
  const fns = ['crc32c', 'scanBatches', 'stampBatch', 'setLogAppendTime', 'pwritev', 'pread'] as const;
  for (const name of fns) {
    const f = addon[name] as (...a: unknown[]) => unknown;
    for (const a of junk) {
      for (const b of junk) {
        throwsTypeOrRange(() => f(a, b, a, b, a), `${name}(${String(a)}, ${String(b)})`);
        throwsTypeOrRange(() => f(Buffer.alloc(100), a, b, a, b), `${name}(buf, ${String(a)}, ${String(b)})`);
      }
    }
    throwsTypeOrRange(() => f(), `${name}()`);
  }
  assert.throws(() => addon.crc32c(new Float64Array(2) as unknown as Uint8Array), TypeError);
  assert.throws(() => addon.scanBatches(Buffer.alloc(4), new Uint8Array(256) as unknown as ArrayBuffer), TypeError);
});

test('crc32c: bounds and types as the interface says', () => {
  const b = Buffer.from('xx123456789yy');
  assert.is(addon.crc32c(b, 2, 11), 0xe3069283);
  assert.is(addon.crc32c(b, 2.7, 11.9), 0xe3069283);
  assert.is(addon.crc32c(b, 11, 2, 77), 77);
  assert.is(addon.crc32c(b, 'x' as unknown as number, undefined), addon.crc32c(b));
  assert.is(addon.crc32c(new Uint8Array(0)), 0);
  const view = new Uint8Array(new ArrayBuffer(16));
  structuredClone(view.buffer, { transfer: [view.buffer] });
  assert.is(addon.crc32c(view), 0, 'a view of a detached buffer is empty');
  assert.is(addon.crc32c(view, 0, 16), 0);
});

test('scanBatches: state checks and resume after "need capacity"', () => {
  const parts = Array.from({ length: 10 }, (_, i) => buildBatch([{ key: null, value: Buffer.alloc(i), timestamp: NOW }], { timestamp: NOW }));
  const buf = Buffer.concat(parts);
  assert.throws(() => addon.scanBatches(buf, new ArrayBuffer(64)), RangeError);
  const state = new ArrayBuffer(HEADER_BYTES + ENTRY_BYTES * 3);
  const io = new Float64Array(state, 0, 16);
  io.set([0, 0, 0, 1e6, 1 | 2 | 4, NOW, 3.6e6, 3.6e6]);
  assert.is(addon.scanBatches(buf, state), -1, 'three entries fit, then it asks for more');
  assert.is(io[IO.count], 3);
  assert.is(io[IO.position], parts[0]!.length + parts[1]!.length + parts[2]!.length);
  // Resume in a larger state, as the wrapper does.
  const big = new ArrayBuffer(HEADER_BYTES + ENTRY_BYTES * 16);
  new Float64Array(big, 0, 16).set(io);
  assert.is(addon.scanBatches(buf, big), 0);
  const out = new Float64Array(big, 0, 16);
  assert.is(out[IO.count], 10);
  assert.is(out[IO.records], 10);
  // Entries 3.. are new (copying 0..2 over is the wrapper's job).
  assert.equal(Array.from(new Int32Array(big, HEADER_BYTES + 24 * 16 + 4 * 16, 10)).slice(3), parts.map((p) => p.length).slice(3), 'the size column');
  // Bad resume points and aliasing are RangeErrors, not reads out of bounds.
  for (const [pos, count] of [
    [-1, 0],
    [buf.length + 1, 0],
    [0.5, 0],
    [0, 17],
    [0, -1],
    [NaN, 0],
  ]) {
    out.set([pos!, count!, 0]);
    assert.throws(() => addon.scanBatches(buf, big), RangeError, `resume ${pos} ${count}`);
  }
  const shared = new ArrayBuffer(HEADER_BYTES + ENTRY_BYTES * 4 + 200);
  assert.throws(() => addon.scanBatches(new Uint8Array(shared, 0, 100), shared), /share memory/);
});

test('stampBatch / setLogAppendTime refuse positions without a whole batch', () => {
  const b = buildBatch([{ key: null, value: null, timestamp: NOW }], { timestamp: NOW });
  for (const pos of [-1, 0.5, NaN, b.length - 60, 2 ** 53]) {
    assert.throws(() => addon.stampBatch(b, pos, 1, 1), RangeError, `stamp at ${pos}`);
    assert.throws(() => addon.setLogAppendTime(b, pos, 1), RangeError, `log append time at ${pos}`);
  }
  const cut = b.subarray(0, b.length - 1);
  assert.throws(() => addon.setLogAppendTime(cut, 0, 1), RangeError);
  addon.stampBatch(b, 0, 42, 3);
  assert.is(b.readBigInt64BE(0), 42n);
});

test("the addon's stampBatch writes the reference's bytes (the accel stamps in JS; see native.ts)", () => {
  const weird = [NaN, Infinity, -Infinity, -0, 0.5, -1.5, 2 ** 53, -(2 ** 53), 2 ** 64, 1e300, -1, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 3];
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const b = Buffer.concat([buildBatch([{ key: null, value: Buffer.alloc(50), timestamp: NOW }]), Buffer.alloc(80, 1)]);
  for (let i = 0; i < 3000; i++) {
    const num = () => (rnd() < 0.3 ? weird[Math.floor(rnd() * weird.length)]! : Math.floor(rnd() * 2 ** 53) - 2 ** 52);
    const [pos, off, ep] = [Math.floor(rnd() * (b.length - 60)), num(), num()];
    const x = Buffer.from(b);
    const y = Buffer.from(b);
    addon.stampBatch(x, pos, off, ep);
    referenceStamp(y, pos, off, ep);
    assert.ok(x.equals(y), `stamp at ${pos} with ${off}, ${ep}`);
  }
});

test('pwritev / pread round trip (bench/accel/segment-io.bench.ts measures them)', () => {
  if (process.platform === 'win32') return;
  const dir = mkdtempSync(join(tmpdir(), 'samsa-native-'));
  try {
    const path = join(dir, 'f');
    const fd = openSync(path, 'w+');
    const parts = [Buffer.from('hello '), Buffer.alloc(0), Buffer.from('world'), Buffer.alloc(70_000, 7)];
    assert.is(addon.pwritev(fd, parts, 10), 70_011);
    const back = Buffer.alloc(70_030);
    assert.is(addon.pread(fd, back, 5, 70_020, 5), 70_016, 'stops at end of file');
    closeSync(fd);
    assert.ok(readFileSync(path).subarray(10).equals(Buffer.concat(parts)));
    assert.ok(back.subarray(10, 21).equals(Buffer.from('hello world')));
    assert.throws(() => addon.pread(999_999, back, 0, 10, 0), /pread/, 'a bad fd is an Error');
    assert.throws(() => addon.pread(0, back, 10, back.length, 0), RangeError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
