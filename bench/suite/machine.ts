// What the suite ran on (CPU, cores, RAM, node, samsa's hot-path backend, file system, load), and
// the page-cache tools for cold reads: `dd iflag=nocache count=0` asks the kernel to drop a file's
// clean pages (posix_fadvise DONTNEED, no root needed) and `fincore` says how much is still cached.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem, loadavg, release, tmpdir } from 'node:os';
import { SAMSA_BIN, systemCpu } from '../lib/samsa.js';

export interface Machine {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  kernel: string;
  /** The first lines of `samsa --version` (version and accel backend). */
  samsa: string;
  accel: string;
  /** File system of the temp dir that holds the data dirs, e.g. "ext4 on /dev/vda". */
  fileSystem: string;
  loadBefore: number[];
}

export function describeMachine(): Machine {
  let cpuModel = cpus()[0]?.model ?? '?';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not linux
  }
  const args = /\.m?ts$/.test(SAMSA_BIN) ? ['--import', 'tsx', SAMSA_BIN, '--version'] : [SAMSA_BIN, '--version'];
  const v = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const lines = (v.stdout ?? '').trim().split('\n');
  const accel = /accel:\s*(.*)/.exec(v.stdout ?? '')?.[1] ?? 'unknown';
  let fileSystem = '?';
  try {
    const out = execFileSync('df', ['--output=fstype,source', tmpdir()], { encoding: 'utf8' }).trim().split('\n').pop()!.trim().split(/\s+/);
    fileSystem = `${out[0]} on ${out[1]}`;
  } catch {
    // no df -T
  }
  return {
    cpuModel,
    cores: cpus().length,
    ramGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    samsa: lines[0] ?? '?',
    accel,
    fileSystem,
    loadBefore: loadavg(),
  };
}

const hasTool = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
let dropSupported: boolean | null = null;

/** Writes back and drops the files' pages from the page cache; returns the bytes still cached (NaN if it cannot tell). */
export function dropFromPageCache(files: string[]): { dropped: boolean; residentBytes: number } {
  dropSupported ??= hasTool('dd', ['if=/dev/null', 'iflag=nocache', 'count=0', 'status=none']);
  execFileSync('sync');
  if (dropSupported) for (const f of files) execFileSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
  return { dropped: dropSupported, residentBytes: residentBytes(files) };
}

/** Bytes of the files in the page cache (fincore), NaN when fincore is missing. */
export function residentBytes(files: string[]): number {
  if (files.length === 0) return 0;
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', ...files], { encoding: 'utf8' });
    return out
      .trim()
      .split('\n')
      .reduce((a, l) => a + Number(l.trim() || 0), 0);
  } catch {
    return NaN;
  }
}

/** Runs `fn` and measures how many cores the whole machine kept busy meanwhile (/proc/stat). */
export async function measuringMachine<T>(fn: () => Promise<T>): Promise<{ value: T; machineCores: number }> {
  const s0 = systemCpu();
  const t0 = performance.now();
  const value = await fn();
  const machineCores = (systemCpu().busy - s0.busy) / ((performance.now() - t0) / 1000);
  return { value, machineCores };
}
