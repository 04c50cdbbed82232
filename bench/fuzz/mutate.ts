// Seeded mutation of real client request frames. Frame number i of a run depends only on (seed, i)
// and the corpus, never on what happened before, so `--seed S --only i` replays one frame alone.
import type { SeedFrame } from './corpus.js';
import { computeBatchCrc } from '../../src/protocol/records/stamp.js';
import {
  CRC_OFFSET,
  MAGIC_OFFSET,
  BATCH_LENGTH_OFFSET,
  ATTRIBUTES_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  RECORD_COUNT_OFFSET,
  PRODUCER_ID_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  BASE_SEQUENCE_OFFSET,
  RECORDS_OFFSET,
  LOG_OVERHEAD,
} from '../../src/protocol/records/layout.js';

/** mulberry32: small, fast, good enough to spread mutations; not for anything secret. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
}

/** The rng of frame `index` in a run seeded `seed` (a 32-bit mix of both). */
export function frameRng(seed: number, index: number): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index >>> 0), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ Math.floor(index / 0x100000000), 0x27d4eb2f) >>> 0;
  return new Rng((h ^ (h >>> 16)) >>> 0);
}

const INT8 = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x40];
const INT16 = [0, -1, 0x7fff, -0x8000, 1, 0x100, 0xfff];
const INT32 = [0, -1, 0x7fffffff, -0x80000000, 1, 0x10000, 0x800001, 0x0fffffff, 1000000];
const INT64 = [0n, -1n, 0x7fffffffffffffffn, -0x8000000000000000n, 1n, 0x7fffffffn, 253402300799999n];
// API keys a client can send (0..85 covers Kafka 4.x) and a few that no broker knows.
const API_KEYS = [...Array.from({ length: 86 }, (_, i) => i), -1, 0x7fff, 1000];

// Where the request header ends: apiKey, apiVersion, correlationId, clientId (int16 length) and,
// for header v2, a tagged-field section we do not try to find (the body mutators do not care).
function headerEnd(p: Buffer): number {
  if (p.length < 10) return p.length;
  const n = p.readInt16BE(8);
  return Math.min(p.length, 10 + Math.max(0, n));
}

interface Fields {
  i32: number[];
  i16: number[];
  u8: number[];
  batches: number[];
}

// Likely sizes, counts and varints of the body, found by their values: an int32 in 0..100000 is
// an array count, a bytes length, a partition count or a timeout; an int16 in 0..2000 a string
// length or an error code; a byte in 1..64 a compact length or a small varint. And record batches
// (magic 2 at +16 with a batchLength that fits), whose header fields get their own mutations.
const fieldCache = new WeakMap<Buffer, Fields>();
function fields(p: Buffer): Fields {
  let f = fieldCache.get(p);
  if (f) return f;
  f = { i32: [], i16: [], u8: [], batches: [] };
  const start = headerEnd(p);
  for (let i = start; i < p.length; i++) {
    if (i + 4 <= p.length) {
      const v = p.readInt32BE(i);
      if (v >= 0 && v <= 100000) f.i32.push(i);
    }
    if (i + 2 <= p.length) {
      const v = p.readInt16BE(i);
      if (v >= 0 && v <= 2000) f.i16.push(i);
    }
    if (p[i]! >= 1 && p[i]! <= 64) f.u8.push(i);
    if (i + RECORDS_OFFSET <= p.length && p[i + MAGIC_OFFSET] === 2) {
      const len = p.readInt32BE(i + BATCH_LENGTH_OFFSET);
      if (len >= RECORDS_OFFSET - LOG_OVERHEAD && i + LOG_OVERHEAD + len <= p.length) f.batches.push(i);
    }
  }
  fieldCache.set(p, f);
  return f;
}

function writeInt(b: Buffer, at: number, width: number, rng: Rng): void {
  if (at + width > b.length) return;
  if (width === 1) b[at] = rng.pick(INT8);
  else if (width === 2) b.writeInt16BE(rng.pick(INT16), at);
  else if (width === 4) b.writeInt32BE(rng.pick(INT32), at);
  else b.writeBigInt64BE(rng.pick(INT64), at);
}

export interface Mutant {
  /** The whole frame as written to the socket, size prefix included. */
  bytes: Buffer;
  source: number;
  apiKey: number;
  /** What was done, e.g. "field-i32@37=-1,trunc@80"; enough to understand a finding. */
  desc: string;
  /** The correlation id in the frame as sent (-1 when the frame is shorter than a header). */
  correlationId: number;
  /** The size prefix matches the bytes that follow, so the broker sees exactly one request. */
  consistent: boolean;
}

