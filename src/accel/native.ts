// The native backend: the Rust Node-API addon of native/, loaded with require() (a .node file
// can only be loaded that way). Where the binary comes from, first found wins:
//   0. SAMSA_NATIVE_PATH, a path to a .node file: that file and nothing else (tests of other
//      builds, e.g. the dyn-symbols one; a missing file means no native backend);
//   1. the platform package @samsa/native-<platform> (an optional dependency of the published
//      package, napi-rs naming: linux-x64-gnu, linux-arm64-musl, darwin-arm64, win32-x64-msvc...);
//   2. the local build: native/samsa-native.<platform>.node (`npm run build:native`).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Accel, BatchScan, ScanOptions, ScanResult } from './types.js';
import { checkHeader, checkWholeBatch } from './common.js';
import { createBatchScan as createPlainBatchScan, type RecordError } from './batch-scan.js';
import { scanBatches as referenceScan } from './js-scan.js';
import { stampBatch as referenceStamp } from '../protocol/records/stamp.js';
import { BATCH_LENGTH_OFFSET, LOG_OVERHEAD } from '../protocol/records/layout.js';
import { scanErrorMessage } from './scan-errors.js';
import { createPackedBatchScan, FLAG, growScanState, IO, SCAN_LAYOUT, scanState } from './scan-state.js';

