// Text output: the summary of one run (`samsa bench compare` is compare.ts), and the settings
// of a run that apply to its mode, for its header and for compare's warnings.
import type { BenchResult } from './types.js';

export const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '-');
/** Microseconds as milliseconds, 3 decimals below 10 ms. */
export const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 3 : 1);

export function table(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The settings of a run that shape its numbers, as [name, value], only those that apply to its
 * mode: the producer's for produce and e2e, the consumer's for consume; the broker's storage when
 * it said (samsa). Tolerates results of older versions (fields missing: left out).
 */
export function settings(r: BenchResult): [string, string][] {
  const c = r.config ?? ({} as BenchResult['config']);
  const out: [string, string][] = [];
  const add = (name: string, v: string | number | null | undefined) => {
    if (v !== undefined && v !== null) out.push([name, String(v)]);
  };
  if (r.mode === 'consume') {
    add('from', c.from);
    if (c.group !== undefined) add('group', c.group ?? 'none');
    if (c.consumePartitions !== undefined) add('partitions', c.consumePartitions ? c.consumePartitions.join(',') : 'all');
  } else {
    if (c.recordSize) add('record size', c.recordSize.min === c.recordSize.max ? `${c.recordSize.min} B` : `${c.recordSize.min}-${c.recordSize.max} B`);
    if (c.keyCardinality) add('keys', c.keyCardinality);
    if (c.acks !== undefined) add('acks', c.acks === -1 ? 'all' : c.acks);
    if (c.batchSize !== undefined) add('batch', `${c.batchSize} B`);
    add('compression', c.compression);
    if (c.connections !== undefined && c.maxInFlight !== undefined) add('connections', `${c.connections} conn x ${c.maxInFlight} in flight`);
    if (c.rate !== undefined) add('rate', c.rate ? `${num(c.rate)}/s` : 'unlimited');
    if (c.rate) add('linger', `${c.lingerMs} ms`);
  }
  if (r.broker?.storage) add('storage', r.broker.storage);
  return out;
}

/** A setting as the summary's first line says it (null: not worth saying). */
function headerItem(name: string, v: string): string | null {
  switch (name) {
    case 'record size':
      return `${v} records`;
    case 'compression':
    case 'connections':
      return v;
    case 'rate':
      return v === 'unlimited' ? null : `rate ${v}`;
    case 'group':
      return v === 'none' ? null : `group ${v}`;
    default:
      return `${name} ${v}`;
  }
}

export function formatSummary(r: BenchResult): string {
  const c = r.config;
  const shown = settings(r)
    .map(([k, v]) => headerItem(k, v))
    .filter((x) => x !== null);
  const lines = [
    `samsa bench ${r.mode}: ${[`${c.topic} on ${c.bootstrap}`, ...shown].join(', ')}`,
    `${num(r.records)} records, ${num(r.bytes / 1e6, 1)} MB in ${r.seconds.toFixed(2)} s: ${num(r.recordsPerSec)} records/s, ${num(r.mbPerSec, 1)} MB/s (${num(r.requests)} requests)`,
  ];
  const lat = (label: string, l: BenchResult['latency']) =>
    l.count > 0
      ? `${label} latency ms: p50 ${ms(l.p50Us)}  p90 ${ms(l.p90Us)}  p99 ${ms(l.p99Us)}  p99.9 ${ms(l.p999Us)}  max ${ms(l.maxUs)}  (mean ${ms(l.meanUs)}, ${num(l.count)} samples)`
      : `${label} latency: no samples`;
  const kind =
    r.latencyKind === 'produce-ack'
      ? c.rate
        ? 'produce (due -> ack, coordinated omission corrected)'
        : 'produce (send -> ack)'
      : r.latencyKind === 'fetch'
        ? 'fetch round-trip'
        : 'end-to-end (record timestamp -> receipt, 1 ms resolution)';
  if (!(r.mode === 'produce' && c.acks === 0)) lines.push(lat(kind, r.latency));
  if (r.produceLatency) lines.push(lat(c.rate ? 'produce (due -> ack)' : 'produce (send -> ack)', r.produceLatency));
  if (r.group) {
    const g = r.group;
    const last = g.generations.at(-1);
    lines.push(
      `group ${g.groupId}: member ${g.memberId}, partitions ${g.partitions.join(',') || 'none'}${last ? ` in generation ${last.generationId}` : ''} (${g.generations.length} generation${g.generations.length === 1 ? '' : 's'} joined)`,
    );
  }
  const errs = Object.entries(r.errors);
  lines.push(errs.length === 0 ? 'errors: none' : `errors: ${errs.map(([k, v]) => `${k} ${num(v)}`).join(', ')}`);
  return lines.join('\n');
}

/** Checks that a parsed JSON value is a bench result (enough for compare and the report). */
export function isBenchResult(v: unknown): v is BenchResult {
  const r = v as BenchResult;
  return typeof r === 'object' && r !== null && r.format === 'samsa-bench/1' && typeof r.recordsPerSec === 'number' && typeof r.latency === 'object';
}
