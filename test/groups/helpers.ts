// Shared by the consumer group tests: bounded waits, and the Debian python (which has
// python3-kafka 2.0.2 and python3-confluent-kafka) for the Python clients in test/groups/py/.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const PY_DIR = join(dirname(fileURLToPath(import.meta.url)), 'py');

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every 25 ms until it holds; fails after `ms` with `describe()`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${describe()}`);
    await sleep(25);
  }
}

/**
 * A Python client as a child process that prints one JSON object per line on stdout. `lines`
 * collects them as they come; `stop()` sends SIGTERM (the scripts close their consumer and exit)
 * and SIGKILLs after `ms`.
 */
export class PyProcess {
  readonly child: ChildProcess;
  readonly lines: any[] = [];
  private err = '';
  private partial = '';
  readonly exited: Promise<number | null>;

  constructor(script: string, args: readonly string[]) {
    this.child = spawn(PYTHON, ['-u', join(PY_DIR, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.partial += d.toString();
      const parts = this.partial.split('\n');
      this.partial = parts.pop()!;
      for (const p of parts) if (p.trim()) this.lines.push(JSON.parse(p));
    });
    this.child.stderr!.on('data', (d: Buffer) => (this.err = (this.err + d.toString()).slice(-20_000)));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get stderr(): string {
    return this.err;
  }

  async stop(ms = 20_000): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    try {
      return await withTimeout(this.exited, ms, 'python client exit');
    } catch (err) {
      this.child.kill('SIGKILL');
      await this.exited;
      throw err;
    }
  }
}