/** The addon's exports (native/src/napi/mod.rs). */
export interface NativeAddon {
  crc32c(buf: Uint8Array, start?: number, end?: number, init?: number): number;
  /** 0, a Kafka error code, or -1: the state buffer is full (grow it and call again). */
  scanBatches(buf: Uint8Array, state: ArrayBuffer): number;
  stampBatch(buf: Uint8Array, position: number, baseOffset: number, partitionLeaderEpoch: number): void;
  setLogAppendTime(buf: Uint8Array, position: number, timestamp: number): void;
  /** One pwritev(2) of all buffers at `position` (retrying short writes); bytes written. Not on Windows. */
  pwritev(fd: number, buffers: Uint8Array[], position: number): number;
  /** pread(2) into buf[offset, offset + length) until full or end of file; bytes read. Not on Windows. */
  pread(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  readonly crc32cImplementation: string;
  readonly version: string;
  readonly scanLayout: number;
}

const require = createRequire(import.meta.url);

function isMusl(): boolean {
  try {
    return readFileSync('/usr/bin/ldd', 'utf8').includes('musl');
  } catch {
    // No ldd: ask the runtime (glibcVersionRuntime is missing on musl).
  }
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

/** The napi-rs platform name of this process: linux-x64-gnu, darwin-arm64, win32-x64-msvc... */
export function nativePlatform(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/** native/ of this checkout, from src/accel/ (tsx), dist/accel/ (tsc) or dist/ (the CLI bundle). */
function localNativeDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, 'native');
    if (existsSync(join(candidate, 'Cargo.toml'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export interface LoadedAddon {
  addon: NativeAddon;
  /** Where it came from: a path or a package name. */
  from: string;
}

/** Loads the addon, or says why not. */
export function loadNativeAddon(): LoadedAddon | { error: string } {
  const platform = nativePlatform();
  const tried: string[] = [];
  const candidates: Array<{ c: string; isPath: boolean }> = [];
  const override = process.env.SAMSA_NATIVE_PATH;
  if (override) {
    candidates.push({ c: resolve(override), isPath: true });
  } else {
    candidates.push({ c: `@samsa/native-${platform}`, isPath: false });
    const local = localNativeDir();
    if (local) candidates.push({ c: join(local, `samsa-native.${platform}.node`), isPath: true });
  }
  for (const { c, isPath } of candidates) {
    if (isPath && !existsSync(c)) {
      tried.push(`${c} (${override ? 'no such file' : 'not built'})`);
      continue;
    }
    let addon: NativeAddon;
    try {
      addon = require(c) as NativeAddon;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      tried.push(err.code === 'MODULE_NOT_FOUND' && !isPath ? `${c} (not installed)` : `${c} (${err.message.split('\n')[0]})`);
      continue;
    }
    if (typeof addon.crc32c !== 'function' || typeof addon.scanBatches !== 'function') {
      tried.push(`${c} (loaded, but registered no functions: no Node-API in this process?)`);
      continue;
    }
    if (addon.scanLayout !== SCAN_LAYOUT) {
      tried.push(`${c} (scan layout ${addon.scanLayout}, expected ${SCAN_LAYOUT}: a stale build; run npm run build:native)`);
      continue;
    }
    return { addon, from: isPath ? c : `${c} package` };
  }
  return { error: `no native binary for ${platform}: tried ${tried.join('; ')}` };
}

/** scan.rs Detail::RecordTimestampRange: a record's timestamp is outside the window. */
const RECORD_TIMESTAMP_DETAIL = 32;
let scratch: BatchScan | undefined;

/**
 * The KIP-467 record errors (every record with an out-of-range timestamp) of the batch at
 * `position`, which the native scan rejected for one. A cold path (a producer with a wrong
 * clock), so the reference lists them, from that one batch: the same list by construction.
 */
function recordErrors(buf: Buffer, position: number, options: ScanOptions): RecordError[] {
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  scratch ??= createPlainBatchScan(1);
  const r = referenceScan(buf.subarray(position, position + size), scratch, { ...options, singleBatch: true });
  return r.ok ? [] : (r.recordErrors ?? []);
}

/** The native Accel over a loaded addon. */
export function nativeAccelFrom(addon: NativeAddon, from: string): Accel {
  const scanBatches = (buf: Buffer, out: BatchScan, options: ScanOptions): ScanResult => {
    let st = scanState(out);
    const io = st.io;
    io[IO.position] = 0;
    io[IO.count] = 0;
    io[IO.records] = 0;
    io[IO.maxMessageBytes] = options.maxMessageBytes;
    io[IO.flags] =
      (options.verifyCrc ? FLAG.verifyCrc : 0) |
      (options.timestampType === 'CreateTime' ? FLAG.createTime : 0) |
      (options.validateRecords ? FLAG.validateRecords : 0) |
      (options.singleBatch === true ? FLAG.singleBatch : 0) |
      (options.internal === true ? FLAG.internal : 0);
    io[IO.now] = options.now;
    io[IO.beforeMaxMs] = options.beforeMaxMs;
    io[IO.afterMaxMs] = options.afterMaxMs;
    let code = addon.scanBatches(buf, st.buffer);
    while (code === -1) {
      st = growScanState(out, st);
      code = addon.scanBatches(buf, st.buffer);
    }
    const r = st.io;
    const n = r[IO.count]!;
    out.count = n;
    if (code === 0) return { ok: true, batches: n, records: r[IO.records]!, bytes: buf.length };
    const position = r[IO.position]!;
    const detail = r[IO.detail]!;
    const result: ScanResult = {
      ok: false,
      errorCode: code,
      message: scanErrorMessage(n, position, detail, r.subarray(IO.args, IO.args + 4), options),
      batchIndex: n,
    };
    if (detail === RECORD_TIMESTAMP_DETAIL) result.recordErrors = recordErrors(buf, position, options);
    return result;
  };
  return Object.freeze({
    backend: 'native' as const,
    description: `native (crc32c: ${addon.crc32cImplementation}; ${basename(from)})`,
    // The addon applies the interface's argument rules itself.
    crc32c: addon.crc32c,
    scanBatches,
    createBatchScan: createPackedBatchScan,
    // Stamping is 12 byte writes: an addon call costs more than the writes. Measured here
    // (bench/accel/scan.bench.ts, 66 batches): 6.2 us through the addon, 1.7 us in JS with the
    // bounds check. So the native backend stamps in JS, like the reference (the addon's
    // stampBatch gives the same bytes: test/accel/native-addon.test.ts and parity).
    stampBatch(buf: Buffer, position: number, baseOffset: number, partitionLeaderEpoch: number): void {
      checkHeader(buf, position);
      referenceStamp(buf, position, baseOffset, partitionLeaderEpoch);
    },
    // The CRC recompute is the cost here: 59 us native against 1.8 ms in JS for 66 × 16 KiB.
    // Checked here so the RangeError text is the same for every backend; the addon checks again
    // (it must never write out of bounds, whoever calls it).
    setLogAppendTime(buf: Buffer, position: number, timestamp: number): void {
      checkWholeBatch(buf, position);
      addon.setLogAppendTime(buf, position, timestamp);
    },
  });
}

/** The native backend, or the reason there is none. */
export function loadNative(): { accel: Accel; addon: NativeAddon } | { error: string } {
  const r = loadNativeAddon();
  if ('error' in r) return r;
  return { accel: nativeAccelFrom(r.addon, r.from), addon: r.addon };
}
