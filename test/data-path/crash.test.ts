// kill -9 while writing: samsa runs in its own process in disk mode; a producer (samsa's own client,
// Produce acks=1 with hand-built batches, up to 4 requests in flight, no retries) writes unique
// payloads continuously while the broker is SIGKILLed at seeded random moments and restarted on the
// same dir and port, 5 times. Afterwards, and after each restart: every acknowledged record is in
// the log exactly once, at the offset its ProduceResponse named; offsets have no gaps; no payload
// appears twice; a batch that was not acknowledged is either wholly there or wholly absent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch } from '../../src/protocol/records/build.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { SamsaProcess, connectClient, createTopic, fetchAll, freePort, listOffset, produceRaw, seededRandom, sleep, LATEST } from './helpers.js';

const TOPIC = 'crash-data';
const PARTITIONS = 3;
const KILLS = 5;
const IN_FLIGHT = 4;
// SAMSA_CRASH_SEED=<n> replays another schedule of kills and payloads.
const SEED = Number(process.env.SAMSA_CRASH_SEED ?? 0x5a15a);

interface SentBatch {
  partition: number;
  payloads: string[];
  state: 'pending' | 'acked' | 'unknown';
  baseOffset: number;
  error?: string;
}

let dir: string;
let port: number;
let samsa: SamsaProcess | null = null;
const batches: SentBatch[] = [];
let seq = 0;
let stopProducing = false;
let currentConn: ClientConnection | null = null;
const restartChecks: string[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-crash-'));
  port = await freePort();
});

