// The real client frames in ../shared/kafka-golden live beside the checkout, not in it. A file
// whose every case reads them says `// requires: golden` and scripts/run-tests.mjs skips it
// whole; a file where only some cases do registers those with goldenTest, which skips just them
// when the captures are absent (the runner prints the `skipped:` line) and runs the rest.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Callback, Test } from 'uvu';
import { CODECS, HEADERS } from '../src/protocol/generated/index.js';
import { Reader } from '../src/protocol/primitives/index.js';
import { requestHeaderVersion } from '../src/protocol/headers.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../../shared/kafka-golden', import.meta.url));
export const HAS_GOLDEN = existsSync(GOLDEN_DIR);

/** `t(name, fn)` when the captures are there; otherwise the case is skipped, saying why. */
export function goldenTest<T>(t: Test<T>, name: string, fn: Callback<T>): void {
  if (HAS_GOLDEN) return t(name, fn);
  console.log(`skipped: ${name}: needs golden (../shared/kafka-golden beside the checkout)`);
  t.skip(name, fn);
}

export interface GoldenProduce {
  file: string;
  version: number;
  records: Buffer;
}

/** The records of every partition of every captured Produce request, files in name order; none without the captures. */
export function goldenProduceRecords(): GoldenProduce[] {
  const out: GoldenProduce[] = [];
  if (!HAS_GOLDEN) return out;
  for (const file of readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    for (const line of readFileSync(join(GOLDEN_DIR, file), 'utf8').split('\n')) {
      if (!line) continue;
      const f = JSON.parse(line);
      if (f.dir !== 'request' || f.apiKey !== 0) continue;
      const r = new Reader(Buffer.from(f.hex, 'hex'));
      HEADERS.RequestHeader.decode(r, requestHeaderVersion(0, f.apiVersion));
      const req = CODECS.get(0)!.request.decode(r, f.apiVersion) as { topicData: Array<{ partitionData: Array<{ records: Buffer }> }> };
      for (const t of req.topicData) for (const p of t.partitionData) out.push({ file, version: f.apiVersion, records: p.records });
    }
  }
  return out;
}
