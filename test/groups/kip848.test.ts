// KIP-848 consumer protocol with @platformatic/kafka (groupProtocol: 'consumer'): three consumers
// share a 6-partition topic with every record consumed exactly once, then one leaves and the
// other two take over its partitions. Records are committed before they count, and records are
// produced only while the group is stable (every member at the assignment epoch).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Consumer, Producer, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ConsumerGroupDescribeRequest } from '../../src/protocol/generated/consumer-group-describe-request.js';
import { ConsumerGroupDescribeResponse } from '../../src/protocol/generated/consumer-group-describe-response.js';
import { connect, createTopic, fetchCommitted } from '../coordinator/helpers.js';
import { waitFor, withTimeout } from './helpers.js';
import { clientsHoldAssignments } from './kip848-helpers.js';

const TOPIC = 'kip848-plat-topic';
const GROUP = 'kip848-plat-group';
const PARTITIONS = 6;
const PER_PHASE = 300;

interface Seen {
  consumer: string;
  partition: number;
  value: string;
}

let broker: Broker;
let client: ClientConnection;
let producer: Producer<string, string, string, string>;
const seen: Seen[] = [];
const consumers = new Map<string, { consumer: Consumer<string, string, string, string>; stream: MessagesStream<string, string, string, string> }>();

async function start(name: string): Promise<void> {
  const consumer = new Consumer({
    clientId: name,
    groupId: GROUP,
    groupProtocol: 'consumer',
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    retries: 5,
    retryDelay: 50,
    timeout: 10_000,
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 100 });
  stream.on('data', async (message) => {
    try {
      await message.commit();
      seen.push({ consumer: name, partition: message.partition, value: message.value });
    } catch {
      // Not committed (fenced or revoked): it does not count and will be delivered again.
    }
  });
  stream.on('error', () => undefined);
  consumers.set(name, { consumer, stream });
}

async function stop(name: string): Promise<void> {
  const c = consumers.get(name)!;
  consumers.delete(name);
  await withTimeout(new Promise<void>((resolve, reject) => c.stream.close((err) => (err ? reject(err) : resolve()))), 15_000, `close stream ${name}`);
  await withTimeout(new Promise<void>((resolve, reject) => c.consumer.close(true, (err) => (err ? reject(err) : resolve()))), 15_000, `close ${name}`);
}

async function describeCg() {
  const r = await client.send(ConsumerGroupDescribeRequest, ConsumerGroupDescribeResponse, 1, { groupIds: [GROUP], includeAuthorizedOperations: false });
  return r.groups[0]!;
}

let lastState = '';
async function stableWith(n: number): Promise<void> {
  await waitFor(
    async () => {
      const g = await describeCg();
      const counts = g.members.map((m) => m.assignment.topicPartitions.reduce((a, t) => a + t.partitions.length, 0));
      lastState = `${g.groupState} epoch ${g.groupEpoch}/${g.assignmentEpoch} members ${g.members.map((m) => `${m.memberEpoch}:${counts.shift()}`).join(',')}`;
      const total = g.members.reduce((a, m) => a + m.assignment.topicPartitions.reduce((x, t) => x + t.partitions.length, 0), 0);
      return (
        g.errorCode === 0 &&
        g.groupState === 'Stable' &&
        g.members.length === n &&
        total === PARTITIONS &&
        g.members.every((m) => m.memberEpoch === g.assignmentEpoch)
      );
    },
    30_000,
    () => `${GROUP} stable with ${n} members: ${lastState}`,
  );
  // The clients learn their assignment on their next heartbeat, then read the committed offsets.
  await waitFor(
    async () => clientsHoldAssignments(await describeCg(), (id) => consumers.get(id)?.consumer.assignments?.flatMap((a) => a.partitions)),
    30_000,
    () =>
      `the consumers hold their assignments: ${[...consumers].map(([id, c]) => `${id}:[${c.consumer.assignments?.flatMap((a) => a.partitions) ?? ''}]`).join(' ')}; group ${lastState}`,
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
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.consumer.heartbeat.interval.ms': 200 } });
  client = await connect(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  producer = new Producer({ clientId: 'kip848-producer', bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
});

test.after(async () => {
  for (const name of [...consumers.keys()]) await stop(name).catch(() => undefined);
  await producer.close();
  client.close();
  await broker.close();
});

test('three consumer-protocol members share six partitions; every record once', async () => {
  await Promise.all([start('k1'), start('k2'), start('k3')]);
  await stableWith(3);
  const d = await describeCg();
  for (const m of d.members)
    assert.is(
      m.assignment.topicPartitions.reduce((a, t) => a + t.partitions.length, 0),
      2,
    );
  const got = await phase('one');
  assertExactlyOnce();
  const owners = new Map<number, string>();
  for (const s of got) {
    assert.is(owners.get(s.partition) ?? s.consumer, s.consumer, `partition ${s.partition} read by two consumers`);
    owners.set(s.partition, s.consumer);
  }
  assert.equal(new Set(owners.values()), new Set(['k1', 'k2', 'k3']));
});

test('a member leaves; the other two take over its partitions', async () => {
  await stop('k3');
  await stableWith(2);
  const got = await phase('two');
  assertExactlyOnce();
  assert.ok(got.every((s) => s.consumer !== 'k3'));
  assert.is(new Set(got.map((s) => s.partition)).size, PARTITIONS);
  const committed = await fetchCommitted(client, GROUP);
  assert.is(
    [...committed.values()].reduce((a, b) => a + b, 0),
    2 * PER_PHASE,
  );
});

test.run();
