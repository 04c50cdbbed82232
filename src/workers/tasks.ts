// The tasks piscina runs in its worker threads (see pool.ts). Each takes one record batch that
// the main thread copied into memory of its own and transferred here, at position 0, and returns
// the result batch moved (transferred, not copied) back. In a worker thread blocking is fine, so
// gzip, snappy and lz4 run synchronously; zstd has only an async codec.
import { move } from 'piscina';
import { hasSyncCodec } from '../compression/codecs.js';
import {
  compressBatch as compressAsync,
  compressBatchSync,
  decompressBatch as decompressAsync,
  decompressBatchSync,
  recompressBatch as recompressAsync,
  recompressBatchSync,
  type TargetCodec,
} from '../compression/batch-codec.js';
import { COMPRESSION_MASK, ATTRIBUTES_OFFSET } from '../protocol/records/layout.js';
import { validateCompressedBatch, validateCompressedBatchSync } from '../compression/batch-validate.js';
import type { RecordRules, RecordsVerdict } from '../protocol/records/validate.js';

export interface BatchTask {
  /** The batch, alone in its buffer (a structured clone arrives as a Uint8Array). */
  batch: Uint8Array;
  /** Target codec (compressBatch, recompressBatch). */
  codec?: TargetCodec;
  level?: number;
  /** validateBatch: the record rules to apply. */
  rules?: RecordRules;
}

type Moved = ReturnType<typeof move>;

/**
 * How a task reports a failure. A thrown error would cross the thread boundary as a plain Error
 * (structured clone drops the class and `code`), so tasks return this and the pool rethrows it
 * as the same class (pool.ts).
 */
export interface TaskFailure {
  failed: true;
  name: string;
  message: string;
  /** KafkaError code, when the error was one. */
  code?: number;
  /** CompressionError codec. */
  codec?: number;
}

async function guard(fn: () => Buffer | Promise<Buffer>): Promise<Moved | TaskFailure> {
  try {
    return move(await fn());
  } catch (err) {
    const e = err as Error & { code?: unknown; codec?: unknown };
    return {
      failed: true,
      name: e.name ?? 'Error',
      message: e.message ?? String(err),
      ...(typeof e.code === 'number' ? { code: e.code } : {}),
      ...(typeof e.codec === 'number' ? { codec: e.codec } : {}),
    };
  }
}

function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function sourceCodec(b: Buffer): number {
  return b.length > ATTRIBUTES_OFFSET + 1 ? b[ATTRIBUTES_OFFSET + 1]! & COMPRESSION_MASK : 0;
}

export function decompressBatch(task: BatchTask): Promise<Moved | TaskFailure> {
  return guard(() => {
    const b = asBuffer(task.batch);
    const c = sourceCodec(b);
    return c === 0 || hasSyncCodec(c) ? decompressBatchSync(b, 0) : decompressAsync(b, 0);
  });
}

export function compressBatch(task: BatchTask): Promise<Moved | TaskFailure> {
  return guard(() => {
    const b = asBuffer(task.batch);
    const codec = task.codec ?? 0;
    return codec === 0 || hasSyncCodec(codec) ? compressBatchSync(b, codec, task.level) : compressAsync(b, codec, task.level);
  });
}

export function recompressBatch(task: BatchTask): Promise<Moved | TaskFailure> {
  return guard(() => {
    const b = asBuffer(task.batch);
    const codec = task.codec ?? 0;
    const c = sourceCodec(b);
    const sync = (c === 0 || hasSyncCodec(c)) && (codec === 0 || hasSyncCodec(codec));
    return sync ? recompressBatchSync(b, 0, codec, task.level) : recompressAsync(b, 0, codec, task.level);
  });
}

/**
 * A produced batch's records, decompressed and validated (pool.ts runValidation). Returns the
 * verdict (a small plain object), not the decompressed bytes, which would only be copied back.
 */
export async function validateBatch(task: BatchTask): Promise<RecordsVerdict | TaskFailure> {
  try {
    const b = asBuffer(task.batch);
    const rules = task.rules!;
    const c = sourceCodec(b);
    return c === 0 || hasSyncCodec(c) ? validateCompressedBatchSync(b, 0, rules) : await validateCompressedBatch(b, 0, rules);
  } catch (err) {
    const e = err as Error;
    return { failed: true, name: e.name ?? 'Error', message: e.message ?? String(err) };
  }
}

/** A no-op round trip (bench/compression/pool-vs-inline.ts measures the pool's own cost). */
export function echo(task: BatchTask): Promise<Moved | TaskFailure> {
  return guard(() => {
    const b = asBuffer(task.batch);
    const out = Buffer.allocUnsafeSlow(b.length);
    b.copy(out);
    return out;
  });
}
