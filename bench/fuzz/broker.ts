// The broker under test as a child process: `node bin/samsa.js start --port 0 --data-dir DIR`,
// its port read from its own start-up log line, its log lines tallied (every error-level line is
// kept: a handler that throws on some input is a finding), its exit watched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LogTally {
  /** Lines by level and message (numbers in messages folded to N so reasons group). */
  byMessage: Map<string, number>;
  /** Error-level lines (pino level >= 50), the first 200 kept whole. */
  errors: string[];
  errorCount: number;
  /** One whole line per distinct error-level message (its first occurrence). */
  errorExamples: Map<string, string>;
  /** The last 30 lines, whatever their level (why a start failed). */
  tail: string[];
}

export interface BrokerProcess {
  pid: number;
  port: number;
  child: ChildProcess;
  log: LogTally;
  /** Set once the process has exited: its code and signal. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  exited: Promise<void>;
  kill9(): Promise<void>;
  /** SIGTERM and wait: the exit code of a clean shutdown. */
  stop(timeoutMs?: number): Promise<number | null>;
}

// A broker still running when this process exits (an error, Ctrl-C) is killed with it.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

export function fold(msg: string): string {
  return msg.replace(/\d+/g, 'N').slice(0, 160);
}

export async function startBroker(dataDir: string, opts: { timeoutMs?: number; extraArgs?: string[]; diagnoseDir?: string } = {}): Promise<BrokerProcess> {
  const bin = join(ROOT, 'bin', 'samsa.js');
  // --diagnose: loop-monitor.mjs preloaded (event-loop blocks, GC pauses, a CPU profile).
  const nodeArgs = opts.diagnoseDir ? ['--import', pathToFileURL(join(ROOT, 'bench', 'fuzz', 'loop-monitor.mjs')).href] : [];
  const env = opts.diagnoseDir ? { ...process.env, SAMSA_DIAG_DIR: opts.diagnoseDir } : process.env;
  const child = spawn(process.execPath, [...nodeArgs, bin, 'start', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...(opts.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const log: LogTally = { byMessage: new Map(), errors: [], errorCount: 0, errorExamples: new Map(), tail: [] };
  live.add(child);
  child.once('exit', () => live.delete(child));
  let exit: BrokerProcess['exit'] = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    }),
  );
  let resolvePort: (p: number) => void;
  const portP = new Promise<number>((r) => (resolvePort = r));
  const onLine = (line: string) => {
    // `samsa ready HOST:PORT` (issue 11, item 20) or the JSON start line's bootstrap.
    const ready = /^samsa ready \S+:(\d+)/.exec(line) ?? /"bootstrap":"[^"]*:(\d+)"/.exec(line);
    if (ready) resolvePort(Number(ready[1]));
    log.tail.push(line.slice(0, 2000));
    if (log.tail.length > 30) log.tail.shift();
    let level = 30;
    let msg = line;
    try {
      const j = JSON.parse(line) as { level: number; msg: string; err?: { message?: string }; apiName?: string };
      level = j.level;
      msg = `${j.msg}${j.apiName ? ` [${j.apiName}]` : ''}${j.err?.message ? `: ${j.err.message}` : ''}`;
    } catch {
      if (!line.trim()) return;
    }
    const key = `${level >= 50 ? 'ERROR' : level >= 40 ? 'WARN' : 'INFO'} ${fold(msg)}`;
    log.byMessage.set(key, (log.byMessage.get(key) ?? 0) + 1);
    if (level >= 50) {
      log.errorCount++;
      if (!log.errorExamples.has(key)) log.errorExamples.set(key, line.slice(0, 3000));
      if (log.errors.length < 200) log.errors.push(line);
    }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', (l) => onLine(l.startsWith('{') ? l : JSON.stringify({ level: 50, msg: `stderr: ${l}` })));
  const timeoutMs = opts.timeoutMs ?? 60000;
  const port = await Promise.race([
    portP,
    // Let the pipes drain so that the error carries the broker's last words.
    exited
      .then(() => new Promise((r) => setTimeout(r, 200)))
      .then(() => {
        throw new Error(`broker exited (${JSON.stringify(exit)}) before it was ready; its last lines:\n${log.tail.join('\n')}`);
      }),
    new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`broker not ready after ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
  const b: BrokerProcess = {
    pid: child.pid!,
    port,
    child,
    log,
    get exit() {
      return exit;
    },
    exited,
    kill9: async () => {
      if (exit === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async (ms = 30000) => {
      if (exit === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), ms);
      await exited;
      clearTimeout(t);
      return (exit as BrokerProcess['exit'])?.code ?? null;
    },
  };
  return b;
}

/** VmRSS and VmHWM of a process in KiB (NaN when it is gone). */
export function rss(pid: number): { rssKiB: number; hwmKiB: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rssKiB: Number(/VmRSS:\s+(\d+) kB/.exec(s)?.[1] ?? NaN), hwmKiB: Number(/VmHWM:\s+(\d+) kB/.exec(s)?.[1] ?? NaN) };
  } catch {
    return { rssKiB: NaN, hwmKiB: NaN };
  }
}
