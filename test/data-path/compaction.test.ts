// Log compaction with real clients and real processes.
//
// 1. An in-process broker on disk (log.cleaner.backoff.ms=100): an idempotent kafkajs producer
//    writes keyed updates (plain and gzip batches), deletes some keys with tombstones and brings
//    one back, to a compacted topic with segment.bytes=1 MiB (Kafka's minimum) and
//    min.cleanable.dirty.ratio=0.01. Once the cleaner has run (polled through the broker object,
//    bounded), kcat reads the topic from the beginning (`-C -o beginning -e -f '%k=%s\n'`; a
//    tombstone prints as an empty value) and sees the latest value of every key; samsa's own
//    Fetch checks that every record left is the one written at that offset; a kafkajs consumer
//    reads it all too, across the gaps and empty batches compaction leaves.
// 2. `samsa start` in its own process (log.cleaner.backoff.ms=20): bursts of keyed updates, then
//    kill -9 the moment the cleaner has a `.cleaned` file on disk (or at a random moment), restart,
//    and check after every restart: the latest acknowledged value of every key is there at its
//    offset, every record is intact and appears once, and the cleaner still finishes its work.
//    Needs `npm run build` (bin/samsa.js runs dist/).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Producer } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { compressBatchSync } from '../../src/compression/batch-codec.js';
import { destroyPool } from '../../src/workers/pool.js';
import { run } from '../clients/helpers.js';
import {
  SamsaProcess,
  SAMSA_BIN,
  connectClient,
  createTopic,
  fetchAll,
  freePort,
  produceRaw,
  seededBytes,
  seededRandom,
  sleep,
  withTimeout,
  type Rec,
} from './helpers.js';

const { Kafka, logLevel, CompressionTypes } = kafkajs;

const TOPIC_CONFIG = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(1024 * 1024),
  'min.cleanable.dirty.ratio': '0.01',
  'delete.retention.ms': String(3600_000),
};

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-compaction-'));
  dirs.push(d);
  return d;
}

test.after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await destroyPool();
});

interface Written {
  key: string;
  value: string | null;
}

/** The latest value of every key, by offset. */
function latestOf(byOffset: Map<number, Written>): Map<string, { offset: number; value: string | null }> {
  const out = new Map<string, { offset: number; value: string | null }>();
  for (const [offset, w] of [...byOffset].sort((a, b) => a[0] - b[0])) out.set(w.key, { offset, value: w.value });
  return out;
}

/** Every fetched record is the one written at its offset; offsets increase; the latest of every key is there. */
function checkLog(records: Rec[], written: Map<number, Written>, what: string): void {
  let last = -1;
  const at = new Map<number, Rec>();
  for (const r of records) {
    assert.ok(r.offset > last, `${what}: offset ${r.offset} after ${last}`);
    last = r.offset;
    at.set(r.offset, r);
    const w = written.get(r.offset);
    if (!w) continue; // written but not acknowledged (process test): nothing to compare with
    assert.is(r.key?.toString(), w.key, `${what}: key at ${r.offset}`);
    assert.is(r.value === null ? null : r.value.toString(), w.value, `${what}: value at ${r.offset}`);
  }
  for (const [key, l] of latestOf(written)) {
    const r = at.get(l.offset);
    assert.ok(r, `${what}: the latest record of ${key} (offset ${l.offset}) is missing`);
  }
}

// ---- 1. real clients against an in-process broker ----

