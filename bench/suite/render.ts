// The suite's markdown: the machine and command, then one table per part, each samsa number beside
// its ceiling from the same run.
import { fmt } from '../lib/report.js';
import { acksName, sizeName, type Settings } from './settings.js';
import type { Machine } from './machine.js';
import type { ProduceRow } from './produce.js';
import type { ConsumeRow } from './consume.js';
import type { E2eRow } from './e2e.js';
import { e2eName } from './e2e.js';

export interface SuiteReport {
  format: 'samsa-bench-suite/1';
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** The command that reproduces the run. */
  command: string;
  settings: Omit<Settings, 'produce' | 'consume' | 'e2e' | 'out'>;
  machine: Machine & { loadAfter: number[] };
  produce?: ProduceRow[];
  consume?: ConsumeRow[];
  e2e?: E2eRow[];
}

const ms = (us: number | undefined) => (us === undefined || !Number.isFinite(us) ? '-' : (us / 1000).toFixed(us < 10_000 ? 2 : 1));
const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(0)}%`);
const cores = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(2));
const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

/**
 * Why a run's numbers cannot be taken at face value, if they cannot. Only the load average before
 * the run tells of other work: the one after includes the benchmark's own broker and generator,
 * which keep both cores busy by design. A run is reduced when it measured less than the defaults.
 */
export function runCaveats(r: SuiteReport): { busyLoad: number | null; reduced: boolean } {
  const m = r.machine;
  const s = r.settings;
  const busyLoad = m.loadBefore[0]! > 0.75 * m.cores ? m.loadBefore[0]! : null;
  const reduced = s.quick || s.seconds < 3 || s.consumeMB < 1000 || s.e2eSeconds < 10 || s.modes.length < 2;
  return { busyLoad, reduced };
}

function table(header: string[], rows: string[][]): string {
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

export function renderMarkdown(r: SuiteReport): string {
  const m = r.machine;
  const out: string[] = [
    '# samsa bench suite: results',
    '',
    `- Command: \`${r.command}\` (${(r.seconds / 60).toFixed(1)} min, ${r.startedAt})`,
    `- Machine: ${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB RAM, Linux ${m.kernel}, data dirs on ${m.fileSystem}`,
    `- Software: node ${m.node}, ${m.samsa}, accel ${m.accel}`,
    `- Load average (1/5/15 min) before: ${load(m.loadBefore)}, after: ${load(m.loadAfter)}`,
    `- Each cell: ${r.settings.seconds} s of produce (e2e ${r.settings.e2eSeconds} s), one connection, ${fmt(r.settings.batchSize)}-byte batches, ${r.settings.inflight} requests in flight, no compression; a fresh broker per cell; the ceiling runs just before samsa, in the same run.`,
  ];
  const { busyLoad, reduced } = runCaveats(r);
  if (busyLoad !== null)
    out.push(
      `- **The machine was busy with other work** (load average ${busyLoad.toFixed(1)} on ${m.cores} cores before the run): compare samsa with its ceiling in the same row, not with other rows or other runs.`,
    );
  if (reduced) out.push('- **A reduced run** (shorter cells, less data or one mode than the defaults; see the command).');
  out.push('');
  if (r.produce) {
    out.push('## Produce (`samsa bench produce`)', '');
    const rows = r.produce.map((x) => {
      const c = x.cell;
      const head = [c.mode, sizeName(c.recordSize), acksName(c.acks), String(c.partitions)];
      if (x.error || !x.samsa || !x.ceiling) return [...head, `failed: ${(x.error ?? '').slice(0, 120)}`, '', '', '', '', '', '', '', '', ''];
      const l = x.samsa.latency;
      const cl = x.ceiling.latency;
      return [
        ...head,
        fmt(x.samsa.recordsPerSec),
        fmt(x.samsa.mbPerSec, 1),
        c.acks === 0 ? '-' : `${ms(l.p50Us)} / ${ms(l.p99Us)}`,
        fmt(x.ceiling.recordsPerSec),
        fmt(x.ceiling.mbPerSec, 1),
        cl ? `${ms(cl.p50Us)} / ${ms(cl.p99Us)}` : '-',
        `**${pct(x.ratio)}**`,
        cores(x.brokerCores),
        cores(x.machineCores),
      ];
    });
    out.push(
      table(
        [
          'mode',
          'record',
          'acks',
          'partitions',
          'records/s',
          'MB/s',
          'ack p50 / p99 ms',
          'ceiling records/s',
          'ceiling MB/s',
          'ceiling p50 / p99 ms',
          'samsa / ceiling',
          'broker cores',
          'machine busy cores',
        ],
        rows,
      ),
      '',
    );
    out.push(
      'MB = 10^6 bytes of record batches. Ack latency: request sent -> acknowledged, per record. Ceiling: the same Produce frames, in the same order, with the same requests in flight, to a separate node process that appends every socket chunk to a file with `fs.writeSync` (disk) or keeps nothing (memory), and answers each frame with 8 bytes (acks=0: answers nothing, and the rate is what it received). The ceiling writes one file whatever the partition count. Machine busy cores: all cores in use during the samsa run (broker + generator + anything else on the box).',
      '',
    );
  }
  if (r.consume) {
    out.push('## Consume (`samsa bench consume --from earliest`, one partition)', '');
    const rows = r.consume.map((x) => {
      const head = [
        sizeName(x.recordSize),
        x.phase === 'tail' ? 'tail (just written)' : x.phase === 'cold' ? 'cold (restart, page cache dropped)' : 'memory mode',
      ];
      if (x.error || !x.samsa || !x.ceiling) return [...head, `failed: ${(x.error ?? '').slice(0, 120)}`, '', '', '', '', '', ''];
      const cached = (b: number | undefined) => (b === undefined || !Number.isFinite(b) ? '?' : `${fmt(b / 1e6)} MB`);
      return [
        ...head,
        fmt(x.samsa.bytes / 1e6),
        fmt(x.samsa.mbPerSec),
        fmt(x.samsa.recordsPerSec),
        x.phase === 'memory' ? '-' : cached(x.cachedBytes),
        fmt(x.ceiling.mbPerSec),
        cached(x.ceilingCachedBytes),
        `**${pct(x.ratio)}**`,
      ];
    });
    out.push(
      table(
        ['record', 'phase', 'MB read', 'MB/s', 'records/s', 'segment cached at start', 'ceiling MB/s', 'ceiling: cached at start', 'samsa / ceiling'],
        rows,
      ),
      '',
    );
    out.push(
      'Fetch: max_bytes 50 MiB, partition_max_bytes 10 MiB, one fetch in flight. Cold: a new broker process on the same data dir after the segment files were written back and dropped from the page cache (`dd iflag=nocache count=0`; `fincore` gives the bytes still cached). Ceiling: a separate node process that reads the same segment files with `fs.read` into fresh 10 MiB buffers and writes them to a loopback socket, one read in flight; for the memory row, from the page cache.',
      '',
    );
  }
  if (r.e2e) {
    out.push('## End to end (`samsa bench e2e`, acks=all, one partition)', '');
    const rows = r.e2e.map((x) => {
      const head = [e2eName(x.cell).split(', ')[0]!, x.cell.rate ? `${fmt(x.cell.rate)} records/s` : 'saturation', sizeName(x.recordSize)];
      if (x.error || !x.samsa || !x.ceiling) return [...head, `failed: ${(x.error ?? '').slice(0, 120)}`, '', '', '', ''];
      const l = x.samsa.latency;
      const pl = x.samsa.produceLatency;
      const cl = x.ceiling.latency;
      const errs = Object.entries(x.samsa.errors)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ');
      return [
        ...head,
        fmt(x.samsa.recordsPerSec),
        `${ms(l.p50Us)} / ${ms(l.p99Us)} / ${ms(l.p999Us)}`,
        pl ? ms(pl.p99Us) : '-',
        fmt(x.ceiling.recordsPerSec),
        cl ? `${ms(cl.p50Us)} / ${ms(cl.p99Us)} / ${ms(cl.p999Us)}` : '-',
        errs || 'none',
      ];
    });
    out.push(
      table(
        [
          'mode',
          'load',
          'record',
          'records/s',
          'e2e p50 / p99 / p99.9 ms',
          'produce ack p99 ms',
          'ceiling records/s',
          'ceiling p50 / p99 / p99.9 ms',
          'errors',
        ],
        rows,
      ),
      '',
    );
    out.push(
      `samsa: latency from the record's timestamp (set as the producer sends the batch) to its receipt by the consumer, 1 ms resolution; at a fixed rate, records due within ${r.settings.e2eLingerMs} ms go in one request (\`--linger-ms\`). Ceiling: the same frames on the same schedule (or with the same requests in flight) to a separate node process that appends them to a file (disk) and writes the same bytes straight back; latency from when the frame was due (or sent) to when it is back, microsecond resolution.`,
      '',
    );
  }
  return out.join('\n');
}
