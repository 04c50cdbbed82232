// Runs the real CLI in a child process (TypeScript through tsx), asynchronously, so a broker
// started in the test process keeps serving it. A run still going after SAMSA_RUN_LIMIT_MS is
// killed (its code is then null), so a hung bench fails its test instead of the whole file.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const SAMSA_RUN_LIMIT_MS = 120_000;

export function samsa(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', "import('./src/cli/main.ts').then(m => m.main(process.argv.slice(1)))", '--', ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const limit = setTimeout(() => child.kill('SIGKILL'), SAMSA_RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}
