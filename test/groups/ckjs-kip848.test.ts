// requires: ckjs
// KIP-848 consumer protocol with @confluentinc/kafka-javascript (librdkafka 2.15, its KafkaJS API,
// group.protocol=consumer, group.remote.assignor=range): three members share a 6-partition topic
// with every record consumed exactly once, one leaves and the other two take its partitions, a new
// one joins and gets a share. A record counts once its commit is queued, and records are produced
// only while the group is stable (every member at the assignment epoch), as in kip848.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ConsumerGroupDescribeRequest } from '../../src/protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../../src/protocol/generated/consumer-group-describe-response.js';
import { connect, createTopic, fetchCommitted } from '../coordinator/helpers.js';
import { ckjs, KafkaJS, lastLogLines, logLines, recordingLogger } from './ckjs-helpers.js';
import { waitFor, withTimeout } from './helpers.js';
import { clientsHoldAssignments } from './kip848-helpers.js';

const TOPIC = 'kip848-ckjs-topic';
const GROUP = 'kip848-ckjs-group';
const PARTITIONS = 6;
const PER_PHASE = 300;
const ASSIGNOR = 'range';

interface Seen {
  consumer: string;
  partition: number;
  value: string;
}

let broker: Broker;
let client: ClientConnection;
let kafka: any;
let producer: any;
const seen: Seen[] = [];
const consumers = new Map<string, any>();

async function start(name: string): Promise<void> {
  const consumer = kafka.consumer({
    'client.id': name,
    'group.protocol': 'consumer',
    'group.remote.assignor': ASSIGNOR,
    ...(process.env.CKJS_DEBUG ? { debug: process.env.CKJS_DEBUG } : {}),
    kafkaJS: { groupId: GROUP, fromBeginning: true, autoCommit: false, maxWaitTimeInMs: 100, logger: recordingLogger(name) },
  });
  await withTimeout(consumer.connect(), 15_000, `connect ${name}`);
  await consumer.subscribe({ topics: [TOPIC] });
  consumer
    .run({
      eachMessage: async ({ partition, message }: { partition: number; message: { offset: string; value: Buffer } }) => {
        const offset = String(Number(message.offset) + 1);
        try {
          await consumer.commitOffsets([{ topic: TOPIC, partition, offset }]);
          seen.push({ consumer: name, partition, value: message.value.toString() });
          logLines.push(`${name} commits ${partition}@${offset}`);
        } catch (err) {
          // The commit was refused at once (e.g. the consumer is closing): the record does not count.
          logLines.push(`${name} could not commit ${partition}@${offset}: ${(err as Error).message}`);
        }
      },
    })
    .catch(() => undefined);
  consumers.set(name, consumer);
}

async function stop(name: string): Promise<void> {
  const c = consumers.get(name);
  consumers.delete(name);
  await withTimeout(c.disconnect(), 20_000, `disconnect ${name}`);
}

async function describeCg() {
  const r = await client.send(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, 1, { groupIds: [GROUP], includeAuthorizedOperations: false });
  return r.groups[0]!;
}

const owned = (m: Awaited<ReturnType<typeof describeCg>>['members'][number]) => m.assignment.topicPartitions.flatMap((t) => t.partitions).sort((a, b) => a - b);

let lastState = '';
async function stableWith(n: number): Promise<Awaited<ReturnType<typeof describeCg>>> {
  let stable: Awaited<ReturnType<typeof describeCg>> | undefined;
  await waitFor(
    async () => {
      const g = await describeCg();
      lastState = `${g.groupState} epoch ${g.groupEpoch}/${g.assignmentEpoch} members ${g.members.map((m) => `${m.clientId}@${m.memberEpoch}:[${owned(m)}]`).join(' ')}`;
      const total = g.members.reduce((a, m) => a + owned(m).length, 0);
      const ok =
        g.errorCode === 0 &&
        g.groupState === 'Stable' &&
        g.members.length === n &&
        total === PARTITIONS &&
        g.members.every((m) => m.memberEpoch === g.assignmentEpoch);
      if (ok) stable = g;
      return ok;
    },
    30_000,
    () => `${GROUP} stable with ${n} members: ${lastState}\n${lastLogLines()}`,
  );
  // The clients learn their assignment on their next heartbeat, then fetch the committed offsets.
  // KafkaJS's assignment() here lists one { topic, partition } per partition.
  const held = (id: string) => (consumers.get(id)?.assignment() as Array<{ partition: number }> | undefined)?.map((a) => a.partition);
  await waitFor(
    async () => clientsHoldAssignments(await describeCg(), held),
    30_000,
    () => `the consumers hold their assignments (${[...consumers.keys()].map((id) => `${id}:[${held(id)}]`).join(' ')}); group ${lastState}\n${lastLogLines()}`,
  );
  return stable!;
}

