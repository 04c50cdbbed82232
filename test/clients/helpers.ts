// Shared by the real-client integration tests: runs a client program (kcat, /usr/bin/python3) as a
// child process against a real samsa broker, bounded by a timeout so a hang fails instead of blocking.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// The Debian python, which has python3-kafka (kafka-python 2.0.2) and python3-confluent-kafka.
export const PYTHON = '/usr/bin/python3';
export const PY_DIR = join(dirname(fileURLToPath(import.meta.url)), 'py');
export const CHILD_TIMEOUT_MS = 60_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Runs `cmd args`; resolves with its exit code and output, rejects if it is still running after
// `timeoutMs` (the child is killed) or cannot be started at all.
export function run(cmd: string, args: readonly string[], timeoutMs = CHILD_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException & { killed?: boolean }).killed) {
        reject(new Error(`${cmd} ${args.join(' ')} still running after ${timeoutMs} ms, killed\nstdout: ${stdout}\nstderr: ${stderr}`));
        return;
      }
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
        reject(new Error(`cannot run ${cmd}: ${err.message}`));
        return;
      }
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

// Runs test/clients/py/<script> with the Debian python and parses the one JSON document it prints
// as its last stdout line. A non-zero exit or unparsable output fails with everything it printed.
export async function runPythonJson<T = any>(script: string, args: readonly string[], timeoutMs = CHILD_TIMEOUT_MS): Promise<T> {
  const r = await run(PYTHON, [join(PY_DIR, script), ...args], timeoutMs);
  const lines = r.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  if (r.code !== 0) throw new Error(`${script} exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${script} printed no JSON\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
