// `samsa bench produce --key-cardinality`: keyed records land where Kafka's default partitioner
// puts them (toPositive(murmur2(key)) % partitions), checked by reading the topic back with
// kafkajs, whose DefaultPartitioner is Java-compatible.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { endOffsets } from '../../src/bench/session.js';
import { parseBootstrap } from '../../src/cli/topics/options.js';
import { partitionForKey } from '../../src/bench/murmur2.js';
import { samsa } from './helpers.js';
import type { BenchResult } from '../../src/bench/types.js';

const { Kafka, logLevel } = kafkajs;
let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});
test.after(async () => {
  await broker.close();
});

async function readAll(topic: string, count: number): Promise<{ partition: number; key: string | null }[]> {
  const kafka = new Kafka({ clientId: 'keyed-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `read-${topic}`, maxWaitTimeInMs: 100 });
  const out: { partition: number; key: string | null }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${out.length} of ${count} records in 60 s`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          out.push({ partition, key: message.key ? message.key.toString('latin1') : null });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

test('--key-cardinality 50 into 4 partitions: each key only in toPositive(murmur2(key)) % 4', async () => {
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'keyed',
    '--create-topic',
    '--partitions',
    '4',
    '--key-cardinality',
    '50',
    '--records',
    '6000',
    '--batch-size',
    '4096',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const res = JSON.parse(r.stdout) as BenchResult;
  assert.is(res.records, 6000);
  const ends = await endOffsets(parseBootstrap(broker.bootstrap, ''), 10_000, 'keyed');
  assert.is(
    [...ends.values()].reduce((a, x) => a + x, 0),
    6000,
  );
  const records = await readAll('keyed', 6000);
  assert.is(records.length, 6000);
  const perPartition = [0, 0, 0, 0];
  const keysSeen = new Set<string>();
  for (const { partition, key } of records) {
    assert.ok(key !== null && /^key-\d+$/.test(key), `a key, got ${key}`);
    assert.ok(Number(key.slice(4)) < 50, key);
    assert.is(partition, partitionForKey(Buffer.from(key, 'latin1'), 4), `${key} in partition ${partition}`);
    perPartition[partition]!++;
    keysSeen.add(key);
  }
  for (let p = 0; p < 4; p++) assert.is(perPartition[p], ends.get(p), `partition ${p}: records read = its log end offset`);
  assert.ok(keysSeen.size > 40, `most of the 50 keys appear (${keysSeen.size})`);
  // Partitions get records in proportion to their keys, so none of the four is left empty here.
  const keysPer = [0, 0, 0, 0];
  for (let i = 0; i < 50; i++) keysPer[partitionForKey(Buffer.from(`key-${i}`), 4)]!++;
  for (let p = 0; p < 4; p++) if (keysPer[p]! > 0) assert.ok(perPartition[p]! > 0, `partition ${p} has ${keysPer[p]} keys and some records`);
});

test('null keys (cardinality 0) still spread over every partition', async () => {
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'unkeyed',
    '--create-topic',
    '--partitions',
    '4',
    '--records',
    '4000',
    '--batch-size',
    '4096',
    '--json',
  );
  assert.is(r.code, 0, r.stderr);
  const ends = await endOffsets(parseBootstrap(broker.bootstrap, ''), 10_000, 'unkeyed');
  assert.is(
    [...ends.values()].reduce((a, x) => a + x, 0),
    4000,
  );
  for (const [p, e] of ends) assert.ok(e > 0, `partition ${p} got records`);
});

test.run();
