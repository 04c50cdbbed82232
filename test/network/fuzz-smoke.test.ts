// A small, seeded slice of the fuzz soak (bench/fuzz, `npm run bench:fuzz`): 5,000 mutated real
// client frames (the golden captures) over 16 connections against an in-process broker, with a
// legitimate client mid-conversation. Afterwards the broker must still serve that client and a
// new one, keep what was acknowledged, and have logged no internal error. A failure names the
// seed; `node --import tsx bench/fuzz/replay.ts --seed 11 --from 0 --to 5000` finds the frame.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { createLogger } from '../../src/log.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { loadCorpus } from '../../bench/fuzz/corpus.js';
import { sendMutants } from '../../bench/fuzz/sender.js';
import { probeOnce } from '../../bench/fuzz/probe.js';
import { connectClient, createTopic, produceRaw, fetchAll, withTimeout } from '../data-path/helpers.js';

const SEED = 11;
const FRAMES = 5000;

const errorLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    for (const l of String(chunk).split('\n')) {
      if (!l) continue;
      try {
        if ((JSON.parse(l) as { level: number }).level >= 50) errorLines.push(l);
      } catch {
        errorLines.push(l);
      }
    }
    cb();
  },
});

let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logger: createLogger('info', sink) });
});

test.after(async () => {
  await broker.close();
});

test(`${FRAMES} mutated golden frames (seed ${SEED}): the broker keeps serving and keeps what it acknowledged`, async () => {
  const legit = await connectClient(`127.0.0.1:${broker.port}`, 'fuzz-smoke-legit');
  await createTopic(legit, 'fuzz-smoke', 1);
  const acked: string[] = [];
  const produce = async (n: number) => {
    const values = Array.from({ length: 10 }, (_, i) => `${n}-${i}`);
    const [p] = await produceRaw(legit, 'fuzz-smoke', [{ index: 0, records: buildBatch(values.map((v) => ({ key: null, value: Buffer.from(v) }))) }]);
    assert.is(p!.errorCode, 0, `legit produce ${n} failed: ${p!.errorMessage}`);
    acked.push(...values);
  };
  await produce(0);

  let batches = 1;
  const r = await sendMutants({
    port: broker.port,
    corpus: loadCorpus(),
    seed: SEED,
    frames: FRAMES,
    connections: 16,
    maxSeconds: 120,
    quietMs: 50,
    // The legitimate client keeps producing while the fuzz runs, on its own connection.
    onOutcome: (i) => {
      if (i % 500 === 0) void produce(batches++).catch(() => {});
    },
  });
  assert.is(r.sent, FRAMES, `all frames sent (stopped by ${r.stoppedBy})`);
  assert.is(r.outcomes.refused, 0, 'every fuzz connection was accepted');
  assert.equal(r.anomalies, [], 'every answer carried the correlation id of its request');

  await produce(batches++);
  assert.not.ok(legit.closed, 'the legitimate connection was not disturbed');
  await withTimeout(probeOnce(broker.port, 'fuzz-smoke', 2000), 5000, 'a fresh client');
  const got = await fetchAll(legit, 'fuzz-smoke', 0, { timeoutMs: 10_000 });
  const values = got.records.map((x) => x.value?.toString());
  for (const v of acked) assert.ok(values.includes(v), `acknowledged record ${v} is readable`);
  assert.is(new Set(values).size, values.length, 'no record twice');
  legit.close();

  assert.equal(errorLines, [], 'no error-level log line (a handler or encoder that threw on some input)');
});

test.run();