async function phase(name: string): Promise<Seen[]> {
  const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ partition: i % PARTITIONS, value: `${name}-${i}` }));
  await withTimeout(producer.send({ topic: TOPIC, messages }), 15_000, `produce ${name}`);
  const of = () => seen.filter((s) => s.value.startsWith(`${name}-`));
  await waitFor(
    () => new Set(of().map((s) => s.value)).size === PER_PHASE,
    30_000,
    () => `phase ${name}: ${new Set(of().map((s) => s.value)).size} of ${PER_PHASE}; group ${lastState}\n${lastLogLines()}`,
  );
  return of();
}

/**
 * The group's committed offsets come to every record produced so far. The client's commitOffsets
 * resolves once librdkafka has queued the commit (rd_kafka_commit_queue, async), so they may land
 * a little after the records were counted.
 */
async function assertCommitted(total: number): Promise<void> {
  let committed = new Map<string, number>();
  const sum = () => [...committed.values()].reduce((a, b) => a + b, 0);
  await waitFor(
    async () => {
      committed = await fetchCommitted(client, GROUP);
      return sum() === total;
    },
    10_000,
    () => `committed offsets add up to ${sum()}, not ${total}: ${JSON.stringify([...committed])}\n${lastLogLines(400)}`,
  );
}

function assertExactlyOnce(): void {
  const values = seen.map((s) => s.value);
  assert.is(values.length, new Set(values).size, 'no record consumed twice');
}

/** Each partition's records in a phase came to one consumer, the one the coordinator assigned it to. */
function assertOwners(got: Seen[], g: Awaited<ReturnType<typeof describeCg>>): void {
  const assigned = new Map<number, string>();
  for (const m of g.members) for (const p of owned(m)) assigned.set(p, m.clientId);
  for (const s of got) assert.is(s.consumer, assigned.get(s.partition), `partition ${s.partition} read by ${s.consumer}`);
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.consumer.heartbeat.interval.ms': 200 } });
  client = await connect(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [broker.bootstrap], logger: recordingLogger('kafka') } });
  producer = kafka.producer({ kafkaJS: { logger: recordingLogger('producer') } });
  await withTimeout(producer.connect(), 15_000, 'producer connect');
});

test.after(async () => {
  for (const name of [...consumers.keys()]) await stop(name).catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  client?.close();
  await broker?.close();
});

test('the client is built on a librdkafka with the consumer protocol', () => {
  const [major, minor] = String(ckjs.librdkafkaVersion).split('.').map(Number);
  assert.ok(major! > 2 || (major === 2 && minor! >= 10), `librdkafka ${ckjs.librdkafkaVersion}`);
});

test('three consumer-protocol members share six partitions by range; every record once', async () => {
  await Promise.all([start('c1'), start('c2'), start('c3')]);
  // ConsumerGroupDescribe answers a classic group with GROUP_ID_NOT_FOUND: this one is a consumer-protocol group.
  const g = await stableWith(3);
  assert.is(g.errorCode, 0);
  assert.is(g.assignorName, ASSIGNOR);
  for (const m of g.members) {
    const ps = owned(m);
    assert.is(ps.length, 2, `${m.clientId} owns [${ps}]`);
    assert.is(ps[1]! - ps[0]!, 1, `range gives ${m.clientId} adjacent partitions, not [${ps}]`);
  }
  const got = await phase('one');
  assertExactlyOnce();
  assertOwners(got, g);
  assert.equal(new Set(got.map((s) => s.consumer)), new Set(['c1', 'c2', 'c3']));
  await assertCommitted(PER_PHASE);
});

test('a member leaves; the other two take over its partitions', async () => {
  await stop('c3');
  const g = await stableWith(2);
  assert.equal(new Set(g.members.map((m) => m.clientId)), new Set(['c1', 'c2']));
  const got = await phase('two');
  assertExactlyOnce();
  assertOwners(got, g);
  assert.is(new Set(got.map((s) => s.partition)).size, PARTITIONS);
  await assertCommitted(2 * PER_PHASE);
});

test('a member joins and gets a share', async () => {
  await start('c4');
  const g = await stableWith(3);
  for (const m of g.members) assert.is(owned(m).length, 2, `${m.clientId} owns [${owned(m)}]`);
  const got = await phase('three');
  assertExactlyOnce();
  assertOwners(got, g);
  assert.ok(
    got.some((s) => s.consumer === 'c4'),
    'c4 consumed',
  );
  await assertCommitted(3 * PER_PHASE);
});

test.run();
