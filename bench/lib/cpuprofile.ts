// Summarizes V8 .cpuprofile files (node --cpu-prof): self time per function, highest first.
// Usage: node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile [TOP]
//        node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile --callers writeBuffer
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number; // of the non-idle time
}

/**
 * Self time per node id. `window` ([from, to] in microseconds of the monotonic clock, i.e.
 * process.hrtime.bigint() / 1000n in any process of this machine, which is also the clock of
 * V8's profile timestamps) keeps only the samples of a measured window: no start-up, no shutdown.
 */
function selfTimes(p: Profile, window?: readonly [number, number]): Map<number, number> {
  const self = new Map<number, number>();
  let t = p.startTime;
  // timeDeltas[i] is the time before sample i; attribute the gap after a sample to it.
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (window && (t < window[0] || t > window[1])) continue;
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  }
  return self;
}

export function summarize(file: string, window?: readonly [number, number]): { totalMs: number; busyMs: number; rows: SelfTime[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = selfTimes(p, window);
  const agg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const where = f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    agg.set(name, (agg.get(name) ?? 0) + us);
    total += us;
    if (f.functionName === '(idle)') idle += us;
  }
  const busy = total - idle;
  const rows = [...agg.entries()]
    .filter(([k]) => !k.startsWith('(idle)'))
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }))
    .sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, busyMs: busy / 1000, rows };
}

export function printSummary(file: string, top = 15, window?: readonly [number, number]): void {
  const s = summarize(file, window);
  console.log(
    `cpu profile ${file}${window ? ' (measured window only)' : ''}: ${s.totalMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (${((100 * s.busyMs) / s.totalMs).toFixed(0)}%); top self time:`,
  );
  for (const r of s.rows.slice(0, top)) console.log(`  ${(100 * r.share).toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
}

/** Where the self time of functions named `name` comes from: the call paths (depth `depth`) with the most time. */
export function printCallers(file: string, name: string, depth = 6, top = 5, window?: readonly [number, number]): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = selfTimes(p, window);
  const paths = new Map<string, number>();
  for (const [id, us] of self) {
    if (byId.get(id)!.callFrame.functionName !== name) continue;
    const chain: string[] = [];
    for (let q = parent.get(id), k = 0; q !== undefined && k < depth; q = parent.get(q), k++) {
      const f = byId.get(q)!.callFrame;
      chain.push(`${f.functionName || '(anonymous)'}${f.url ? `@${basename(f.url)}:${f.lineNumber + 1}` : ''}`);
    }
    const key = chain.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  console.log(`${name} is called from:`);
  for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const ci = args.indexOf('--callers');
  const callers = ci >= 0 ? args.splice(ci, 2)[1] : undefined;
  const wi = args.indexOf('--window');
  const w = wi >= 0 ? args.splice(wi, 2)[1]!.split(',').map(Number) : undefined;
  const window = w ? ([w[0]!, w[1]!] as const) : undefined;
  const [file, top] = args;
  if (!file) {
    console.error('usage: node --import tsx bench/lib/cpuprofile.ts FILE.cpuprofile [TOP] [--callers FUNCTION] [--window FROM_US,TO_US]');
    process.exit(2);
  }
  if (callers) printCallers(file, callers, 6, 5, window);
  else printSummary(file, Number(top ?? 25), window);
}