type Op = (p: Buffer, rng: Rng, corpus: readonly SeedFrame[]) => { p: Buffer; d: string; prefix?: number };

const OPS: Array<[string, number, Op]> = [
  [
    'bitflip',
    10,
    (p, rng) => {
      const q = Buffer.from(p);
      const n = 1 + rng.int(8);
      for (let k = 0; k < n && q.length > 0; k++) q[rng.int(q.length)]! ^= 1 << rng.int(8);
      return { p: q, d: `bitflip x${n}` };
    },
  ],
  [
    'overwrite',
    10,
    (p, rng) => {
      const q = Buffer.from(p);
      const w = rng.pick([1, 2, 4, 8]);
      const at = rng.int(Math.max(1, q.length - w + 1));
      writeInt(q, at, w, rng);
      return { p: q, d: `overwrite${w * 8}@${at}` };
    },
  ],
  [
    'truncate',
    8,
    (p, rng) => {
      const at = rng.int(p.length);
      return { p: p.subarray(0, at), d: `trunc@${at}` };
    },
  ],
  [
    'extend',
    6,
    (p, rng) => {
      const n = 1 + rng.int(64);
      const tail = Buffer.alloc(n);
      for (let i = 0; i < n; i++) tail[i] = rng.chance(0.5) ? 0 : rng.u32() & 0xff;
      return { p: Buffer.concat([p, tail]), d: `extend+${n}` };
    },
  ],
  [
    'prefix',
    6,
    (p, rng) => {
      const choices = [0, -1, 1, 3, 0x7fffffff, -0x80000000, p.length - 1, p.length + 1, p.length + 1 + rng.int(1000), Math.max(0, p.length - 1 - rng.int(20))];
      const v = rng.pick(choices);
      return { p, d: `prefix=${v}`, prefix: v };
    },
  ],
  [
    'splice',
    6,
    (p, rng, corpus) => {
      const src = rng.int(corpus.length);
      const o = corpus[src]!.payload;
      const a = rng.int(p.length + 1);
      const b = rng.int(o.length + 1);
      return { p: Buffer.concat([p.subarray(0, a), o.subarray(b)]), d: `splice@${a}+#${src}@${b}` };
    },
  ],
  [
    'field',
    20,
    (p, rng) => {
      const f = fields(p);
      const q = Buffer.from(p);
      const kind = rng.int(3);
      if (kind === 0 && f.i32.length) {
        const at = rng.pick(f.i32);
        const v = rng.chance(0.3) ? q.readInt32BE(at) + rng.pick([1, -1, 2, 100]) : rng.pick(INT32);
        q.writeInt32BE(v | 0, at);
        return { p: q, d: `field-i32@${at}=${v | 0}` };
      }
      if (kind === 1 && f.i16.length) {
        const at = rng.pick(f.i16);
        const v = rng.chance(0.3) ? ((q.readInt16BE(at) + rng.pick([1, -1, 2])) << 16) >> 16 : rng.pick(INT16);
        q.writeInt16BE(v, at);
        return { p: q, d: `field-i16@${at}=${v}` };
      }
      if (f.u8.length) {
        const at = rng.pick(f.u8);
        if (rng.chance(0.3)) {
          // An over-long varint (five continuation bytes) or one that never ends inside the frame.
          const ins = rng.chance(0.5) ? Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]) : Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80]);
          return { p: Buffer.concat([q.subarray(0, at), ins, q.subarray(at + 1)]), d: `field-varint@${at}=${ins.toString('hex')}` };
        }
        const v = rng.pick([0, 0x7f, 0x80, 0xff, q[at]! + 1, q[at]! - 1]) & 0xff;
        q[at] = v;
        return { p: q, d: `field-u8@${at}=${v}` };
      }
      return { p: q, d: 'field-none' };
    },
  ],
  [
    'batch',
    14,
    (p, rng) => {
      const f = fields(p);
      if (f.batches.length === 0) return { p: Buffer.from(p), d: 'batch-none' };
      const q = Buffer.from(p);
      const at = rng.pick(f.batches);
      const which = rng.int(10);
      let d: string;
      switch (which) {
        case 0: {
          const v = rng.pick(INT64);
          q.writeBigInt64BE(v, at + MAX_TIMESTAMP_OFFSET);
          d = `maxTimestamp=${v}`;
          break;
        }
        case 1: {
          const v = rng.pick(INT64);
          q.writeBigInt64BE(v, at + BASE_TIMESTAMP_OFFSET);
          d = `baseTimestamp=${v}`;
          break;
        }
        case 2: {
          const v = rng.int(8);
          q.writeInt16BE((q.readInt16BE(at + ATTRIBUTES_OFFSET) & ~7) | v, at + ATTRIBUTES_OFFSET);
          d = `compression=${v}`;
          break;
        }
        case 3: {
          const v = rng.pick(INT16);
          q.writeInt16BE(v, at + ATTRIBUTES_OFFSET);
          d = `attributes=${v}`;
          break;
        }
        case 4: {
          const v = rng.pick(INT32);
          q.writeInt32BE(v, at + LAST_OFFSET_DELTA_OFFSET);
          d = `lastOffsetDelta=${v}`;
          break;
        }
        case 5: {
          const v = rng.pick(INT32);
          q.writeInt32BE(v, at + RECORD_COUNT_OFFSET);
          d = `recordCount=${v}`;
          break;
        }
        case 6: {
          const v = rng.pick(INT64);
          q.writeBigInt64BE(v, at + PRODUCER_ID_OFFSET);
          d = `producerId=${v}`;
          break;
        }
        case 7: {
          const v = rng.pick(INT16);
          q.writeInt16BE(v, at + PRODUCER_EPOCH_OFFSET);
          d = `producerEpoch=${v}`;
          break;
        }
        case 8: {
          const v = rng.pick(INT32);
          q.writeInt32BE(v, at + BASE_SEQUENCE_OFFSET);
          d = `baseSequence=${v}`;
          break;
        }
        default: {
          const end = at + LOG_OVERHEAD + q.readInt32BE(at + BATCH_LENGTH_OFFSET);
          const pos = at + RECORDS_OFFSET + rng.int(Math.max(1, end - at - RECORDS_OFFSET));
          if (pos < q.length) q[pos] = rng.pick(INT8);
          d = `recordByte@${pos - at}`;
        }
      }
      // Mostly keep the CRC valid, so the mutation reaches the checks behind it.
      if (rng.chance(0.85)) q.writeUInt32BE(computeBatchCrc(q, at), at + CRC_OFFSET);
      return { p: q, d: `batch@${at}:${d}` };
    },
  ],
  [
    'apiswap',
    6,
    (p, rng) => {
      const q = Buffer.from(p);
      if (q.length < 4) return { p: q, d: 'apiswap-short' };
      const parts: string[] = [];
      if (rng.chance(0.6)) {
        const k = rng.pick(API_KEYS);
        q.writeInt16BE(k, 0);
        parts.push(`key=${k}`);
      }
      if (parts.length === 0 || rng.chance(0.5)) {
        const v = rng.chance(0.8) ? rng.int(20) : rng.pick([-1, 0x7fff, -0x8000]);
        q.writeInt16BE(v, 2);
        parts.push(`version=${v}`);
      }
      return { p: q, d: `apiswap ${parts.join(' ')}` };
    },
  ],
];
const TOTAL_WEIGHT = OPS.reduce((a, [, w]) => a + w, 0);

