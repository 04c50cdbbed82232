// Runs samsa as a separate process (bin/samsa.js -> dist/bundle/samsa-cli.mjs, built by `npm run build`),
// so that the load generator and the broker never share an event loop or a core's time slice.
// Also: free-port picking, /proc RSS sampling, and an optional CPU profile of the broker.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { readFileSync, readdirSync, mkdtempSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// BENCH_SAMSA_SCRIPT: run another entry point with the same arguments (a .ts file runs under
// tsx), e.g. src/cli/main.ts behind a patch, to measure a change before making it.
export const SAMSA_BIN = process.env.BENCH_SAMSA_SCRIPT || join(ROOT, 'bin', 'samsa.js');

export function checkBuilt(): void {
  if (process.env.BENCH_SAMSA_SCRIPT) return;
  const cli = join(ROOT, 'dist', 'bundle', 'samsa-cli.mjs');
  if (!existsSync(cli)) throw new Error('dist/bundle/samsa-cli.mjs is missing: run `npm run build` first');
  const age = (Date.now() - statSync(cli).mtimeMs) / 60000;
  if (age > 60) console.log(`note: dist/bundle/samsa-cli.mjs is ${age.toFixed(0)} min old; run \`npm run build\` to bench the current src/`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export async function waitListening(port: number, child: ChildProcess, timeoutMs = 20000): Promise<void> {
  const t0 = Date.now();
  while (!(await tryConnect(port))) {
    if (child.exitCode !== null) throw new Error(`process exited with code ${child.exitCode} before listening on ${port}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** VmRSS of a process in KiB (NaN when it is gone). */
export function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Cumulative user+system CPU time of a process, in seconds (from /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (0-based after the state field), in clock ticks.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

// Children still running when the bench exits (an error, Ctrl-C) are killed, and their data
// dirs removed, so that a failed run leaves nothing behind.
const live = new Map<ChildProcess, string | null>();
process.once('exit', () => {
  for (const [child, dir] of live) {
    child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

export interface SamsaOptions {
  storage: 'disk' | 'memory';
  /** Disk mode: reuse this data dir (restart); default: a new dir under os.tmpdir(). */
  dataDir?: string;
  /** Extra broker properties, passed as --set key=value. */
  set?: Record<string, string | number>;
  /** Write a V8 CPU profile of the broker into this directory (node --cpu-prof). */
  cpuProfDir?: string;
  logLevel?: string;
}

export interface SamsaProcess {
  port: number;
  pid: number;
  dataDir: string | null;
  child: ChildProcess;
  /** SIGTERM (graceful: flush and exit), wait for the exit. Keeps the data dir. */
  stop(): Promise<void>;
  /** stop(), then remove the data dir if this helper created it. */
  destroy(): Promise<void>;
}

export async function startSamsa(opts: SamsaOptions): Promise<SamsaProcess> {
  checkBuilt();
  const port = await freePort();
  let dataDir: string | null = null;
  let ownDir = false;
  if (opts.storage === 'disk') {
    dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'samsa-bench-'));
    ownDir = opts.dataDir === undefined;
  }
  const args: string[] = [];
  if (/\.m?ts$/.test(SAMSA_BIN)) args.push('--import', 'tsx');
  if (opts.cpuProfDir) args.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  args.push(SAMSA_BIN, 'start', '--port', String(port), '--log-level', opts.logLevel ?? 'warn');
  if (dataDir) args.push('--data-dir', dataDir);
  else args.push('--memory');
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push('--set', `${k}=${v}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  live.set(child, ownDir ? dataDir : null);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => live.delete(child));
  try {
    await waitListening(port, child);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30000);
      await exited;
      clearTimeout(t);
    }
  };
  return {
    port,
    pid: child.pid!,
    dataDir,
    child,
    stop,
    destroy: async () => {
      await stop();
      if (ownDir && dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a ceiling program (bench/lib/ceiling/*.mjs) as a separate node process; it prints {"port":N}. */
export async function startCeiling(script: string, args: string[] = []): Promise<{ port: number; pid: number; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bench', 'lib', 'ceiling', script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  live.set(child, null);
  child.once('exit', () => live.delete(child));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening: ${out}`)));
  });
  child.stdout!.resume();
  return {
    port,
    pid: child.pid!,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Free bytes of the file system holding `dir` (df -B1 --output=avail). */
export async function freeBytes(dir: string): Promise<number> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Machine-wide CPU seconds from /proc/stat: busy (user, nice, system, irq, softirq) and steal. */
export function systemCpu(): { busy: number; steal: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number];
    return { busy: (user + nice + system + irq + softirq) / 100, steal: (steal ?? 0) / 100 };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}

/**
 * CPU seconds of a process's main thread and of its other threads (libuv's pool doing file I/O,
 * V8's workers doing GC and compilation; Node 20 gives them all the name "node").
 */
export function threadCpu(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const s = (Number(f[11]) + Number(f[12])) / 100;
      const group = tid === String(pid) ? 'main thread' : 'other threads';
      out[group] = (out[group] ?? 0) + s;
    } catch {
      // thread gone
    }
  }
  return out;
}

export function threadCpuDelta(a: Record<string, number>, b: Record<string, number>, seconds: number): string {
  return Object.keys(b)
    .sort()
    .map((k) => `${k} ${((b[k]! - (a[k] ?? 0)) / seconds).toFixed(2)}`)
    .join(', ');
}
