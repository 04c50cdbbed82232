// `samsa bench compare`: results side by side, each number with its ratio to the first result's,
// as text or JSON (the same numbers in the same units: latencies in milliseconds), and a warning
// for every setting the runs differ in (mode, acks, record size, storage, ...), since a ratio
// between runs made differently measures more than one thing.
import { num, settings, table } from './summary.js';
import type { BenchResult } from './types.js';

interface Metric {
  /** Names the unit: the text table's row and the JSON's `metric`. */
  label: string;
  unit: string;
  /** The value in `unit`. */
  get: (r: BenchResult) => number;
  fmt: (n: number) => string;
}

/** Milliseconds, 3 decimals below 10 ms. */
const fmtMs = (v: number) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 3 : 1) : '-');
const latency = (label: string, get: (l: BenchResult['latency']) => number): Metric => ({
  label: `${label} ms`,
  unit: 'ms',
  get: (r) => get(r.latency) / 1000,
  fmt: fmtMs,
});

export const METRICS: Metric[] = [
  { label: 'records/s', unit: 'records/s', get: (r) => r.recordsPerSec, fmt: (n) => num(n) },
  { label: 'MB/s', unit: 'MB/s', get: (r) => r.mbPerSec, fmt: (n) => num(n, 1) },
  latency('p50', (l) => l.p50Us),
  latency('p90', (l) => l.p90Us),
  latency('p99', (l) => l.p99Us),
  latency('p99.9', (l) => l.p999Us),
  latency('max', (l) => l.maxUs),
  { label: 'records', unit: 'records', get: (r) => r.records, fmt: (n) => num(n) },
  { label: 'errors', unit: 'errors', get: (r) => Object.values(r.errors).reduce((a, x) => a + x, 0), fmt: (n) => num(n) },
];

/** Ratio of b to a, as `1.23x` (`-` when undefined). */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) return '-';
  return `${(b / a).toFixed(2)}x`;
}

export function formatCompare(names: string[], results: BenchResult[]): string {
  const header = ['', ...names.flatMap((n, i) => (i === 0 ? [n] : [n, 'ratio']))];
  const rows = METRICS.map((m) => [
    m.label,
    ...results.flatMap((r, i) => (i === 0 ? [m.fmt(m.get(r))] : [m.fmt(m.get(r)), ratio(m.get(results[0]!), m.get(r))])),
  ]);
  const modes = results.map((r, i) => `${names[i]}: ${r.mode} ${r.config.topic} @ ${r.config.bootstrap}, ${r.startedAt}`);
  return `${table(header, rows)}\n\n${modes.join('\n')}`;
}

/** `names` label the files in the warnings (the text output's basenames). */
export function compareJson(
  files: string[],
  results: BenchResult[],
  names = files,
): { files: string[]; metrics: { metric: string; unit: string; values: number[]; ratios: (number | null)[] }[]; warnings: string[] } {
  const metrics = METRICS.map((m) => {
    const base = m.get(results[0]!);
    return {
      metric: m.label,
      unit: m.unit,
      values: results.map((r) => m.get(r)),
      ratios: results.map((r) => (ratio(base, m.get(r)) === '-' ? null : m.get(r) / base)),
    };
  });
  return { files, metrics, warnings: compareWarnings(names, results) };
}

/**
 * One line per setting the runs differ in: the mode first (then only settings both modes have
 * are compared, as a consume has no acks), then each setting in the order `settings` gives.
 */
export function compareWarnings(names: string[], results: BenchResult[]): string[] {
  const each = (values: string[]) => values.map((v, i) => `${v} (${names[i]})`).join(', ');
  const out: string[] = [];
  const modes = results.map((r) => r.mode);
  if (new Set(modes).size > 1) out.push(`the runs differ in mode: ${each(modes)}`);
  const per = results.map((r) => new Map(settings(r)));
  for (const [name] of settings(results[0]!)) {
    if (!per.every((m) => m.has(name))) continue;
    const values = per.map((m) => m.get(name)!);
    if (new Set(values).size > 1) out.push(`the runs differ in ${name}: ${each(values)}`);
  }
  // A setting the first run lacks but the others share (e.g. storage known only for some): not comparable, so not a warning.
  return out;
}
