// The fuzz corpus: every client->broker request frame of the golden captures (../shared/kafka-golden,
// one JSON line per frame, `hex` = the payload without its 4-byte size prefix), in file order so
// that a seed picks the same frames on every machine holding the same captures.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SeedFrame {
  file: string;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  /** The request payload (header + body), without the size prefix. */
  payload: Buffer;
}

export const GOLDEN_DIR = fileURLToPath(new URL('../../../shared/kafka-golden', import.meta.url));

export function loadCorpus(dir = GOLDEN_DIR): SeedFrame[] {
  if (!existsSync(dir)) throw new Error(`golden captures not found at ${dir} (expected ../shared/kafka-golden)`);
  const out: SeedFrame[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const j = JSON.parse(line) as { dir: string; apiKey: number; apiName: string; apiVersion: number; hex: string };
      if (j.dir !== 'request') continue;
      out.push({ file, apiKey: j.apiKey, apiName: j.apiName, apiVersion: j.apiVersion, payload: Buffer.from(j.hex, 'hex') });
    }
  }
  if (out.length === 0) throw new Error(`no request frames in ${dir}`);
  return out;
}