function pickOp(rng: Rng): [string, Op] {
  let x = rng.int(TOTAL_WEIGHT);
  for (const [name, w, op] of OPS) {
    if (x < w) return [name, op];
    x -= w;
  }
  return [OPS[0]![0], OPS[0]![2]];
}

/** Frame `index` of the run seeded `seed`: one to three stacked mutations of one corpus frame. */
export function mutant(corpus: readonly SeedFrame[], seed: number, index: number): Mutant {
  const rng = frameRng(seed, index);
  const source = rng.int(corpus.length);
  let p = corpus[source]!.payload;
  let prefix: number | undefined;
  const descs: string[] = [];
  const n = rng.chance(0.7) ? 1 : 2 + rng.int(2);
  for (let k = 0; k < n; k++) {
    const [, op] = pickOp(rng);
    const r = op(p, rng, corpus);
    p = r.p;
    if (r.prefix !== undefined) prefix = r.prefix;
    descs.push(r.d);
  }
  const bytes = Buffer.alloc(4 + p.length);
  bytes.writeInt32BE(prefix ?? p.length, 0);
  p.copy(bytes, 4);
  return {
    bytes,
    source,
    apiKey: p.length >= 2 ? p.readInt16BE(0) : -1,
    desc: `#${source} ${corpus[source]!.apiName} v${corpus[source]!.apiVersion}: ${descs.join(', ')}`,
    correlationId: p.length >= 8 ? p.readInt32BE(4) : -1,
    consistent: prefix === undefined || prefix === p.length,
  };
}
