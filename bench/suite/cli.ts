// Runs the real `samsa bench produce|consume|e2e ... --json` (bin/samsa.js, or BENCH_SAMSA_SCRIPT)
// in a child process, so the suite measures the product and not a copy of its generator.
import { spawn } from 'node:child_process';
import { SAMSA_BIN, cpuSeconds } from '../lib/samsa.js';
import type { BenchResult } from '../../src/bench/types.js';

export interface CliRun {
  /** The command as a user would type it (`samsa bench ...`). */
  command: string;
  result: BenchResult;
  /** CPU cores the broker used while the command ran (from /proc/<pid>/stat), when its pid is given. */
  brokerCores: number;
}

export async function samsaBench(args: string[], brokerPid?: number): Promise<CliRun> {
  const argv: string[] = [];
  if (/\.m?ts$/.test(SAMSA_BIN)) argv.push('--import', 'tsx');
  argv.push(SAMSA_BIN, 'bench', ...args, '--json');
  const cpu0 = brokerPid ? cpuSeconds(brokerPid) : NaN;
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  const seconds = (performance.now() - t0) / 1000;
  const command = `samsa bench ${args.join(' ')} --json`;
  if (code !== 0) throw new Error(`\`${command}\` exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  let result: BenchResult;
  try {
    result = JSON.parse(stdout) as BenchResult;
  } catch {
    throw new Error(`\`${command}\` printed no JSON result: ${stdout.slice(0, 200)}`);
  }
  if (result.format !== 'samsa-bench/1') throw new Error(`\`${command}\` printed an unknown result format ${String(result.format)}`);
  // The broker's CPU over the whole command (connecting, topic creation included), per second of it.
  const brokerCores = brokerPid ? (cpuSeconds(brokerPid) - cpu0) / seconds : NaN;
  return { command, result, brokerCores };
}
