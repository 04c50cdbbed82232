// The piscina pool for heavy CPU jobs (docs/ARCHITECTURE.md): batch (de/re)compression for the log
// cleaner and for topic compression.type conversion, and the leader's validation of produced
// compressed batches (runValidation: decompress and check the records, as Kafka's LogValidator).
// Small jobs run inline, because a thread hop costs more than the job; each threshold below comes
// from bench/compression/pool-vs-inline.ts.
//
// - The pool is created on first use (start-up does not pay for it), with cores - 1 threads (at
//   least 1) and none kept: an idle thread exits after IDLE_TIMEOUT_MS, and idle threads never
//   keep the process alive.
// - A job's batch is copied into memory of its own and transferred, never posted as a view: a
//   posted subarray would clone its whole backing ArrayBuffer (a fetch frame, a segment read).
//   The result comes back transferred too (tasks.ts moves it).
// - The worker file is tasks.js next to this file in tsc's output (dist/workers/); a bundle one
//   level up (the CLI's dist/bundle/*.mjs, via ../workers/) finds dist/workers/tasks.js. Under tsx (tests) it is
//   tsx-worker.mjs, which registers tsx in the worker and loads tasks.ts: Node 20 ignores
//   `--import tsx` in a worker's execArgv (checked), so passing it is not enough.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Piscina } from 'piscina';
import { hasSyncCodec, CompressionError } from '../compression/codecs.js';
import {
  compressBatch,
  compressBatchSync,
  decompressBatch,
  decompressBatchSync,
  recompressBatch,
  recompressBatchSync,
  type TargetCodec,
} from '../compression/batch-codec.js';
import { validateCompressedBatch, validateCompressedBatchSync } from '../compression/batch-validate.js';
import type { RecordRules, RecordsVerdict } from '../protocol/records/validate.js';
import { ATTRIBUTES_OFFSET, BATCH_HEADER_SIZE, BATCH_LENGTH_OFFSET, COMPRESSION_MASK, LOG_OVERHEAD } from '../protocol/records/layout.js';
import { ErrorCode, KafkaError } from '../errors.js';
import type { BatchTask, TaskFailure } from './tasks.js';

export type JobKind = 'decompressBatch' | 'compressBatch' | 'recompressBatch';

export interface JobInput {
  /** A buffer holding the batch (a segment read, a produce frame...): it is not modified. */
  buf: Buffer;
  /** Where the batch starts in `buf` (default 0). */
  position?: number;
  /** Target codec: compressBatch, recompressBatch (0 = uncompressed). */
  codec?: TargetCodec;
  /** gzip / zstd level (compression.gzip.level, compression.zstd.level). */
  level?: number;
}

export interface JobOptions {
  /** 'auto' (default): inline below the kind's threshold, else the pool. */
  where?: 'auto' | 'inline' | 'pool';
}

/** An idle worker thread exits after this long, so an idle broker has no threads. */
export const IDLE_TIMEOUT_MS = 10_000;

/**
 * Batch sizes (bytes of the input batch, LOG_OVERHEAD included) from which a job goes to the
 * pool, by the codec doing the work: the source codec when decompressing, the target codec when
 * compressing; a recompression takes the smallest of its source's, its target's and `walk` (the
 * record walk and copies every recompression does). 0 = none: a copy, never worth a thread.
 *
 * One job at a time the pool never beats inline on latency (the worker does the same work plus
 * the hop and two copies); what it buys is event-loop time. A job goes to the pool from the size
 * at which running it inline blocks the event loop at least twice as long as the hop costs the
 * main thread. Measured by bench/compression/pool-vs-inline.ts (`npm run bench:pool`): 2-core
 * Xeon, Node 20, a 1-thread pool, JSON-event records, warm. Six runs on a shared machine; these
 * numbers are from the calmest (load 5), and the noisier runs moved no threshold by more than 2x.
 *   pool hop (no-op echo job), main-thread time per job: 25 us at 1 KiB, 47 us at 16 KiB,
 *     71 us at 64 KiB, 113 us at 256 KiB, 429 us at 1 MiB, 1.5 ms at 4 MiB (latency 20-52 us
 *     up to 64 KiB)
 *   inline blocking time (sync codecs: p50 latency; zstd: event-loop busy time, as its codec runs
 *   on libuv's threads) at the measured input sizes either side of each threshold:
 *   compress   gzip     4.3 KB    34 us | 17 KB   249 us  -> 16 KiB
 *   compress   snappy    67 KB   135 us | 268 KB  520 us  -> 128 KiB
 *   compress   lz4       67 KB   132 us | 268 KB  707 us  -> 128 KiB
 *   compress   zstd     1.07 MB  1.0 ms | 4.3 MB  3.6 ms  -> 1 MiB: the pool never saves 2x of
 *                      loop time for zstd (1.4-1.7x), but from 1 MiB a job holds one of libuv's 4
 *                      threads, which fs shares, for 4 ms and more
 *   decompress gzip     3.8 KB    68 us | 13 KB   253 us  -> 8 KiB
 *   decompress snappy   5.8 KB    42 us | 22 KB   172 us  -> 16 KiB
 *   decompress lz4      5.8 KB    47 us | 21 KB   190 us  -> 16 KiB
 *   decompress zstd     3.9 KB    60 us | 14 KB   186 us  -> 8 KiB
 *   walk (none -> none)  17 KB    40 us | 67 KB   157 us  -> 64 KiB
 * A decompression's inline time is partly the JS CRC-32C of the uncompressed copy (0.7-1.6 GB/s
 * here); with the native CRC from accel/ these thresholds should be measured again.
 */
