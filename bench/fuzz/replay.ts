// Replays frames of a soak run one at a time, each on a new connection, against a fresh broker,
// and names the frames after which the broker logged an error, stopped answering a fresh client
// within 2 s, or exited. This is how a soak finding becomes a (seed, frame) reproduction.
//
//   node --import tsx bench/fuzz/replay.ts --seed 1 --from 0 --to 2000     # find the culprits
//   node --import tsx bench/fuzz/replay.ts --seed 1 --only 1234 --hex      # show one frame
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus } from './corpus.js';
import { mutant } from './mutate.js';
import { startBroker } from './broker.js';
import { sendMutants } from './sender.js';
import { probeOnce } from './probe.js';

const { values: a } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    from: { type: 'string', default: '0' },
    to: { type: 'string' },
    only: { type: 'string' },
    hex: { type: 'boolean', default: false },
    'probe-every': { type: 'string', default: '1' },
    // Then kill -9 the broker and start it again on the same data dir (does start-up survive?).
    restart: { type: 'boolean', default: false },
    'exclude-api': { type: 'string', default: '' },
  },
});
const seed = Number(a.seed);
const corpus = loadCorpus();
const indices = a.only
  ? a.only.split(',').map(Number)
  : Array.from({ length: Number(a.to ?? Number(a.from) + 1000) - Number(a.from) }, (_, i) => Number(a.from) + i);

if (a.hex) {
  for (const i of indices) {
    const m = mutant(corpus, seed, i);
    console.log(`frame ${i}: ${m.desc}\n${m.bytes.toString('hex')}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'samsa-fuzz-replay-'));
let broker = await startBroker(dir);
const every = Number(a['probe-every']);
const excluded = new Set(a['exclude-api']!.split(',').filter(Boolean).map(Number));
const culprits: string[] = [];
try {
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    const m0 = mutant(corpus, seed, i);
    if (excluded.has(m0.apiKey) || excluded.has(corpus[m0.source]!.apiKey)) continue;
    const errorsBefore = broker.log.errorCount;
    let outcome = '';
    await sendMutants({ port: broker.port, corpus, seed, only: [i], frames: 1, connections: 1, maxSeconds: 60, onOutcome: (_i, _m, o) => (outcome = o) });
    let why = '';
    if (k % every === 0 || k === indices.length - 1) {
      try {
        await probeOnce(broker.port, 'fuzz-replay', 2000);
      } catch (err) {
        why = `fresh client unanswered: ${(err as Error).message}`;
      }
    }
    if (broker.exit) why = `broker exited ${JSON.stringify(broker.exit)}`;
    else if (broker.log.errorCount > errorsBefore) why = `error logged: ${broker.log.errors.at(-1)!.slice(0, 400)}`;
    if (why) {
      const m = mutant(corpus, seed, i);
      culprits.push(`frame ${i} (${outcome}): ${m.desc}\n  ${why}\n  hex ${m.bytes.toString('hex').slice(0, 400)}`);
      console.log(culprits.at(-1));
      if (broker.exit || why.startsWith('fresh')) break;
    }
  }
  if (a.restart && !broker.exit) {
    await broker.kill9();
    try {
      broker = await startBroker(dir);
      console.log(`restart after kill -9: ready on port ${broker.port}`);
    } catch (err) {
      culprits.push(`restart after kill -9 failed: ${(err as Error).message.slice(0, 3000)}`);
      console.log(culprits.at(-1));
    }
  }
} finally {
  await broker.stop(5000);
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${indices.length} frames replayed with seed ${seed}; ${culprits.length} findings`);
