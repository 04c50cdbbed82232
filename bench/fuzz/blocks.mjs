// Reads what `soak.ts --diagnose DIR` left (loop.jsonl, broker.cpuprofile) and says, for each
// event-loop block of at least --min-ms, what the broker's main thread ran during it: the
// functions with the most samples (self), and the samsa frames on the stack most often
// (inclusive: which request or timer did the work).
//   node bench/fuzz/blocks.mjs DIR [--min-ms 500] [--top 12]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'min-ms': { type: 'string', default: '500' },
    top: { type: 'string', default: '12' },
    'max-ms': { type: 'string', default: 'Infinity' },
    aggregate: { type: 'boolean', default: false },
  },
});
const dir = positionals[0];
const minMs = Number(a['min-ms']);
const top = Number(a.top);
const events = readFileSync(join(dir, 'loop.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const start = events.find((e) => e.kind === 'start');
const prof = JSON.parse(readFileSync(join(dir, 'broker.cpuprofile'), 'utf8'));

const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const times = [];
let t = prof.startTime;
for (const d of prof.timeDeltas) times.push((t += d));
const name = (n) => {
  const f = n.callFrame;
  const file = f.url ? f.url.replace(/^.*\//, '') : '';
  return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`;
};

function window(ranges) {
  const self = new Map();
  const incl = new Map();
  let n = 0;
  let idle = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    if (!ranges.some(([t0, t1]) => times[i] >= t0 && times[i] <= t1)) continue;
    n++;
    const node = byId.get(prof.samples[i]);
    if (node.callFrame.functionName === '(idle)') idle++;
    self.set(name(node), (self.get(name(node)) ?? 0) + 1);
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const m = byId.get(id);
      if (!m.callFrame.url || !/samsa-cli|dist\//.test(m.callFrame.url)) continue;
      const k = name(m);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + 1);
    }
  }
  const fmt = (m) =>
    [...m]
      .sort((x, y) => y[1] - x[1])
      .slice(0, top)
      .map(([k, v]) => `    ${String(v).padStart(6)}  ${k}`);
  return { n, idle, self: fmt(self), incl: fmt(incl) };
}

const maxMs = Number(a['max-ms']);
const blocks = events.filter((e) => e.kind === 'block' && e.gapMs >= minMs && e.gapMs <= maxMs);
const all = events.filter((e) => e.kind === 'block');
console.log(
  `${all.length} blocks of >= 100 ms (${all.reduce((s, e) => s + e.gapMs, 0)} ms), ${blocks.length} in [${minMs}, ${maxMs}] ms; profile ${((prof.endTime - prof.startTime) / 1e6).toFixed(0)} s, ${prof.samples.length} samples`,
);
const range = (b) => [b.hrUs - b.gapMs * 1000, b.hrUs];
const report = (title, ranges) => {
  const w = window(ranges);
  console.log(`\n${title}; ${w.n} samples (${w.idle} idle)`);
  console.log('  self:');
  console.log(w.self.join('\n'));
  console.log('  on the stack (samsa frames):');
  console.log(w.incl.join('\n'));
};
if (a.aggregate) {
  const gap = blocks.reduce((s, e) => s + e.gapMs, 0);
  const cpu = blocks.reduce((s, e) => s + e.cpuMs, 0);
  report(`all ${blocks.length} blocks together: ${gap} ms blocked, ${cpu} ms CPU`, blocks.map(range));
} else {
  for (const b of blocks) report(`+${((range(b)[0] - start.hrUs) / 1e6).toFixed(1)} s: loop blocked ${b.gapMs} ms, ${b.cpuMs} ms CPU`, [range(b)]);
}
const gcs = events.filter((e) => e.kind === 'gc');
const gcMs = gcs.reduce((s, e) => s + e.ms, 0);
console.log(`\nGC pauses of >= 20 ms: ${gcs.length}, ${gcMs} ms in all, longest ${Math.max(0, ...gcs.map((e) => e.ms))} ms`);