export const INLINE_MAX_BYTES = {
  decompress: { 0: Infinity, 1: 8 << 10, 2: 16 << 10, 3: 16 << 10, 4: 8 << 10 } as Readonly<Record<number, number>>,
  compress: { 0: Infinity, 1: 16 << 10, 2: 128 << 10, 3: 128 << 10, 4: 1 << 20 } as Readonly<Record<number, number>>,
  walk: 64 << 10,
} as const;

let pool: Piscina | null = null;
let onPoolError: (err: Error) => void = () => {};

/**
 * Where the pool reports a worker that failed outside any task (e.g. its file did not load); the
 * jobs it had reject on their own. Without a listener piscina's 'error' event would crash the
 * process. The broker passes its logger's error function.
 */
export function setPoolErrorHandler(handler: (err: Error) => void): void {
  onPoolError = handler;
}

function workerFile(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { filename: fileURLToPath(new URL('./tsx-worker.mjs', here)), execArgv: [...process.execArgv] };
  const candidates = [new URL('./tasks.js', here), new URL('./workers/tasks.js', here), new URL('../workers/tasks.js', here)].map((u) => fileURLToPath(u));
  const filename = candidates.find((f) => existsSync(f));
  if (filename === undefined) throw new Error(`the worker pool's task file is missing (looked for ${candidates.join(', ')}); rebuild with npm run build`);
  return { filename, execArgv: [...process.execArgv] };
}

/** The pool, created on first call. */
export function getPool(): Piscina {
  if (pool !== null) return pool;
  const { filename, execArgv } = workerFile();
  // Loaded on first use: a broker that never needs the pool does not pay for it at start-up.
  const { Piscina: PiscinaClass } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
  pool = new PiscinaClass({
    filename,
    execArgv,
    minThreads: 0,
    maxThreads: Math.max(1, availableParallelism() - 1),
    idleTimeout: IDLE_TIMEOUT_MS,
  });
  pool.on('error', (err: Error) => onPoolError(err));
  return pool;
}

/** Whether the pool has been created (and not destroyed since). */
export function poolStarted(): boolean {
  return pool !== null;
}

/** Stops the pool's threads; the next job creates a new pool. */
export async function destroyPool(): Promise<void> {
  const p = pool;
  pool = null;
  if (p !== null) await p.destroy();
}

/** The whole batch's size, or -1 when no whole v2 batch header fits there (the inline call then throws the right error). */
function batchSize(buf: Buffer, position: number): number {
  if (!Number.isInteger(position) || position < 0 || position + BATCH_HEADER_SIZE > buf.length) return -1;
  const size = buf.readInt32BE(position + BATCH_LENGTH_OFFSET) + LOG_OVERHEAD;
  return size >= BATCH_HEADER_SIZE && position + size <= buf.length ? size : -1;
}

