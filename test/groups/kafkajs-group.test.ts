// kafkajs 2.2.4 consumer groups against samsa: three consumers share a 6-partition topic (each
// record consumed by exactly one member, each partition owned by one member), one leaves and the
// other two take over its partitions, then the whole group is replaced by new consumers with the
// same group id, which resume from the committed offsets with nothing consumed twice. Commits are
// synchronous: eachBatch commits each record's next offset before counting it as consumed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Consumer, type Producer, type Admin } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { waitFor, withTimeout } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'kjs-group-topic';
const GROUP = 'kjs-group';
const PARTITIONS = 6;
const PER_PHASE = 600;

interface Seen {
  consumer: string;
  partition: number;
  value: string;
}

let broker: Broker;
let kafka: InstanceType<typeof Kafka>;
let admin: Admin;
let producer: Producer;
const seen: Seen[] = [];
const running = new Map<string, Consumer>();

async function startConsumer(name: string): Promise<void> {
  const consumer = kafka.consumer({
    groupId: GROUP,
    heartbeatInterval: 100,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    maxWaitTimeInMs: 100,
    retry: { retries: 20, initialRetryTime: 50 },
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  running.set(name, consumer);
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
      for (const m of batch.messages) {
        if (!isRunning() || isStale()) break;
        const next = String(Number(m.offset) + 1);
        // Committed before it counts: a record counts once its successor offset is durable.
        await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
        resolveOffset(m.offset);
        seen.push({ consumer: name, partition: batch.partition, value: m.value!.toString() });
        await heartbeat();
      }
    },
  });
}

async function stopConsumer(name: string): Promise<void> {
  const c = running.get(name)!;
  running.delete(name);
  await withTimeout(c.disconnect(), 15_000, `disconnect ${name}`);
}

async function produce(phase: string): Promise<void> {
  const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ partition: i % PARTITIONS, value: `${phase}-${i}` }));
  await withTimeout(producer.send({ topic: TOPIC, messages }), 15_000, `produce ${phase}`);
}

function ofPhase(phase: string): Seen[] {
  return seen.filter((s) => s.value.startsWith(`${phase}-`));
}

async function consumedAll(phase: string): Promise<void> {
  await waitFor(
    () => new Set(ofPhase(phase).map((s) => s.value)).size === PER_PHASE,
    30_000,
    () => `phase ${phase}: ${new Set(ofPhase(phase).map((s) => s.value)).size} of ${PER_PHASE} consumed`,
  );
}

async function stableWith(n: number): Promise<void> {
  await waitFor(
    async () => {
      const { groups } = await admin.describeGroups([GROUP]);
      return groups[0]?.state === 'Stable' && groups[0].members.length === n;
    },
    20_000,
    () => `group stable with ${n} members`,
  );
}

/** Owner of each partition in a phase; fails if one partition had two consumers. */
function owners(phase: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of ofPhase(phase)) {
    const o = out.get(s.partition);
    assert.ok(o === undefined || o === s.consumer, `partition ${s.partition} consumed by ${o} and ${s.consumer} in phase ${phase}`);
    out.set(s.partition, s.consumer);
  }
  return out;
}

function assertExactlyOnce(): void {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s.value, (counts.get(s.value) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  assert.equal(twice.slice(0, 5), [], `${twice.length} records consumed more than once`);
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  kafka = new Kafka({ clientId: 'kjs-group-test', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  producer = kafka.producer();
  await producer.connect();
});

test.after(async () => {
  for (const name of [...running.keys()]) await stopConsumer(name).catch(() => undefined);
  await producer.disconnect();
  await admin.disconnect();
  await broker.close();
});

test('three consumers share six partitions; each record is consumed by exactly one member', async () => {
  await Promise.all(['a', 'b', 'c'].map(startConsumer));
  await stableWith(3);
  await produce('one');
  await consumedAll('one');
  assertExactlyOnce();
  const own = owners('one');
  assert.is(own.size, PARTITIONS);
  assert.equal(new Set(own.values()), new Set(['a', 'b', 'c']), 'every member owns partitions');
  for (const name of ['a', 'b', 'c']) assert.is([...own.values()].filter((o) => o === name).length, 2, `${name} owns two partitions`);
});

test('a member leaves; the other two take over its partitions', async () => {
  const before = owners('one');
  const leaverPartitions = [...before].filter(([, o]) => o === 'c').map(([p]) => p);
  await stopConsumer('c');
  await stableWith(2);
  await produce('two');
  await consumedAll('two');
  assertExactlyOnce();
  const after = owners('two');
  assert.is(after.size, PARTITIONS);
  for (const p of leaverPartitions) assert.ok(['a', 'b'].includes(after.get(p)!), `partition ${p} moved to a remaining member`);
  assert.not.ok([...after.values()].includes('c'));
});

test('the whole group restarts and resumes from the committed offsets', async () => {
  await stopConsumer('a');
  await stopConsumer('b');
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const total = committed[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
  assert.is(total, 2 * PER_PHASE, 'every consumed record is committed');
  await produce('three');
  await Promise.all(['d', 'e', 'f'].map(startConsumer));
  await consumedAll('three');
  await stableWith(3);
  assertExactlyOnce();
  assert.is(seen.length, 3 * PER_PHASE, 'nothing from the first two phases came back');
  assert.ok(ofPhase('three').every((s) => ['d', 'e', 'f'].includes(s.consumer)));
});

test.run();