test('kafkajs writes keyed updates and tombstones; after cleaning kcat and kafkajs see the latest value of every key', async () => {
  const dataDir = tempDir();
  const broker: Broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', config: { 'log.cleaner.backoff.ms': 100 } });
  let client: ClientConnection | null = null;
  let producer: Producer | null = null;
  try {
    const topic = 'compacted-kjs';
    client = await connectClient(broker.bootstrap);
    await createTopic(client, topic, 1, TOPIC_CONFIG);
    const kafka = new Kafka({ clientId: 'compaction-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const written = new Map<number, Written>();
    const rand = seededRandom(534);
    // Values that gzip cannot shrink much, so that gzip batches fill segments too.
    const pad = () => seededBytes(rand, 450).toString('hex');
    let n = 0;
    const send = async (messages: Array<{ key: string; value: string | null }>, gzip: boolean) => {
      const [meta] = await withTimeout(
        producer!.send({
          topic,
          acks: -1,
          compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None,
          messages: messages.map((m) => ({ ...m, partition: 0 })),
        }),
        30_000,
        'kafkajs send',
      );
      const base = Number(meta!.baseOffset);
      messages.forEach((m, i) => written.set(base + i, m));
    };
    // ~4.5 MB of updates over 60 keys: several 1 MiB segments.
    for (let b = 0; b < 250; b++) {
      const msgs: Written[] = Array.from({ length: 20 }, () => ({ key: `key-${Math.floor(rand() * 60)}`, value: `v${n++}-${pad()}` }));
      if (b === 120) for (let k = 0; k < 5; k++) msgs.push({ key: `key-${k}`, value: null }); // delete key-0..4
      if (b === 160) msgs.push({ key: 'key-0', value: `back-${n++}` }); // key-0 comes back
      if (b > 120) for (const m of msgs) if (/^key-[0-4]$/.test(m.key) && m.key !== 'key-0') m.key = `key-${5 + Math.floor(rand() * 55)}`;
      if (b > 160) for (const m of msgs) if (m.key === 'key-0') m.key = 'key-59';
      await send(msgs, b % 3 === 0);
    }
    const plog = broker.logManager.get(topic, 0)!;
    const activeBase = plog.activeSegment.baseOffset;
    let bytesWritten = 0;
    for (const w of written.values()) bytesWritten += w.key.length + (w.value?.length ?? 0);
    assert.ok(activeBase > written.size / 4, `several segments were rolled (the active one starts at ${activeBase})`);
    // Wait (bounded) until the cleaner has cleaned up to the active segment.
    const deadline = Date.now() + 60_000;
    while ((broker.logManager.cleaner.checkpointOf(`${topic}-0`) ?? 0) < activeBase) {
      if (Date.now() > deadline)
        assert.unreachable(`the cleaner did not run: checkpoint ${broker.logManager.cleaner.checkpointOf(`${topic}-0`)}, active segment ${activeBase}`);
      await sleep(50);
    }
    assert.ok(plog.sizeInBytes < bytesWritten / 2, `log size ${plog.sizeInBytes} for ${bytesWritten} bytes of keys and values written`);

    // kcat from the beginning: the last line of every key is its latest value.
    const r = await run('kcat', ['-b', broker.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k=%s\\n'], 60_000);
    assert.is(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    const seen = new Map<string, string>();
    for (const l of lines) {
      const eq = l.indexOf('=');
      seen.set(l.slice(0, eq), l.slice(eq + 1));
    }
    const latest = latestOf(written);
    for (const [key, l] of latest) assert.is(seen.get(key), l.value ?? '', `kcat: latest value of ${key}`);
    assert.equal([...seen.keys()].sort(), [...latest.keys()].sort(), 'kcat: the same keys');
    assert.ok(lines.length < written.size / 2, `kcat read ${lines.length} records of ${written.size} written`);
    assert.is(latest.get('key-1')!.value, null, 'key-1 was deleted');
    assert.ok(latest.get('key-0')!.value!.startsWith('back-'), 'key-0 came back');
    assert.ok(lines.includes('key-1='), 'the tombstone of key-1 is still there (before delete.retention.ms)');

    // samsa's Fetch: every record is the one written at its offset.
    const fetched = await fetchAll(client, topic, 0);
    checkLog(fetched.records, written, 'Fetch');
    assert.ok(
      fetched.batches.some((b) => b.header.compression === 1 && b.header.recordCount < 20),
      'some gzip batches were rebuilt',
    );
    assert.ok(
      fetched.batches.some((b) => b.header.producerId >= 0),
      'the producer id stays on the batches',
    );

    // kafkajs consumer from the start, across gaps and empty batches.
    const consumer = kafka.consumer({ groupId: 'compaction-reader', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = new Map<string, string | null>();
    let count = 0;
    const hw = fetched.highWatermark;
    let reached!: () => void;
    const done = new Promise<void>((res) => (reached = res));
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.set(message.key!.toString(), message.value === null ? null : message.value.toString());
        count++;
        if (Number(message.offset) === hw - 1) reached();
      },
    });
    await withTimeout(done, 60_000, 'kafkajs consumer reaching the end of the log');
    await consumer.disconnect();
    for (const [key, l] of latest) assert.is(got.get(key), l.value, `kafkajs: latest value of ${key}`);
    assert.is(count, fetched.records.length, 'kafkajs read each record once');
  } finally {
    await producer?.disconnect().catch(() => undefined);
    client?.close();
    await broker.close();
  }
});

// ---- 2. kill -9 during cleaning ----

test('kill -9 while the cleaner runs loses nothing (samsa start in its own process)', async () => {
  assert.ok(existsSync(SAMSA_BIN), 'bin/samsa.js');
  const dataDir = tempDir();
  const port = await freePort();
  const topic = 'compacted-crash';
  const args = ['--set', 'log.cleaner.backoff.ms=20'];
  const ROUNDS = 6;
  let samsa = new SamsaProcess(port, dataDir, args);
  let client: ClientConnection | null = null;
  const written = new Map<number, Written>(); // acknowledged records (and unacknowledged ones found in the log)
  const unacked = new Map<string, string>(); // value -> key of records sent without an answer
  const rand = seededRandom(354);
  let n = 0;
  let killsDuringClean = 0;
  // Many keys, so the clean part of the log stays large and every clean rewrites megabytes; half
  // the batches gzip, which the cleaner must decompress and recompress: cleans take a while.
  const KEYS = 1500;
  try {
    await samsa.ready();
    client = await connectClient(samsa.bootstrap);
    await createTopic(client, topic, 1, TOPIC_CONFIG);
    const partDir = join(dataDir, `${topic}-0`);
    for (let round = 0; round < ROUNDS; round++) {
      const c = client;
      let stop = false;
      // A burst of updates (~3 MB), tombstones now and then, until the kill.
      const burst = (async () => {
        for (let b = 0; b < 80 && !stop; b++) {
          const recs: Written[] = Array.from({ length: 20 }, () => {
            const key = `k${Math.floor(rand() * KEYS)}`;
            return { key, value: rand() < 0.03 ? null : `r${round}-${n++}-${seededBytes(rand, 950).toString('hex')}` };
          });
          let batch = buildBatch(recs.map((r) => ({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })));
          if (b % 2 === 1) batch = compressBatchSync(batch, 1);
          for (const r of recs) if (r.value !== null) unacked.set(r.value, r.key);
          try {
            const [res] = await produceRaw(c, topic, [{ index: 0, records: batch }], { acks: -1 });
            if (res!.errorCode !== 0) return;
            recs.forEach((r, i) => {
              written.set(res!.baseOffset + i, r);
              if (r.value !== null) unacked.delete(r.value);
            });
          } catch {
            return; // the broker was killed: this batch may or may not be in the log
          }
        }
      })();
      // Kill: on even rounds the moment the cleaner has a cleaned segment on disk, else at a random
      // moment of the burst.
      await sleep(300 + Math.floor(rand() * 700));
      if (round % 2 === 0) {
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline && !readdirSync(partDir).some((f) => f.endsWith('.cleaned') || f.endsWith('.swap')))
          await new Promise((r) => setImmediate(r));
      }
      samsa.child.kill('SIGKILL');
      stop = true;
      await samsa.stop('SIGKILL');
      await burst;
      client.close();
      client = null;
      if (readdirSync(partDir).some((f) => /\.(cleaned|swap)$/.test(f))) killsDuringClean++;
      samsa = new SamsaProcess(port, dataDir, args);
      await samsa.ready();
      client = await connectClient(samsa.bootstrap);
      const fetched = await fetchAll(client, topic, 0);
      // A batch sent without an answer is in the log whole or not at all; if it is, it counts.
      for (const r of fetched.records) {
        if (written.has(r.offset)) continue;
        const key = r.value === null ? undefined : unacked.get(r.value.toString());
        const tombstone = r.value === null && r.key !== null;
        assert.ok(key !== undefined || tombstone, `after kill ${round + 1}: record ${r.offset} was never sent`);
        written.set(r.offset, { key: r.key!.toString(), value: r.value === null ? null : r.value.toString() });
      }
      unacked.clear();
      checkLog(fetched.records, written, `after kill ${round + 1}`);
    }
    console.log(`  kill -9 rounds that caught the cleaner mid-clean (.cleaned or .swap files on disk): ${killsDuringClean} of ${ROUNDS}`);
    // How many kills land mid-clean depends on timing (machine load); the crash at every step of
    // the swap protocol is covered deterministically in test/storage/cleaner.test.ts. Here the
    // assertions are the ones above: nothing acknowledged is lost, whatever the timing.
    // The restarted cleaner finishes the job: the log ends up compacted.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const fetched = await fetchAll(client, topic, 0);
      checkLog(fetched.records, written, 'at the end');
      if (fetched.records.length < written.size / 2) break;
      if (Date.now() > deadline) assert.unreachable(`not compacted: ${fetched.records.length} records of ${written.size}`);
      await sleep(200);
    }
  } finally {
    client?.close();
    await samsa.stop('SIGKILL').catch(() => undefined);
  }
});

test.run();
