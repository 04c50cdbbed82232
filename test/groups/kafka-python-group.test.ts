// requires: python-kafka
// kafka-python 2.0.2 (Debian's python3-kafka, /usr/bin/python3): the tutorial consumer
// `KafkaConsumer('my_topic', group_id='my-group', auto_offset_reset='earliest',
// enable_auto_commit=True)` as three processes in one group. Once the group is stable, every
// record produced is consumed exactly once across the three; on SIGTERM each closes, committing
// and leaving, and the group's committed offsets cover every record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Producer } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { connect, createTopic, describe, fetchCommitted } from '../coordinator/helpers.js';
import { PyProcess, waitFor, withTimeout } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const PARTITIONS = 6;
const RECORDS = 300;

let broker: Broker;
let client: ClientConnection;
let producer: Producer;
const procs: PyProcess[] = [];

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connect(broker.bootstrap);
  await createTopic(client, 'my_topic', PARTITIONS);
  const kafka = new Kafka({ clientId: 'kp-producer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
});

test.after(async () => {
  for (const p of procs) await p.stop().catch(() => undefined);
  await producer.disconnect();
  client.close();
  await broker.close();
});

test('three tutorial consumers consume every record exactly once', async () => {
  for (let i = 0; i < 3; i++) procs.push(new PyProcess('tutorial_consumer.py', [broker.bootstrap]));
  await waitFor(
    async () => {
      const g = await describe(client, 'my-group');
      return g.groupState === 'Stable' && g.members.length === 3;
    },
    60_000,
    () => `my-group stable with three members (stderr: ${procs.map((p) => p.stderr.slice(-300)).join(' | ')})`,
  );
  const messages = Array.from({ length: RECORDS }, (_, i) => ({ partition: i % PARTITIONS, value: `record-${i}` }));
  await withTimeout(producer.send({ topic: 'my_topic', messages }), 15_000, 'produce');
  const all = () => procs.flatMap((p) => p.lines);
  await waitFor(
    () => new Set(all().map((l) => l.value)).size === RECORDS,
    60_000,
    () => `${new Set(all().map((l) => l.value)).size} of ${RECORDS} consumed`,
  );
  const values = all().map((l) => l.value as string);
  assert.is(values.length, RECORDS, 'no record consumed twice');
  for (const p of procs) assert.ok(p.lines.length > 0, 'every process got partitions');
  // Partitions are not shared.
  const owner = new Map<number, number>();
  procs.forEach((p, i) => {
    for (const l of p.lines) {
      assert.is(owner.get(l.partition) ?? i, i, `partition ${l.partition} read by two processes`);
      owner.set(l.partition, i);
    }
  });
  assert.is(owner.size, PARTITIONS);
});

test('closing the consumers commits their offsets and empties the group', async () => {
  const codes = await Promise.all(procs.map((p) => p.stop()));
  assert.equal(codes, [0, 0, 0], procs.map((p) => p.stderr.slice(-500)).join('\n'));
  const g = await describe(client, 'my-group');
  assert.is(g.groupState, 'Empty');
  const committed = await fetchCommitted(client, 'my-group');
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) total += committed.get(`my_topic:${p}`) ?? 0;
  assert.is(total, RECORDS, 'committed offsets cover every record');
});

test.run();