function sourceCodec(buf: Buffer, position: number): number {
  return buf[position + ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK;
}

/** Whether `runJob` would run this job inline. */
export function runsInline(kind: JobKind, input: JobInput): boolean {
  const position = input.position ?? 0;
  const size = batchSize(input.buf, position);
  if (size < 0) return true; // malformed: the inline call throws the right error
  const src = sourceCodec(input.buf, position);
  const dst = input.codec ?? 0;
  const d = INLINE_MAX_BYTES.decompress[src] ?? 0;
  const c = INLINE_MAX_BYTES.compress[dst] ?? 0;
  const max = kind === 'decompressBatch' ? d : kind === 'compressBatch' ? c : Math.min(d, c, INLINE_MAX_BYTES.walk);
  return size < max;
}

/** Runs the job on the calling thread: sync codecs where they exist, else libuv's threads. */
export function runInline(kind: JobKind, input: JobInput): Promise<Buffer> {
  const { buf, codec = 0, level } = input;
  const position = input.position ?? 0;
  try {
    const src = batchSize(buf, position) < 0 ? 0 : sourceCodec(buf, position);
    const srcSync = src === 0 || hasSyncCodec(src);
    const dstSync = codec === 0 || hasSyncCodec(codec);
    switch (kind) {
      case 'decompressBatch':
        return srcSync ? Promise.resolve(decompressBatchSync(buf, position)) : decompressBatch(buf, position);
      case 'compressBatch':
        return dstSync ? Promise.resolve(compressBatchSync(buf, codec, level, position)) : compressBatch(buf, codec, level, position);
      case 'recompressBatch':
        return srcSync && dstSync ? Promise.resolve(recompressBatchSync(buf, position, codec, level)) : recompressBatch(buf, position, codec, level);
    }
  } catch (err) {
    return Promise.reject(err);
  }
  return Promise.reject(new TypeError(`unknown job kind ${String(kind)}`));
}

function rebuildError(f: TaskFailure): Error {
  let e: Error;
  if (f.name === 'CompressionError') e = new CompressionError(f.codec ?? 0, '');
  else if (typeof f.code === 'number') e = new KafkaError(f.code);
  else if (f.name === 'TypeError') e = new TypeError();
  else if (f.name === 'RangeError') e = new RangeError();
  else e = new Error();
  e.message = f.message;
  return e;
}

/** Runs the job on a pool thread, whatever its size. */
export async function runOnPool(kind: JobKind, input: JobInput): Promise<Buffer> {
  const position = input.position ?? 0;
  const size = batchSize(input.buf, position);
  if (size < 0) return runInline(kind, input); // nothing worth a thread: the error is inline
  const batch = new Uint8Array(size);
  batch.set(input.buf.subarray(position, position + size));
  const task: BatchTask = { batch, codec: input.codec, level: input.level };
  const r = (await getPool().run(task, { name: kind, transferList: [batch.buffer] })) as Uint8Array | TaskFailure;
  if (r instanceof Uint8Array) return Buffer.from(r.buffer, r.byteOffset, r.byteLength);
  throw rebuildError(r);
}

/**
 * Runs a batch job inline when it is small (INLINE_MAX_BYTES), else on the pool. Resolves to a
 * new batch in memory of its own; rejects with CompressionError (CORRUPT_MESSAGE), KafkaError
 * (INVALID_RECORD, UNSUPPORTED_COMPRESSION_TYPE, CORRUPT_MESSAGE for a malformed header) or
 * TypeError (compressing a compressed batch).
 */
export function runJob(kind: JobKind, input: JobInput, options: JobOptions = {}): Promise<Buffer> {
  const where = options.where ?? 'auto';
  if (where === 'inline' || (where === 'auto' && runsInline(kind, input))) return runInline(kind, input);
  return runOnPool(kind, input);
}

/**
 * Kafka's leader-side validation of a produced compressed batch (LogValidator): its records
 * decompressed and checked against `rules` (src/protocol/records/validate.ts). Inline below the
 * decompression threshold of the batch's codec (INLINE_MAX_BYTES.decompress), else on the pool.
 * The caller scanned the batch first (a whole v2 batch at `position`).
 */
export async function runValidation(input: { buf: Buffer; position?: number }, rules: RecordRules, options: JobOptions = {}): Promise<RecordsVerdict> {
  const position = input.position ?? 0;
  const where = options.where ?? 'auto';
  const size = batchSize(input.buf, position);
  if (size < 0) throw new KafkaError(ErrorCode.CORRUPT_MESSAGE, `runValidation: no whole batch at byte ${position}`);
  if (where === 'inline' || (where === 'auto' && runsInline('decompressBatch', input))) {
    const c = sourceCodec(input.buf, position);
    return c === 0 || hasSyncCodec(c) ? validateCompressedBatchSync(input.buf, position, rules) : validateCompressedBatch(input.buf, position, rules);
  }
  const batch = new Uint8Array(size);
  batch.set(input.buf.subarray(position, position + size));
  const task: BatchTask = { batch, rules };
  const r = (await getPool().run(task, { name: 'validateBatch', transferList: [batch.buffer] })) as RecordsVerdict | TaskFailure;
  if ('failed' in r) throw rebuildError(r);
  return r;
}
