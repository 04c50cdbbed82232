// The WebAssembly backend of samsa's hot path (build/samsa.wasm, from assembly/*.ts).
//
// `wasmAccel` has the signatures and results of the pure-TypeScript reference
// (src/protocol/records/crc32c.ts, src/accel/js-scan.ts); test/wasm/parity.test.ts holds it to that.
// Loading is synchronous and happens at import: an import that throws (no .wasm, no WebAssembly)
// means "no wasm backend here".
//
// Linear memory, from the module's inputBase() on:
//   [OUT, OUT + 48 * OUT_CAP)  scan output columns (see assembly/scan.ts), resumed when full
//   [INPUT, ...)               the caller's bytes, copied in per call; grows on demand, never shrinks
// Calls on one instance run one at a time (JS is single-threaded; each worker thread that imports
// this module gets its own instance), so one input region is enough.
import { readFileSync } from 'node:fs';

const module_ = new WebAssembly.Module(readFileSync(new URL('./build/samsa.wasm', import.meta.url)));
const wasm = /** @type {any} */ (new WebAssembly.Instance(module_, {}).exports);
const memory = /** @type {WebAssembly.Memory} */ (wasm.memory);

const OUT_CAP = 512;
const OUT = align(wasm.inputBase(), 64);
const INPUT = align(OUT + 48 * OUT_CAP, 64);
const RESULT = wasm.resultBase();
const RECORD_ERRORS = wasm.recordErrorsBase();
/** Largest input copied in at once; crc32c streams longer ranges through it. */
const CRC_WINDOW = 4 << 20;
/** Largest buffer scanBatches takes (wasm32 addresses, and memory a wasm instance never returns). */
const MAX_SCAN_INPUT = 1 << 30;
const PAGE = 65536;

let u8 = new Uint8Array(memory.buffer);
let i16 = new Int16Array(memory.buffer);
let i32 = new Int32Array(memory.buffer);
let f64 = new Float64Array(memory.buffer);

function align(n, a) {
  return Math.ceil(n / a) * a;
}

/** Makes [INPUT, INPUT + bytes) addressable, growing memory in 1 MiB steps. */
function reserve(bytes) {
  const need = INPUT + bytes;
  const have = memory.buffer.byteLength;
  if (need <= have) return;
  memory.grow(align(need - have, 16 * PAGE) / PAGE);
  u8 = new Uint8Array(memory.buffer);
  i16 = new Int16Array(memory.buffer);
  i32 = new Int32Array(memory.buffer);
  f64 = new Float64Array(memory.buffer);
}
reserve(CRC_WINDOW);

/** Copies src[start, end) to INPUT (a subarray view only when the range is not all of src). */
function copyIn(src, start, end) {
  u8.set(start === 0 && end === src.length ? src : src.subarray(start, end), INPUT);
}

/**
 * CRC-32C of buf[start, end), continuing `init`; bounds clamped as in the reference. Offsets
 * are expected to be integers (the reference's result for fractional ones is not reproduced).
 */
function crc32c(buf, start = 0, end = buf.length, init = 0) {
  const len = buf.length;
  if (start < 0) start = 0;
  if (end > len) end = len;
  if (!(start < end)) return init >>> 0;
  // Copying a few spare bytes costs less than making a subarray view of the range.
  if (len - (end - start) <= 1024 && len <= CRC_WINDOW) {
    u8.set(buf, INPUT);
    return wasm.crc32cAt(INPUT + start, end - start, init) >>> 0;
  }
  let crc = init | 0;
  while (start < end) {
    const n = Math.min(end - start, CRC_WINDOW);
    copyIn(buf, start, start + n);
    crc = wasm.crc32cAt(INPUT, n, crc);
    start += n;
  }
  return crc >>> 0;
}

// ---- scanBatches ---------------------------------------------------------------------------

