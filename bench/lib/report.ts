// Printing: a banner naming the machine, the command that reproduces the run, aligned tables,
// and a JSON line when BENCH_JSON=1.
import { readFileSync } from 'node:fs';
import { cpus, totalmem, loadavg } from 'node:os';

export function env(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got '${v}'`);
  return n;
}

export function envList(name: string, fallback: string[]): string[] {
  const v = process.env[name];
  return v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : fallback;
}

export function banner(title: string, script: string): void {
  let model = cpus()[0]?.model ?? '?';
  try {
    model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? model;
  } catch {
    // not linux
  }
  console.log(`# ${title}`);
  console.log(`# ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${model})  ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(
    `# load average before the run: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (anything else running on this machine shows up in the numbers)`,
  );
  console.log(`# reproduce: ${reproduce(script)}`);
}

/** `BENCH_X=.. npm run bench:name`, with the BENCH_* variables of this run. */
export function reproduce(script: string): string {
  const vars = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return [...vars, `npm run ${script}`].join(' ');
}

export const MB = 1e6;
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(n);
export const pct = (a: number, b: number) => (Number.isFinite(a / b) ? `${((100 * a) / b).toFixed(0)}%` : '-');

export function table(header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const w = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log(line(header));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

export function json(obj: unknown): void {
  if (process.env.BENCH_JSON) console.log(`JSON ${JSON.stringify(obj)}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
