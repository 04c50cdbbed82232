// Text output: the summary of one run, and `samsa bench compare` (results side by side, each
// number with its ratio to the first result's).
import type { BenchResult } from './types.js';

const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
export const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 3 : 1);

export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

export function formatSummary(r: BenchResult): string {
  const c = r.config;
  const lines = [
    `samsa bench ${r.mode}: ${c.topic} on ${c.bootstrap}, ${c.recordSize.min === c.recordSize.max ? c.recordSize.min : `${c.recordSize.min}-${c.recordSize.max}`} B records, acks ${c.acks === -1 ? 'all' : c.acks}, batch ${c.batchSize} B, ${c.compression}, ${c.connections} conn x ${c.maxInFlight} in flight${c.rate ? `, rate ${num(c.rate)}/s` : ''}`,
    `${num(r.records)} records, ${num(r.bytes / 1e6, 1)} MB in ${r.seconds.toFixed(2)} s: ${num(r.recordsPerSec)} records/s, ${num(r.mbPerSec, 1)} MB/s (${num(r.requests)} requests)`,
  ];
  const lat = (label: string, l: BenchResult['latency']) =>
    l.count > 0 ? `${label} latency ms: p50 ${ms(l.p50Us)}  p90 ${ms(l.p90Us)}  p99 ${ms(l.p99Us)}  p99.9 ${ms(l.p999Us)}  max ${ms(l.maxUs)}  (mean ${ms(l.meanUs)}, ${num(l.count)} samples)` : `${label} latency: no samples`;
  const kind = r.latencyKind === 'produce-ack' ? (c.rate ? 'produce (due -> ack, coordinated omission corrected)' : 'produce (send -> ack)') : r.latencyKind === 'fetch' ? 'fetch round-trip' : 'end-to-end (record timestamp -> receipt, 1 ms resolution)';
  if (!(r.mode === 'produce' && c.acks === 0)) lines.push(lat(kind, r.latency));
  if (r.produceLatency) lines.push(lat(c.rate ? 'produce (due -> ack)' : 'produce (send -> ack)', r.produceLatency));
  if (r.group) {
    const g = r.group;
    const last = g.generations.at(-1);
    lines.push(`group ${g.groupId}: member ${g.memberId}, partitions ${g.partitions.join(',') || 'none'}${last ? ` in generation ${last.generationId}` : ''} (${g.generations.length} generation${g.generations.length === 1 ? '' : 's'} joined)`);
  }
  const errs = Object.entries(r.errors);
  lines.push(errs.length === 0 ? 'errors: none' : `errors: ${errs.map(([k, v]) => `${k} ${num(v)}`).join(', ')}`);
  return lines.join('\n');
}

interface Metric {
  label: string;
  get: (r: BenchResult) => number;
  fmt: (n: number) => string;
}

export const METRICS: Metric[] = [
  { label: 'records/s', get: (r) => r.recordsPerSec, fmt: (n) => num(n) },
  { label: 'MB/s', get: (r) => r.mbPerSec, fmt: (n) => num(n, 1) },
  { label: 'p50 ms', get: (r) => r.latency.p50Us, fmt: ms },
  { label: 'p90 ms', get: (r) => r.latency.p90Us, fmt: ms },
  { label: 'p99 ms', get: (r) => r.latency.p99Us, fmt: ms },
  { label: 'p99.9 ms', get: (r) => r.latency.p999Us, fmt: ms },
  { label: 'max ms', get: (r) => r.latency.maxUs, fmt: ms },
  { label: 'records', get: (r) => r.records, fmt: (n) => num(n) },
  { label: 'errors', get: (r) => Object.values(r.errors).reduce((a, x) => a + x, 0), fmt: (n) => num(n) },
];

/** Ratio of b to a, as `1.23x` (`-` when undefined). */
export function ratio(a: number, b: number): string {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0) return '-';
  return `${(b / a).toFixed(2)}x`;
}

export function formatCompare(names: string[], results: BenchResult[]): string {
  const header = ['', ...names.flatMap((n, i) => (i === 0 ? [n] : [n, 'ratio']))];
  const rows = METRICS.map((m) => [m.label, ...results.flatMap((r, i) => (i === 0 ? [m.fmt(m.get(r))] : [m.fmt(m.get(r)), ratio(m.get(results[0]!), m.get(r))]))]);
  const modes = results.map((r, i) => `${names[i]}: ${r.mode} ${r.config.topic} @ ${r.config.bootstrap}, ${r.startedAt}`);
  return `${table(header, rows)}\n\n${modes.join('\n')}`;
}

/** Checks that a parsed JSON value is a bench result (enough for compare and the report). */
export function isBenchResult(v: unknown): v is BenchResult {
  const r = v as BenchResult;
  return typeof r === 'object' && r !== null && r.format === 'samsa-bench/1' && typeof r.recordsPerSec === 'number' && typeof r.latency === 'object';
}
