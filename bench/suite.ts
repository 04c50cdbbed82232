// The benchmark suite: samsa (disk and memory, a separate process) driven by the real
// `samsa bench` CLI through a fixed matrix (bench/suite/settings.ts), every cell beside a ceiling
// measured in the same run; writes <out>/latest.md and <out>/latest.json and prints the table.
//
//   npm run bench                      produce, consume and e2e (about 8 min on 2 cores)
//   npm run bench:e2e                  e2e only -> latest-e2e.md / .json
//   node --import tsx bench/suite.ts produce consume     any parts -> latest-produce-consume.*
//
// Knobs (bench/README.md): BENCH_SECONDS, BENCH_INFLIGHT, BENCH_BATCH_SIZE, BENCH_MODES,
// BENCH_FULL_MATRIX, BENCH_CONSUME_MB, BENCH_E2E_SECONDS, BENCH_E2E_RATE, BENCH_E2E_RECORD_SIZE,
// BENCH_E2E_LINGER_MS, BENCH_OUT, BENCH_QUICK=1 (a few tiny cells, for the test).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { ROOT, checkBuilt, freeBytes } from './lib/samsa.js';
import { PARTS, loadSettings, type Part } from './suite/settings.js';
import { describeMachine } from './suite/machine.js';
import { runProduce } from './suite/produce.js';
import { runConsume } from './suite/consume.js';
import { runE2e } from './suite/e2e.js';
import { renderMarkdown, type SuiteReport } from './suite/render.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => !PARTS.includes(a as Part));
if (unknown.length > 0) {
  console.error(`usage: bench/suite.ts [${PARTS.join('] [')}]   (unknown: ${unknown.join(' ')})`);
  process.exit(2);
}
const parts: Part[] = args.length === 0 ? PARTS : PARTS.filter((p) => args.includes(p));
const s = loadSettings(join(ROOT, 'bench', 'results'));
const name = s.quick ? 'quick' : parts.length === PARTS.length ? 'latest' : `latest-${parts.join('-')}`;

const vars = Object.entries(process.env)
  .filter(([k]) => k.startsWith('BENCH_') && k !== 'BENCH_OUT')
  .map(([k, v]) => `${k}=${v}`)
  .sort();
const script =
  parts.length === PARTS.length
    ? 'npm run bench'
    : parts.length === 1 && parts[0] === 'e2e'
      ? 'npm run bench:e2e'
      : `node --import tsx bench/suite.ts ${parts.join(' ')}`;
const command = [...vars, script].join(' ');

checkBuilt();
const free = await freeBytes(tmpdir());
if (free < 10e9 && !s.quick) {
  console.error(`refusing to run: ${(free / 1e9).toFixed(1)} GB free in ${tmpdir()}, the disk cells need about 10 GB`);
  process.exit(1);
}

const machine = describeMachine();
const startedAt = new Date().toISOString();
const t0 = performance.now();
console.log(`# samsa bench suite (${parts.join(', ')}): ${startedAt}`);
console.log(`# ${machine.cores} cores (${machine.cpuModel}), ${machine.ramGiB} GiB, node ${machine.node}, accel ${machine.accel}`);
console.log(`# load average before: ${machine.loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
console.log(`# reproduce: ${command}`);
const log = (line: string) => console.log(line);

const report: SuiteReport = {
  format: 'samsa-bench-suite/1',
  startedAt,
  finishedAt: '',
  seconds: 0,
  command,
  settings: {
    quick: s.quick,
    seconds: s.seconds,
    inflight: s.inflight,
    batchSize: s.batchSize,
    consumeMB: s.consumeMB,
    e2eSeconds: s.e2eSeconds,
    e2eRate: s.e2eRate,
    e2eRecordSize: s.e2eRecordSize,
    e2eLingerMs: s.e2eLingerMs,
    modes: s.modes,
  },
  machine: { ...machine, loadAfter: [] },
};
if (parts.includes('produce')) report.produce = await runProduce(s, log);
if (parts.includes('consume')) report.consume = await runConsume(s, log);
if (parts.includes('e2e')) report.e2e = await runE2e(s, log);
report.machine.loadAfter = loadavg();
report.finishedAt = new Date().toISOString();
report.seconds = (performance.now() - t0) / 1000;

const md = renderMarkdown(report);
mkdirSync(s.out, { recursive: true });
writeFileSync(join(s.out, `${name}.md`), md);
writeFileSync(join(s.out, `${name}.json`), `${JSON.stringify(report, null, 1)}\n`);
console.log('');
console.log(md);
console.log(`written: ${join(s.out, `${name}.md`)} and ${name}.json`);
const failed = [...(report.produce ?? []), ...(report.consume ?? []), ...(report.e2e ?? [])].filter((r) => r.error).length;
if (failed > 0) {
  console.error(`${failed} cell(s) failed`);
  process.exitCode = 1;
}
