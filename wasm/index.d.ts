// Types of wasm/index.mjs (TypeScript finds them through index.d.mts, which re-exports this file).
// The shapes are those of src/accel/js-scan.ts, declared here structurally so this file
// stands alone in the published package.

/** Per-batch results of a scan, struct-of-arrays (the reference's BatchScan). */
export interface WasmBatchScan {
  count: number;
  position: Int32Array;
  size: Int32Array;
  lastOffsetDelta: Int32Array;
  recordCount: Int32Array;
  attributes: Int16Array;
  producerEpoch: Int16Array;
  baseSequence: Int32Array;
  baseTimestamp: Float64Array;
  maxTimestamp: Float64Array;
  producerId: Float64Array;
}

/** The reference's ScanOptions. */
export interface WasmScanOptions {
  maxMessageBytes: number;
  verifyCrc: boolean;
  timestampType: 'CreateTime' | 'LogAppendTime';
  beforeMaxMs: number;
  afterMaxMs: number;
  now: number;
  validateRecords: boolean;
  singleBatch?: boolean;
  internal?: boolean;
}

/** A rejected record (KIP-467), as the reference's RecordError. */
export interface WasmRecordError {
  index: number;
  message: string;
}

/**
 * The reference's ScanResult: Kafka error code and the same message text; a record-level
 * INVALID_TIMESTAMP also lists the records at fault (up to 1000), as the reference does.
 */
export type WasmScanResult =
  | { ok: true; batches: number; records: number; bytes: number }
  | { ok: false; errorCode: number; message: string; batchIndex: number; recordErrors?: WasmRecordError[] };

export interface WasmAccel {
  readonly backend: 'wasm';
  /** CRC-32C of buf[start, end) continuing `init`, unsigned; out-of-range bounds are clamped. */
  crc32c(buf: Uint8Array, start?: number, end?: number, init?: number): number;
  /**
   * Validates whole v2 batches and fills `out` (growing its arrays as createBatchScan's do).
   * Never throws, except a RangeError for a buffer over 1 GiB (the wasm32 input limit).
   */
  scanBatches(buf: Uint8Array, out: WasmBatchScan, options: WasmScanOptions): WasmScanResult;
  /** Writes baseOffset and partitionLeaderEpoch of the batch at `position`, in place. */
  stampBatch(buf: Uint8Array, position: number, baseOffset: number, partitionLeaderEpoch: number): void;
  /** Sets LogAppendTime and maxTimestamp of the batch at `position` and recomputes its CRC, in place. */
  setLogAppendTime(buf: Uint8Array, position: number, timestamp: number): void;
}

export declare const wasmAccel: WasmAccel;

/** Raw module access for tests and benchmarks; not part of the accel interface. */
export declare const wasmInternals: {
  readonly exports: Record<string, unknown>;
  readonly memory: WebAssembly.Memory;
  stampBatchInWasm(buf: Uint8Array, position: number, baseOffset: number, partitionLeaderEpoch: number): void;
  setLogAppendTimeInWasm(buf: Uint8Array, position: number, timestamp: number): void;
};