test.after(async () => {
  stopProducing = true;
  currentConn?.close();
  if (samsa) await samsa.stop('SIGKILL').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

// One producer "thread": sends batches one after another on the shared connection; several run at
// once to keep IN_FLIGHT requests outstanding. A failed send is never retried.
async function producerLane(lane: number, rand: () => number): Promise<void> {
  while (!stopProducing) {
    const c = currentConn;
    if (c === null || c.closed) {
      await sleep(10);
      continue;
    }
    const partition = (lane + seq) % PARTITIONS;
    const n = 1 + Math.floor(rand() * 12);
    const payloads: string[] = [];
    for (let i = 0; i < n; i++) payloads.push(`seq-${seq++}|${'p'.repeat(Math.floor(rand() * 600))}`);
    const b: SentBatch = { partition, payloads, state: 'pending', baseOffset: -1 };
    batches.push(b);
    const records = buildBatch(payloads.map((p) => ({ key: Buffer.from(`lane-${lane}`), value: Buffer.from(p) })));
    try {
      const [r] = await produceRaw(c, TOPIC, [{ index: partition, records }], { acks: 1, timeoutMs: 10_000 });
      if (r!.errorCode === 0) {
        b.state = 'acked';
        b.baseOffset = r!.baseOffset;
      } else {
        b.state = 'unknown';
        b.error = `error ${r!.errorCode} ${r!.errorMessage ?? ''}`;
      }
    } catch (err) {
      b.state = 'unknown';
      b.error = (err as Error).message;
      await sleep(5);
    }
  }
}

// Keeps a connection to whatever samsa process is listening on the port.
async function connector(): Promise<void> {
  while (!stopProducing) {
    if (currentConn === null || currentConn.closed) {
      try {
        currentConn = await connectClient(`127.0.0.1:${port}`, 'crash-producer');
      } catch {
        await sleep(20);
      }
    } else {
      await sleep(10);
    }
  }
}

// For each partition, the end of the acknowledged data: max(baseOffset + count).
function ackedEnds(): number[] {
  const ends = new Array<number>(PARTITIONS).fill(0);
  for (const b of batches) if (b.state === 'acked') ends[b.partition] = Math.max(ends[b.partition]!, b.baseOffset + b.payloads.length);
  return ends;
}

test(`kill -9 at ${KILLS} random moments while a producer writes with acks=1; restart on the same dir each time`, async () => {
  const rand = seededRandom(SEED);
  samsa = new SamsaProcess(port, dir);
  await samsa.ready();
  const setup = await connectClient(samsa.bootstrap);
  await createTopic(setup, TOPIC, PARTITIONS, { 'segment.bytes': String(1024 * 1024) });
  setup.close();

  const lanes = [connector(), ...Array.from({ length: IN_FLIGHT }, (_, i) => producerLane(i, seededRandom(SEED + i + 1)))];
  try {
    for (let k = 0; k < KILLS; k++) {
      const ackedBefore = batches.filter((b) => b.state === 'acked').length;
      const delay = 100 + Math.floor(rand() * 500);
      // Let the producer get going on this incarnation before the countdown starts.
      const waitStart = Date.now();
      while (batches.filter((b) => b.state === 'acked').length === ackedBefore && Date.now() - waitStart < 10_000) await sleep(5);
      assert.ok(batches.filter((b) => b.state === 'acked').length > ackedBefore, `incarnation ${k}: no acknowledged produce within 10 s`);
      await sleep(delay);
      const exit = await samsa.stop('SIGKILL');
      assert.is(exit.signal, 'SIGKILL', `kill ${k}`);
      samsa = new SamsaProcess(port, dir);
      await samsa.ready();
      // Nothing acknowledged so far is missing from the log end offsets.
      const check = await connectClient(samsa.bootstrap);
      try {
        const ends = ackedEnds();
        for (let p = 0; p < PARTITIONS; p++) {
          const latest = await listOffset(check, TOPIC, p, LATEST);
          if (latest.offset < ends[p]!)
            restartChecks.push(`after kill ${k} (at +${delay} ms): partition ${p} log end ${latest.offset} < acknowledged end ${ends[p]}`);
        }
      } finally {
        check.close();
      }
    }
    // The last incarnation takes some writes too.
    await sleep(300);
  } finally {
    stopProducing = true;
    await Promise.all(lanes);
  }
  assert.equal(restartChecks, [], 'acknowledged data present after every restart');
  assert.ok(batches.filter((b) => b.state === 'acked').length > 50, 'enough acknowledged batches to mean something');
});

test('every acknowledged record is in the log exactly once at its acknowledged offset; no gaps, no duplicates, no torn batches', async () => {
  const c = await connectClient(samsa!.bootstrap);
  const logs: string[][] = [];
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const f = await fetchAll(c, TOPIC, p, { partitionMaxBytes: 1024 * 1024, timeoutMs: 60_000 });
      f.records.forEach((r, i) => assert.is(r.offset, i, `partition ${p}: offset ${i} present (no gap)`));
      let next = 0;
      for (const b of f.batches) {
        assert.is(b.header.baseOffset, next, `partition ${p}: batches are contiguous`);
        next = b.header.baseOffset + b.header.lastOffsetDelta + 1;
      }
      assert.is(next, f.highWatermark, `partition ${p}: batches reach the high watermark`);
      logs.push(f.records.map((r) => r.value!.toString()));
    }
  } finally {
    c.close();
  }

  const where = new Map<string, Array<[number, number]>>();
  logs.forEach((log, p) => log.forEach((v, o) => where.set(v, [...(where.get(v) ?? []), [p, o]])));
  const duplicates = [...where.entries()].filter(([, at]) => at.length > 1).map(([v, at]) => `${v.split('|')[0]} at ${JSON.stringify(at)}`);
  assert.equal(duplicates.slice(0, 10), [], `${duplicates.length} payloads appear more than once`);

  const problems: string[] = [];
  let acked = 0;
  let unknownPresent = 0;
  let unknownAbsent = 0;
  for (const b of batches) {
    if (b.state === 'acked') {
      acked += b.payloads.length;
      b.payloads.forEach((v, j) => {
        const got = logs[b.partition]![b.baseOffset + j];
        if (got !== v)
          problems.push(
            `acknowledged ${v.split('|')[0]} (partition ${b.partition} offset ${b.baseOffset + j}): log has ${got === undefined ? 'nothing' : got.split('|')[0]}`,
          );
      });
    } else {
      const at = b.payloads.map((v) => where.get(v)?.[0]);
      const present = at.filter((x) => x !== undefined).length;
      if (present === 0) unknownAbsent++;
      else if (present === b.payloads.length && at.every((x, j) => x![0] === b.partition && x![1] === at[0]![1] + j)) unknownPresent++;
      else problems.push(`unacknowledged batch ${b.payloads[0]!.split('|')[0]}.. (${b.payloads.length} records) is partly in the log: ${JSON.stringify(at)}`);
    }
  }
  assert.equal(problems.slice(0, 10), [], `${problems.length} problems`);
  const payloadsInLog = logs.reduce((a, l) => a + l.length, 0);
  // Every record in the log is one that was sent.
  const sentPayloads = new Set(batches.flatMap((b) => b.payloads));
  assert.ok(
    logs.every((l) => l.every((v) => sentPayloads.has(v))),
    'the log holds only payloads that were sent',
  );
  console.log(
    `  crash: ${batches.length} batches sent, ${acked} records acknowledged, ${payloadsInLog} in the log; unacknowledged batches present ${unknownPresent}, absent ${unknownAbsent}`,
  );
});

test('the final incarnation exits 0 on SIGTERM', async () => {
  const exit = await samsa!.stop('SIGTERM');
  assert.equal(exit, { code: 0, signal: null }, samsa!.output);
  samsa = null;
});

test.run();
