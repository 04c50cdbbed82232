// A BatchScan whose ten arrays are views into one ArrayBuffer, behind a 128-byte header of call
// parameters: the native addon fills it in one call, given that one buffer (no per-array
// lookups, no per-batch JS objects). The layout is native/src/napi/mod.rs's (SCAN_LAYOUT 1):
//
//   [0, 128)        16 f64: 0 position, 1 count, 2 records (in/out), 3 maxMessageBytes, 4 flags,
//                   5 now, 6 beforeMaxMs, 7 afterMaxMs (in), 8 detail, 9-12 numbers (out)
//   then, for capacity C: baseTimestamp, maxTimestamp, producerId (f64 × C each),
//   position, size, lastOffsetDelta, recordCount, baseSequence (i32 × C each),
//   attributes, producerEpoch (i16 × C each)
//
// Any BatchScan can be handed to the native scan: one that is not laid out like this (from
// batch-scan.ts's createBatchScan, or grown by another backend) gets its arrays replaced by
// views of a new state buffer, exactly as the reference replaces them when it grows.
import type { BatchScan } from './types.js';

export const SCAN_LAYOUT = 1;
export const HEADER_BYTES = 128;
export const ENTRY_BYTES = 48;
export const IO = { position: 0, count: 1, records: 2, maxMessageBytes: 3, flags: 4, now: 5, beforeMaxMs: 6, afterMaxMs: 7, detail: 8, args: 9 } as const;
export const FLAG = { verifyCrc: 1, createTime: 2, validateRecords: 4, singleBatch: 8, internal: 16 } as const;

const STATE = Symbol('samsa.accel.scanState');

export interface ScanState {
  readonly buffer: ArrayBuffer;
  readonly io: Float64Array;
  readonly capacity: number;
  /** The views installed in `out`, to tell whether it still holds them. */
  readonly views: Omit<BatchScan, 'count'>;
}

type Packed = BatchScan & { [STATE]?: ScanState };

/** Points the arrays of `out` at a new state buffer of `capacity` entries. */
function install(out: Packed, capacity: number): ScanState {
  const c = capacity;
  const buffer = new ArrayBuffer(HEADER_BYTES + ENTRY_BYTES * c);
  const f64 = (i: number) => new Float64Array(buffer, HEADER_BYTES + 8 * i * c, c);
  const i32 = (i: number) => new Int32Array(buffer, HEADER_BYTES + 24 * c + 4 * i * c, c);
  const i16 = (i: number) => new Int16Array(buffer, HEADER_BYTES + 44 * c + 2 * i * c, c);
  out.baseTimestamp = f64(0);
  out.maxTimestamp = f64(1);
  out.producerId = f64(2);
  out.position = i32(0);
  out.size = i32(1);
  out.lastOffsetDelta = i32(2);
  out.recordCount = i32(3);
  out.baseSequence = i32(4);
  out.attributes = i16(0);
  out.producerEpoch = i16(1);
  const state: ScanState = {
    buffer,
    io: new Float64Array(buffer, 0, HEADER_BYTES / 8),
    capacity: c,
    views: {
      baseTimestamp: out.baseTimestamp,
      maxTimestamp: out.maxTimestamp,
      producerId: out.producerId,
      position: out.position,
      size: out.size,
      lastOffsetDelta: out.lastOffsetDelta,
      recordCount: out.recordCount,
      baseSequence: out.baseSequence,
      attributes: out.attributes,
      producerEpoch: out.producerEpoch,
    },
  };
  Object.defineProperty(out, STATE, { value: state, writable: true, configurable: true, enumerable: false });
  return state;
}

export function createPackedBatchScan(initialCapacity = 16): BatchScan {
  const out = { count: 0 } as Packed;
  install(out, Math.max(1, initialCapacity | 0));
  return out;
}

/** The state behind `out`, laying it out first if it is not (or no longer) packed. */
export function scanState(out: BatchScan): ScanState {
  const p = out as Packed;
  const s = p[STATE];
  if (s !== undefined) {
    const v = s.views;
    if (
      p.position === v.position &&
      p.size === v.size &&
      p.lastOffsetDelta === v.lastOffsetDelta &&
      p.recordCount === v.recordCount &&
      p.baseSequence === v.baseSequence &&
      p.attributes === v.attributes &&
      p.producerEpoch === v.producerEpoch &&
      p.baseTimestamp === v.baseTimestamp &&
      p.maxTimestamp === v.maxTimestamp &&
      p.producerId === v.producerId
    ) {
      return s;
    }
  }
  return install(p, Math.max(16, out.position.length | 0));
}

/** Doubles the capacity of `out`, keeping the header and the first `count` entries. */
export function growScanState(out: BatchScan, old: ScanState): ScanState {
  const n = old.io[IO.count]!;
  const prev = old.views;
  const s = install(out as Packed, old.capacity * 2);
  s.io.set(old.io);
  out.baseTimestamp.set(prev.baseTimestamp.subarray(0, n));
  out.maxTimestamp.set(prev.maxTimestamp.subarray(0, n));
  out.producerId.set(prev.producerId.subarray(0, n));
  out.position.set(prev.position.subarray(0, n));
  out.size.set(prev.size.subarray(0, n));
  out.lastOffsetDelta.set(prev.lastOffsetDelta.subarray(0, n));
  out.recordCount.set(prev.recordCount.subarray(0, n));
  out.baseSequence.set(prev.baseSequence.subarray(0, n));
  out.attributes.set(prev.attributes.subarray(0, n));
  out.producerEpoch.set(prev.producerEpoch.subarray(0, n));
  return s;
}