// The reference's createBatchScan growth: every array doubles when entry n === position.length.
const ARRAYS = ['position', 'size', 'lastOffsetDelta', 'recordCount', 'attributes', 'producerEpoch', 'baseSequence', 'baseTimestamp', 'maxTimestamp', 'producerId'];
function grow(s) {
  for (const k of ARRAYS) {
    const a = s[k];
    const b = new a.constructor(a.length * 2);
    b.set(a);
    s[k] = b;
  }
}

// Error codes (src/errors.ts) and the messages the reference writes, by detail code
// (assembly/scan.ts). `a` holds the numeric arguments, `o` the options, lo/hi the time window.
const INVALID_TIMESTAMP = 32;
const D_RECORD_TIMESTAMP = 32;
const MESSAGES = [];
MESSAGES[1] = () => 'no record batch (empty records)';
MESSAGES[2] = (a) => `${a[0]} bytes left, too few for a batch header`;
MESSAGES[3] = (a) => `record size ${a[0]} is less than the minimum record overhead (14)`;
MESSAGES[4] = (a) => `invalid magic found in record: ${a[0]}`;
MESSAGES[5] = (a) => `batchLength ${a[0]} runs past the end of the records (${a[1]} bytes left)`;
MESSAGES[6] = (a) => `magic ${a[0]}: produce requests may only contain record batches with magic version 2`;
MESSAGES[7] = () => 'produce requests may contain exactly one record batch per partition';
MESSAGES[8] = (a) => `baseOffset of a produced batch should be 0, but it is ${a[0]}`;
MESSAGES[9] = (a, o) => `the record batch size is ${a[0]} bytes which exceeds the maximum configured value of ${o.maxMessageBytes}`;
MESSAGES[10] = (a) => `record batch is corrupt (the size ${a[0]} is smaller than the minimum allowed overhead 61)`;
MESSAGES[11] = (a) => `record is corrupt (stored crc = ${a[0]}, computed crc = ${a[1]})`;
MESSAGES[12] = (a) => `unknown compression type id ${a[0]}`;
MESSAGES[13] = (a) => `batch has an invalid offset range: lastOffsetDelta ${a[0]}`;
MESSAGES[14] = (a) => `invalid reported count for record batch: ${a[0]}`;
MESSAGES[15] = (a) => `inconsistent batch offset range [0, ${a[0]}] and count of records ${a[1]}`;
MESSAGES[16] = () => 'clients are not allowed to write control records';
MESSAGES[17] = (a) => `invalid sequence number ${a[0]} in record batch with producerId ${a[1]}`;
MESSAGES[18] = () => 'invalid timestamp type: producer should not set timestamp type to LogAppendTime';
MESSAGES[19] = (a) => `found invalid record count ${a[0]}`;
MESSAGES[20] = (a, o, lo, hi) => `baseTimestamp ${a[0]} is out of range [${lo}, ${hi}]`;
MESSAGES[21] = (a, o, lo, hi) => `maxTimestamp ${a[0]} is out of range [${lo}, ${hi}]`;
MESSAGES[30] = (a) => `batch declares ${a[0]} records but its bytes end after ${a[1]} (premature EOF)`;
MESSAGES[31] = (a) => `batch declares ${a[0]} records but ${a[1]} bytes remain after them`;
MESSAGES[32] = (a, o, lo, hi) => `record ${a[0]}: timestamp ${a[1]} is out of range [${lo}, ${hi}]`;
MESSAGES[33] = (a) => `record ${a[0]} at byte ${a[1]}: offsetDelta ${a[2]}, expected ${a[0]}`;
const RECORD_PROBLEMS = [];
RECORD_PROBLEMS[40] = () => 'invalid record length varint';
RECORD_PROBLEMS[41] = (a) => `invalid record size ${a[2]}, ${a[3]} bytes left in the batch`;
RECORD_PROBLEMS[42] = () => 'invalid timestampDelta';
RECORD_PROBLEMS[43] = () => 'invalid offsetDelta';
RECORD_PROBLEMS[44] = () => 'invalid key length';
RECORD_PROBLEMS[45] = () => 'invalid value length';
RECORD_PROBLEMS[46] = () => 'invalid number of record headers';
RECORD_PROBLEMS[47] = (a) => `invalid header ${a[2]} key length`;
RECORD_PROBLEMS[48] = (a) => `invalid header ${a[2]} value length`;
RECORD_PROBLEMS[49] = (a) => `expected to read ${a[2]} bytes in record payload, but read ${a[3]}`;
for (let d = 40; d <= 49; d++) {
  const problem = RECORD_PROBLEMS[d];
  MESSAGES[d] = (a) => `record ${a[0]} at byte ${a[1]}: ${problem(a)}`;
}

