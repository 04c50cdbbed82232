// The per-batch results of a scan (struct-of-arrays, reused across calls) and its options: the
// shape every accel backend fills. int64 fields become JS numbers: exact below 2^53, and -1
// stays -1.
import type { RecordError } from '../protocol/records/validate.js';

export type { RecordError };

/** Per-batch results of a scan, struct-of-arrays, reused across calls; `count` entries are valid. */
export interface BatchScan {
  count: number;
  position: Int32Array;
  size: Int32Array; // whole batch, LOG_OVERHEAD included
  lastOffsetDelta: Int32Array;
  recordCount: Int32Array;
  attributes: Int16Array;
  producerEpoch: Int16Array;
  baseSequence: Int32Array;
  baseTimestamp: Float64Array;
  maxTimestamp: Float64Array;
  producerId: Float64Array;
}

export function createBatchScan(initialCapacity = 16): BatchScan {
  const n = Math.max(1, initialCapacity | 0);
  const [i32a, i16a, f64a] = [() => new Int32Array(n), () => new Int16Array(n), () => new Float64Array(n)];
  return {
    count: 0,
    position: i32a(),
    size: i32a(),
    lastOffsetDelta: i32a(),
    recordCount: i32a(),
    attributes: i16a(),
    producerEpoch: i16a(),
    baseSequence: i32a(),
    baseTimestamp: f64a(),
    maxTimestamp: f64a(),
    producerId: f64a(),
  };
}

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

/** Doubles every array of `s`, keeping its entries (a backend that runs out of room). */
export function growBatchScan(s: BatchScan): void {
  for (const k of ARRAYS) {
    const a = s[k];
    const b = new (a.constructor as new (n: number) => typeof a)(a.length * 2);
    b.set(a);
    (s as unknown as Record<string, typeof a>)[k] = b;
  }
}

export interface ScanOptions {
  /** The topic's max.message.bytes: the largest batch, LOG_OVERHEAD included. */
  maxMessageBytes: number;
  verifyCrc: boolean;
  /** The topic's message.timestamp.type. */
  timestampType: 'CreateTime' | 'LogAppendTime';
  /** message.timestamp.before.max.ms / after.max.ms (KIP-937); only with CreateTime. */
  beforeMaxMs: number;
  afterMaxMs: number;
  now: number;
  /**
   * Parse every record of uncompressed batches; their `maxTimestamp` entry is then the largest
   * record timestamp (-1 if none is larger), not the header's. Compressed batches get no
   * timestamp check here: the caller validates their records once decompressed. Without this
   * flag, batches are checked at header level (base and max timestamp).
   */
  validateRecords: boolean;
  /**
   * Kafka accepts exactly one batch per partition in Produce v3+ (INVALID_RECORD otherwise).
   * The produce path sets this; other callers may scan any number of concatenated batches.
   */
  singleBatch?: boolean;
  /**
   * Batches samsa wrote itself (transaction markers, coordinator records): skip the rules Kafka
   * applies only to client appends (baseOffset 0, no control batches, count > 0 and matching
   * lastOffsetDelta, a producer id needs a sequence, no LogAppendTime from the producer).
   */
  internal?: boolean;
}

export type ScanResult =
  | { ok: true; batches: number; records: number; bytes: number }
  | { ok: false; errorCode: number; message: string; batchIndex: number; recordErrors?: RecordError[] };
