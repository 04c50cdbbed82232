// samsa's version, read from its package.json (one source of truth). The CLI runs both from
// dist/cli/ (tsc output) and from the bundle dist/samsa-cli.mjs, so look one and two levels up.
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

// What `samsa --version` prints: the version, and the runtime it runs on. The accel backend
// (native / wasm / js) joins this line once the hot path exists.
export function versionReport(): string {
  return `samsa ${version()} (node ${process.versions.node}, ${process.platform}-${process.arch})`;
}
