// samsa's version, read from its package.json (one source of truth).
import { readFileSync } from 'node:fs';

let cached: string | null = null;

export function version(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}

// What `samsa --version` prints: the version, and the runtime it runs on. The accel backend
// (native / wasm / js) joins this line once the hot path exists.
export function versionReport(): string {
  return `samsa ${version()} (node ${process.versions.node}, ${process.platform}-${process.arch})`;
}
