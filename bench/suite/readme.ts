// The suite's result in the compact form README.md shows (disk and memory side by side), from
// bench/results/latest.json. Prints it; with --write, replaces what README.md holds between
// `<!-- bench-suite:start -->` and `<!-- bench-suite:end -->`.
//   node --import tsx bench/suite/readme.ts [bench/results/latest.json] [--write]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from '../lib/report.js';
import { acksName, sizeName } from './settings.js';
import { runCaveats, type SuiteReport } from './render.js';
import type { ProduceRow } from './produce.js';

const ms = (us: number | undefined) => (us === undefined || !Number.isFinite(us) ? '-' : (us / 1000).toFixed(us < 10_000 ? 2 : 1));
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(0)}%`);
const line = (r: string[]) => `| ${r.join(' | ')} |`;
const rule = (n: number) => line(Array.from({ length: n }, (_, i) => (i === 0 ? '---' : '---:')));

export function renderReadme(r: SuiteReport, jsonPath = 'bench/results/latest.json'): string {
  const m = r.machine;
  const out = [
    `Latest \`npm run bench\`: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB, ${m.fileSystem}, node ${m.node}, accel ${m.accel.split(' ')[0]}; load average ${m.loadBefore[0]!.toFixed(2)} before, ${m.loadAfter[0]!.toFixed(2)} after. Command: \`${r.command}\`. Every cell ran against a fresh broker through \`samsa bench\` with ${fmt(r.settings.batchSize)}-byte batches and ${r.settings.inflight} requests in flight on one connection, beside its ceiling from the same run (the same frames into a process that only appends them to a file and answers; for consume, the segment files read into a socket). All tables and every number: \`${jsonPath.replace(/\.json$/, '.md')}\`, \`${jsonPath}\`.`,
  ];
  // Say it when the numbers cannot be taken at face value.
  const { busyLoad, reduced } = runCaveats(r);
  if (busyLoad !== null || reduced) {
    const what = reduced ? 'A reduced run (shorter cells, less data or one mode than the defaults; see the command)' : 'A full run';
    const busy =
      busyLoad !== null
        ? `, on a machine busy with other work (load average ${busyLoad.toFixed(1)} on ${m.cores} cores before the run): compare samsa with its ceiling in the same row, not with other rows or other machines.`
        : '.';
    out.push('', `**${what}${busy}**`);
  }
  out.push('');
  if (r.produce) {
    const key = (x: ProduceRow) => `${x.cell.recordSize}/${x.cell.acks}/${x.cell.partitions}`;
    const keys = [...new Set(r.produce.map(key))];
    const modes = [...new Set(r.produce.map((x) => x.cell.mode))];
    const header = ['record', 'acks', 'partitions', ...modes.flatMap((md) => [`${md} records/s`, 'MB/s', 'ack p99 ms', 'of ceiling'])];
    out.push(line(header), rule(header.length));
    for (const k of keys) {
      const first = r.produce.find((x) => key(x) === k)!;
      const cells = modes.flatMap((md) => {
        const x = r.produce!.find((y) => key(y) === k && y.cell.mode === md);
        if (!x?.samsa) return [x?.error ? 'failed' : '-', '', '', ''];
        return [fmt(x.samsa.recordsPerSec), fmt(x.samsa.mbPerSec), x.cell.acks === 0 ? '-' : ms(x.samsa.latency.p99Us), pct(x.ratio)];
      });
      out.push(line([sizeName(first.cell.recordSize), acksName(first.cell.acks), String(first.cell.partitions), ...cells]));
    }
    out.push('');
  }
  if (r.consume) {
    const sizes = [...new Set(r.consume.map((x) => x.recordSize))];
    const phases = [...new Set(r.consume.map((x) => x.phase))];
    const label = { tail: 'tail (just written)', cold: 'cold (restarted, page cache dropped)', memory: 'memory mode' } as const;
    out.push(line(['consume, 1 partition', ...phases.map((p) => label[p])]), rule(phases.length + 1));
    for (const size of sizes) {
      out.push(
        line([
          `${sizeName(size)} records`,
          ...phases.map((p) => {
            const x = r.consume!.find((y) => y.recordSize === size && y.phase === p);
            return x?.samsa && x.ceiling ? `${fmt(x.samsa.mbPerSec)} MB/s (${pct(x.ratio)} of ${fmt(x.ceiling.mbPerSec)})` : 'failed';
          }),
        ]),
      );
    }
    out.push('');
  }
  if (r.e2e) {
    out.push(line(['end to end, acks=all', 'records/s', 'p50 / p99 / p99.9 ms', 'ceiling p50 / p99 / p99.9 ms']), rule(4));
    for (const x of r.e2e) {
      const name = `${x.cell.mode}, ${x.cell.rate ? `${fmt(x.cell.rate)}/s` : 'saturation'}, ${sizeName(x.recordSize)}`;
      if (!x.samsa || !x.ceiling) {
        out.push(line([name, 'failed', '', '']));
        continue;
      }
      const l = x.samsa.latency;
      const c = x.ceiling.latency;
      out.push(
        line([
          name,
          fmt(x.samsa.recordsPerSec),
          `${ms(l.p50Us)} / ${ms(l.p99Us)} / ${ms(l.p999Us)}`,
          c ? `${ms(c.p50Us)} / ${ms(c.p99Us)} / ${ms(c.p999Us)}` : '-',
        ]),
      );
    }
    out.push(
      '',
      'End-to-end latency: record timestamp (stamped as the batch is sent) to receipt by a consumer, 1 ms resolution; the ceiling sends the same frames to a process that appends them and sends them straight back.',
    );
  }
  return out.join('\n');
}

const START = '<!-- bench-suite:start -->';
const END = '<!-- bench-suite:end -->';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--')) ?? join(root, 'bench', 'results', 'latest.json');
  const section = renderReadme(JSON.parse(readFileSync(file, 'utf8')) as SuiteReport);
  if (!args.includes('--write')) console.log(section);
  else {
    const path = join(root, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const a = readme.indexOf(START);
    const b = readme.indexOf(END);
    if (a < 0 || b < a) throw new Error(`README.md has no ${START} ... ${END} block`);
    writeFileSync(path, `${readme.slice(0, a + START.length)}\n${section}\n${readme.slice(b)}`);
    console.log(`README.md: suite section replaced from ${file}`);
  }
}
