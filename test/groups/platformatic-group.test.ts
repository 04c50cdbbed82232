// @platformatic/kafka 1.35 consumer groups (classic protocol) against samsa: two consumers share
// a 4-partition topic with every record consumed exactly once, one closes and the other takes over
// its partitions, and a new consumer with the same group id resumes from the committed offsets.
// Records are committed (message.commit()) before they count; records are produced only while the
// group is stable, every earlier record is consumed and every member has re-read its committed
// offsets after its last join (platformatic refreshes them asynchronously after the JoinGroup /
// SyncGroup round, and a refresh still in flight would move its fetch position back).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Consumer, Producer, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { connect, createTopic, describe, fetchCommitted } from '../coordinator/helpers.js';
import { waitFor, withTimeout } from './helpers.js';

const TOPIC = 'plat-group-topic';
const GROUP = 'plat-group';
const PARTITIONS = 4;
const PER_PHASE = 200;

interface Seen {
  consumer: string;
  partition: number;
  value: string;
}

let broker: Broker;
let client: ClientConnection;
let producer: Producer<string, string, string, string>;
const seen: Seen[] = [];
const consumers = new Map<
  string,
  { consumer: Consumer<string, string, string, string>; stream: MessagesStream<string, string, string, string>; refreshed: boolean }
>();

async function start(name: string): Promise<void> {
  const consumer = new Consumer({
    clientId: name,
    groupId: GROUP,
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    retries: 5,
    retryDelay: 50,
    timeout: 10_000,
  });
  const stream = await consumer.consume({
    topics: [TOPIC],
    mode: 'committed',
    fallbackMode: 'earliest',
    autocommit: false,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 200,
    maxWaitTime: 100,
  });
  stream.on('data', async (message) => {
    try {
      await message.commit();
      seen.push({ consumer: name, partition: message.partition, value: message.value });
    } catch {
      // Not committed (a rebalance): it does not count and will be delivered again.
    }
  });
  stream.on('error', () => undefined);
  const entry = { consumer, stream, refreshed: true };
  // After each join the stream re-reads the committed offsets of its assignment ('offsets').
  consumer.on('consumer:group:join', () => (entry.refreshed = false));
  stream.on('offsets', () => (entry.refreshed = true));
  consumers.set(name, entry);
}

async function stop(name: string): Promise<void> {
  const c = consumers.get(name)!;
  consumers.delete(name);
  await withTimeout(new Promise<void>((resolve, reject) => c.stream.close((err) => (err ? reject(err) : resolve()))), 15_000, `close stream ${name}`);
  await withTimeout(new Promise<void>((resolve, reject) => c.consumer.close(true, (err) => (err ? reject(err) : resolve()))), 15_000, `close ${name}`);
}

async function stableWith(n: number): Promise<void> {
  await waitFor(
    async () => {
      const g = await describe(client, GROUP);
      const members = [...consumers.values()];
      const generations = new Set(members.map((m) => m.consumer.generationId));
      return g.groupState === 'Stable' && g.members.length === n && generations.size === 1 && members.every((m) => m.refreshed);
    },
    30_000,
    () => `${GROUP} stable with ${n} members, each with its committed offsets read`,
  );
}

async function phase(name: string): Promise<Seen[]> {
  const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ topic: TOPIC, partition: i % PARTITIONS, value: `${name}-${i}` }));
  await withTimeout(producer.send({ messages }), 15_000, `produce ${name}`);
  const of = () => seen.filter((s) => s.value.startsWith(`${name}-`));
  await waitFor(
    () => new Set(of().map((s) => s.value)).size === PER_PHASE,
    30_000,
    () => `phase ${name}: ${new Set(of().map((s) => s.value)).size} of ${PER_PHASE}`,
  );
  return of();
}

function assertExactlyOnce(): void {
  const values = seen.map((s) => s.value);
  assert.is(values.length, new Set(values).size, 'no record consumed twice');
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connect(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  producer = new Producer({ clientId: 'plat-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
});

test.after(async () => {
  for (const name of [...consumers.keys()]) await stop(name).catch(() => undefined);
  await producer.close();
  client.close();
  await broker.close();
});

test('two consumers share the partitions; every record once', async () => {
  await Promise.all([start('p1'), start('p2')]);
  await stableWith(2);
  const got = await phase('one');
  assertExactlyOnce();
  const owners = new Map<number, string>();
  for (const s of got) {
    assert.is(owners.get(s.partition) ?? s.consumer, s.consumer, `partition ${s.partition} read by two consumers`);
    owners.set(s.partition, s.consumer);
  }
  assert.equal(new Set(owners.values()), new Set(['p1', 'p2']));
});

test('one consumer closes; the other takes over its partitions', async () => {
  await stop('p2');
  await stableWith(1);
  const got = await phase('two');
  assertExactlyOnce();
  assert.ok(got.every((s) => s.consumer === 'p1'));
  assert.is(new Set(got.map((s) => s.partition)).size, PARTITIONS);
});

test('a new consumer resumes from the committed offsets', async () => {
  await stop('p1');
  const committed = await fetchCommitted(client, GROUP);
  assert.is(
    [...committed.values()].reduce((a, b) => a + b, 0),
    2 * PER_PHASE,
  );
  await start('p3');
  await stableWith(1);
  const got = await phase('three');
  assertExactlyOnce();
  assert.ok(got.every((s) => s.consumer === 'p3'));
  assert.is(seen.length, 3 * PER_PHASE, 'nothing from earlier phases came back');
});

test.run();
