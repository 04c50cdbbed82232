// The suite's knobs (BENCH_* environment variables) and its fixed matrix of cells.
// Produce: record sizes x acks at 1 partition, and record sizes x partitions at acks=1, for each
// storage mode (15 cells a mode; BENCH_FULL_MATRIX=1 runs the whole 3 x 3 x 3 cross product).
// BENCH_QUICK=1: a few tiny cells of each part, for the suite's own test.
import { env, envList } from '../lib/report.js';

export type Mode = 'disk' | 'memory';
export type Acks = 0 | 1 | -1;
export type Part = 'produce' | 'consume' | 'e2e';
export const PARTS: Part[] = ['produce', 'consume', 'e2e'];

export interface ProduceCell {
  mode: Mode;
  recordSize: number;
  acks: Acks;
  partitions: number;
}

export interface ConsumeCell {
  recordSize: number;
  /** Samsa rows: disk tail + cold always (the ceiling reads the disk segments), memory tail if asked. */
  memory: boolean;
}

export interface E2eCell {
  mode: Mode;
  /** Records/s on a fixed schedule; null = saturation (closed loop). */
  rate: number | null;
}

export interface Settings {
  quick: boolean;
  /** Measured seconds of each produce cell (samsa and its ceiling each). */
  seconds: number;
  /** Producer requests in flight on the one connection (samsa bench --max-in-flight). */
  inflight: number;
  /** Record-batch bytes per request (samsa bench --batch-size). */
  batchSize: number;
  /** MB written before each consume cell. */
  consumeMB: number;
  e2eSeconds: number;
  e2eRate: number;
  e2eRecordSize: number;
  /** samsa bench --linger-ms with --rate: records due within this many ms go in one request. */
  e2eLingerMs: number;
  modes: Mode[];
  /** Where latest.md / latest.json go. */
  out: string;
  produce: ProduceCell[];
  consume: ConsumeCell[];
  e2e: E2eCell[];
}

export const SIZES = [100, 1024, 16384];
export const ACKS: Acks[] = [0, 1, -1];
export const PARTITIONS = [1, 8, 64];

export function acksName(a: Acks): string {
  return a === -1 ? 'all' : String(a);
}

export function sizeName(n: number): string {
  return n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

export function loadSettings(outDefault: string): Settings {
  const quick = env('BENCH_QUICK', 0) === 1;
  const modes = envList('BENCH_MODES', ['disk', 'memory']).filter((m): m is Mode => m === 'disk' || m === 'memory');
  const full = env('BENCH_FULL_MATRIX', 0) === 1;
  const s: Settings = {
    quick,
    seconds: env('BENCH_SECONDS', quick ? 1 : 3),
    inflight: env('BENCH_INFLIGHT', 16),
    batchSize: env('BENCH_BATCH_SIZE', 16384),
    consumeMB: env('BENCH_CONSUME_MB', quick ? 5 : 1000),
    e2eSeconds: env('BENCH_E2E_SECONDS', quick ? 1 : 10),
    e2eRate: env('BENCH_E2E_RATE', quick ? 2000 : 20000),
    e2eRecordSize: env('BENCH_E2E_RECORD_SIZE', 100),
    e2eLingerMs: env('BENCH_E2E_LINGER_MS', 1),
    modes,
    out: process.env.BENCH_OUT || outDefault,
    produce: [],
    consume: [],
    e2e: [],
  };
  if (quick) {
    s.produce = [
      { mode: 'disk', recordSize: 100, acks: 1, partitions: 1 },
      { mode: 'memory', recordSize: 1024, acks: 0, partitions: 8 },
    ].filter((c) => modes.includes(c.mode as Mode)) as ProduceCell[];
    s.consume = [{ recordSize: 1024, memory: modes.includes('memory') }];
    s.e2e = [
      { mode: 'memory', rate: s.e2eRate },
      { mode: 'disk', rate: null },
    ].filter((c) => modes.includes(c.mode as Mode)) as E2eCell[];
    return s;
  }
  for (const mode of modes) {
    for (const recordSize of SIZES) {
      for (const acks of ACKS) {
        for (const partitions of PARTITIONS) {
          if (full || partitions === 1 || acks === 1) s.produce.push({ mode, recordSize, acks, partitions });
        }
      }
    }
  }
  s.consume = SIZES.map((recordSize) => ({ recordSize, memory: modes.includes('memory') }));
  for (const mode of modes) s.e2e.push({ mode, rate: s.e2eRate }, { mode, rate: null });
  return s;
}