/** KIP-467 record errors of a record-level INVALID_TIMESTAMP, as the reference words them. */
function recordErrors(count, lo, hi) {
  const list = [];
  for (let k = 0; k < count; k++) {
    const ts = f64[(RECORD_ERRORS >> 3) + 2 * k];
    const index = i32[(RECORD_ERRORS >> 2) + 4 * k + 2];
    list.push({ index, message: `Timestamp ${ts} of message with offset ${index} is out of range. The timestamp should be within [${lo}, ${hi}]` });
  }
  return list;
}

function scanBatches(buf, out, options) {
  const len = buf.length;
  out.count = 0;
  if (len > MAX_SCAN_INPUT) throw new RangeError(`wasm scanBatches: ${len} bytes is more than the ${MAX_SCAN_INPUT} this backend takes`);
  const flags =
    (options.verifyCrc ? 1 : 0) |
    (options.validateRecords ? 2 : 0) |
    (options.singleBatch === true ? 4 : 0) |
    (options.internal !== true ? 8 : 0) |
    (options.timestampType === 'CreateTime' ? 16 : 0);
  const lo = options.now - options.beforeMaxMs;
  const hi = options.now + options.afterMaxMs;
  reserve(len);
  copyIn(buf, 0, len);
  const R32 = RESULT >> 2;
  const F = OUT >> 3;
  const I = (OUT + 24 * OUT_CAP) >> 2;
  const H = (OUT + 44 * OUT_CAP) >> 1;
  let p = 0;
  let n = 0;
  let records = 0;
  for (;;) {
    wasm.scanBatches(INPUT, len, p, n, records, OUT, OUT_CAP, flags, options.maxMessageBytes, lo, hi);
    const code = i32[R32];
    const reached = i32[R32 + 1];
    // Copy this call's entries, growing `out` exactly as the reference does.
    for (let k = 0, j = n; j < reached; k++, j++) {
      if (j === out.position.length) grow(out);
      out.baseTimestamp[j] = f64[F + k];
      out.maxTimestamp[j] = f64[F + OUT_CAP + k];
      out.producerId[j] = f64[F + 2 * OUT_CAP + k];
      out.position[j] = i32[I + k];
      out.size[j] = i32[I + OUT_CAP + k];
      out.lastOffsetDelta[j] = i32[I + 2 * OUT_CAP + k];
      out.recordCount[j] = i32[I + 3 * OUT_CAP + k];
      out.baseSequence[j] = i32[I + 4 * OUT_CAP + k];
      out.attributes[j] = i16[H + k];
      out.producerEpoch[j] = i16[H + OUT_CAP + k];
    }
    n = reached;
    out.count = n;
    if (code === 0) return { ok: true, batches: n, records: f64[(RESULT + 48) >> 3], bytes: len };
    if (code === -1) {
      p = i32[R32 + 2];
      records = f64[(RESULT + 48) >> 3];
      continue;
    }
    const position = i32[R32 + 2];
    const a = [f64[(RESULT + 16) >> 3], f64[(RESULT + 24) >> 3], f64[(RESULT + 32) >> 3], f64[(RESULT + 40) >> 3]];
    const text = MESSAGES[i32[R32 + 3]];
    const what = text ? text(a, options, lo, hi) : `unknown wasm scan detail ${i32[R32 + 3]}`;
    const r = { ok: false, errorCode: code, batchIndex: n, message: `batch ${n} at byte ${position}: ${what}` };
    if (code === INVALID_TIMESTAMP && i32[R32 + 3] === D_RECORD_TIMESTAMP) r.recordErrors = recordErrors(i32[R32 + 14], lo, hi);
    return r;
  }
}

