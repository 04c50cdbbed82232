// samsa's version, read from its package.json (one source of truth). The CLI runs both from
// dist/cli/ (tsc output) and from the bundle dist/bundle/samsa-cli.mjs, so look one and two levels up.
import { readFileSync, existsSync } from 'node:fs';

let cached: string | null = null;

export function version(): string {
  if (cached === null) {
    const candidates = [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)];
    const path = candidates.find((u) => existsSync(u) && JSON.parse(readFileSync(u, 'utf8')).name === 'samsa');
    cached = path ? (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version : '0.0.0';
  }
  return cached;
}

// What `samsa --version` prints: the version, the runtime, and the hot-path backend in use
// (native / wasm / js, see src/accel/).
export async function versionReport(): Promise<string> {
  const { accelDescription } = await import('../accel/index.js');
  return `samsa ${version()} (node ${process.versions.node}, ${process.platform}-${process.arch})\naccel: ${accelDescription()}`;
}
