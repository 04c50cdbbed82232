// Puts the produce cells of several `bench/suite.ts produce` runs side by side (single broker
// before and after the cluster work, issue 13): per cell, each run's records/s and its share of
// the ceiling measured just before that cell in the same run (the share is what to compare on a
// shared machine: the ceiling moves with the machine's load, samsa with it), then the geometric
// means over the cells. Runs with the same label are averaged (A B A B rounds). Also the broker's
// CPU time per record (its cores / records/s), which the machine's load moves less than the rate.
//   node --import tsx bench/cluster/compare-suites.ts LABEL=path/latest-produce.json ...
import { readFileSync } from 'node:fs';

interface Cell {
  cell: { mode: string; recordSize: number; acks: number; partitions: number };
  samsa?: { recordsPerSec: number };
  ceiling?: { recordsPerSec: number };
  /** The broker's cores while samsa ran (from /proc). */
  brokerCores?: number;
  error?: string;
}

const runs = process.argv.slice(2).map((a) => {
  const i = a.indexOf('=');
  const d = JSON.parse(readFileSync(a.slice(i + 1), 'utf8')) as { produce: Cell[]; machine: { loadBefore: number[]; loadAfter: number[] }; startedAt: string };
  return {
    label: a.slice(0, i),
    cells: d.produce,
    load: `${d.machine.loadBefore.map((x) => x.toFixed(1)).join(' ')} → ${d.machine.loadAfter.map((x) => x.toFixed(1)).join(' ')}`,
    startedAt: d.startedAt,
  };
});
const labels = [...new Set(runs.map((r) => r.label))];
const key = (c: Cell['cell']) =>
  `${c.mode} ${c.recordSize >= 1024 ? `${c.recordSize / 1024} KiB` : `${c.recordSize} B`} acks=${c.acks === -1 ? 'all' : c.acks} ${c.partitions}p`;
const keys = [...new Set(runs.flatMap((r) => r.cells.map((c) => key(c.cell))))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const geo = (xs: number[]) => Math.exp(mean(xs.map(Math.log)));

const lines: string[] = [];
lines.push('| run | started | load average before → after |', '|---|---|---|');
for (const r of runs) lines.push(`| ${r.label} | ${r.startedAt} | ${r.load} |`);
lines.push('');
lines.push(
  `| cell | ${labels.map((l) => `${l} records/s`).join(' | ')} | ${labels.map((l) => `${l} of ceiling`).join(' | ')} | ${labels.map((l) => `${l} broker CPU µs/record`).join(' | ')} |`,
);
lines.push(`|---|${labels.map(() => '---').join('|')}|${labels.map(() => '---').join('|')}|${labels.map(() => '---').join('|')}|`);
const perLabel = new Map<string, { rate: number[]; share: number[]; cpu: number[] }>(labels.map((l) => [l, { rate: [], share: [], cpu: [] }]));
const short = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e5 ? `${(x / 1e3).toFixed(0)}k` : `${(x / 1e3).toFixed(1)}k`);
for (const k of keys) {
  const rates: string[] = [];
  const shares: string[] = [];
  const cpus: string[] = [];
  const complete = labels.every((l) => runs.filter((r) => r.label === l).every((r) => r.cells.some((c) => key(c.cell) === k && c.samsa && c.ceiling)));
  for (const l of labels) {
    const cells = runs
      .filter((r) => r.label === l)
      .map((r) => r.cells.find((c) => key(c.cell) === k))
      .filter((c): c is Cell => !!c?.samsa && !!c.ceiling);
    if (cells.length === 0) {
      rates.push('failed');
      shares.push('—');
      cpus.push('—');
      continue;
    }
    const rate = mean(cells.map((c) => c.samsa!.recordsPerSec));
    const share = mean(cells.map((c) => c.samsa!.recordsPerSec / c.ceiling!.recordsPerSec));
    const cpu = mean(cells.map((c) => ((c.brokerCores ?? NaN) / c.samsa!.recordsPerSec) * 1e6));
    if (complete) {
      perLabel.get(l)!.rate.push(rate);
      perLabel.get(l)!.share.push(share);
      perLabel.get(l)!.cpu.push(cpu);
    }
    cpus.push(cpu.toFixed(2));
    rates.push(`${Math.round(rate).toLocaleString('en-US')}${cells.length > 1 ? ` (${cells.map((c) => short(c.samsa!.recordsPerSec)).join(', ')})` : ''}`);
    shares.push(`${(share * 100).toFixed(0)} %`);
  }
  lines.push(`| ${k} | ${rates.join(' | ')} | ${shares.join(' | ')} | ${cpus.join(' | ')} |`);
}
lines.push(
  `| **geometric mean** | ${labels.map((l) => `**${Math.round(geo(perLabel.get(l)!.rate)).toLocaleString('en-US')}**`).join(' | ')} | ${labels.map((l) => `**${(geo(perLabel.get(l)!.share) * 100).toFixed(1)} %**`).join(' | ')} | ${labels.map((l) => `**${geo(perLabel.get(l)!.cpu).toFixed(2)}**`).join(' | ')} |`,
);
process.stdout.write(`${lines.join('\n')}\n`);