// ---- stamp ---------------------------------------------------------------------------------
// Both are done in place in JS, as in the reference: stampBatch writes 12 bytes outside the CRC,
// which costs less than a call that copies them back from wasm memory; setLogAppendTime writes
// 9 bytes in JS and computes the CRC in wasm (that is where its time goes). See wasm/README.md.

function w32(b, p, v) {
  b[p] = v >>> 24;
  b[p + 1] = v >>> 16;
  b[p + 2] = v >>> 8;
  b[p + 3] = v;
}
function w64(b, p, v) {
  const hi = Math.floor(v / 4294967296);
  w32(b, p, hi | 0);
  w32(b, p + 4, (v - hi * 4294967296) >>> 0);
}

function stampBatch(buf, position, baseOffset, partitionLeaderEpoch) {
  w64(buf, position, baseOffset);
  w32(buf, position + 12, partitionLeaderEpoch);
}

function setLogAppendTime(buf, position, timestamp) {
  buf[position + 22] = buf[position + 22] | 0x08;
  w64(buf, position + 35, timestamp);
  const length = (buf[position + 8] << 24) | (buf[position + 9] << 16) | (buf[position + 10] << 8) | buf[position + 11];
  w32(buf, position + 17, crc32c(buf, position + 21, position + 12 + length));
}

/** The wasm backend of the accel interface: same signatures and results as the reference. */
export const wasmAccel = Object.freeze({ backend: 'wasm', crc32c, scanBatches, stampBatch, setLogAppendTime });

/**
 * For tests and benchmarks: the raw exports, and stampBatch / setLogAppendTime done inside wasm
 * memory (copy in, call, copy the changed bytes back), the alternative wasmAccel does not use.
 */
export const wasmInternals = Object.freeze({
  exports: wasm,
  memory,
  /** stampBatch in wasm: the 16 bytes it writes go in, get stamped, and come back. */
  stampBatchInWasm(buf, position, baseOffset, partitionLeaderEpoch) {
    const from = Math.max(0, position);
    const to = Math.min(buf.length, position + 16);
    if (from >= to) return;
    copyIn(buf, from, to);
    // The wasm side sees buffer offsets: byte p of buf lives at INPUT + p - from.
    wasm.stampBatch(INPUT - from, to, position, baseOffset, partitionLeaderEpoch);
    buf.set(u8.subarray(INPUT, INPUT + (to - from)), from);
  },
  /** setLogAppendTime in wasm: the batch goes in, and the 26 bytes it may change come back. */
  setLogAppendTimeInWasm(buf, position, timestamp) {
    const length = (buf[position + 8] << 24) | (buf[position + 9] << 16) | (buf[position + 10] << 8) | buf[position + 11];
    const from = Math.max(0, position);
    const to = Math.min(buf.length, position + Math.max(43, 12 + length));
    if (from >= to) return;
    if (to - from > MAX_SCAN_INPUT) throw new RangeError(`wasm setLogAppendTime: ${to - from} bytes is too many`);
    reserve(to - from);
    copyIn(buf, from, to);
    wasm.setLogAppendTime(INPUT - from, to, position, timestamp);
    const a = Math.max(from, position + 17);
    const b = Math.min(to, position + 43);
    if (a < b) buf.set(u8.subarray(INPUT + a - from, INPUT + b - from), a);
  },
});
