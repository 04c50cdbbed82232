// @platformatic/kafka consumers with groupProtocol 'consumer' (KIP-848) keep consuming across a
// restart of a disk broker: the group comes back from __consumer_offsets with the same members and
// epochs, the consumers' heartbeats with their old member ids are accepted, and every record
// produced before and after the restart is consumed exactly once (a record counts only once its
// offset commit succeeded).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consumer, Producer, stringDeserializers, stringSerializers, type MessagesStream } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { connect, createTopic, fetchCommitted } from '../coordinator/helpers.js';
import { freePort } from '../data-path/helpers.js';
import { waitFor, withTimeout } from './helpers.js';
import { clientsHoldAssignments, describeCg } from './kip848-helpers.js';

const TOPIC = 'cg-plat-restart-topic';
const GROUP = 'cg-plat-restart-group';
const PARTITIONS = 4;
const PER_PHASE = 200;
const CONFIG = { 'group.consumer.heartbeat.interval.ms': 200 };

interface Seen {
  consumer: string;
  value: string;
}

let dataDir = '';
let port = 0;
let broker: Broker;
let client: ClientConnection;
const seen: Seen[] = [];
const consumers: Array<{ consumer: Consumer<string, string, string, string>; stream: MessagesStream<string, string, string, string> }> = [];

async function start(name: string): Promise<void> {
  const consumer = new Consumer({
    clientId: name,
    groupId: GROUP,
    groupProtocol: 'consumer',
    bootstrapBrokers: [`127.0.0.1:${port}`],
    deserializers: stringDeserializers,
    retries: 40,
    retryDelay: 100,
    timeout: 10_000,
  });
  const stream = await consumer.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 100 });
  stream.on('data', async (message) => {
    try {
      await message.commit();
      seen.push({ consumer: name, value: message.value });
    } catch {
      // Not committed: it does not count and will be delivered again.
    }
  });
  stream.on('error', () => undefined);
  consumers.push({ consumer, stream });
}

let lastState = '';
async function stable(): Promise<Awaited<ReturnType<typeof describeCg>>> {
  let d: Awaited<ReturnType<typeof describeCg>> | undefined;
  await waitFor(
    async () => {
      d = await describeCg(client, GROUP);
      const total = d.members.reduce((a, m) => a + m.assignment.topicPartitions.reduce((x, t) => x + t.partitions.length, 0), 0);
      lastState = `${d.groupState} epoch ${d.groupEpoch}/${d.assignmentEpoch} members ${d.members.map((m) => m.memberEpoch).join(',')}`;
      return d.errorCode === 0 && d.groupState === 'Stable' && d.members.length === 2 && total === PARTITIONS;
    },
    30_000,
    () => `${GROUP} stable with 2 members: ${lastState}`,
  );
  return d!;
}

async function phase(name: string): Promise<void> {
  const producer = new Producer({ clientId: `producer-${name}`, bootstrapBrokers: [broker.bootstrap], serializers: stringSerializers });
  try {
    const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ topic: TOPIC, partition: i % PARTITIONS, value: `${name}-${i}` }));
    await withTimeout(producer.send({ messages }), 15_000, `produce ${name}`);
  } finally {
    await producer.close();
  }
  const of = () => new Set(seen.filter((s) => s.value.startsWith(`${name}-`)).map((s) => s.value)).size;
  await waitFor(
    () => of() === PER_PHASE,
    60_000,
    () => `phase ${name}: ${of()} of ${PER_PHASE}`,
  );
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-cg-plat-restart-'));
  port = await freePort();
  broker = await startBroker({ port, dataDir, logLevel: 'silent', config: CONFIG });
  client = await connect(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
});

test.after(async () => {
  for (const { consumer, stream } of consumers) {
    await withTimeout(new Promise<void>((resolve) => stream.close(() => resolve())), 15_000, 'close stream').catch(() => undefined);
    await withTimeout(new Promise<void>((resolve) => consumer.close(true, () => resolve())), 15_000, 'close consumer').catch(() => undefined);
  }
  client.close();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('two consumers keep their membership and consume exactly once across a broker restart', async () => {
  await Promise.all([start('p1'), start('p2')]);
  const before = await stable();
  // The clients learn their assignments on their next heartbeats.
  const held = (id: string) => consumers.find((c) => c.consumer.clientId === id)?.consumer.assignments?.flatMap((a) => a.partitions);
  await waitFor(
    async () => clientsHoldAssignments(await describeCg(client, GROUP), held),
    30_000,
    () => `the consumers hold their assignments; group ${lastState}`,
  );
  await phase('one');

  client.close();
  await broker.close();
  broker = await startBroker({ port, dataDir, logLevel: 'silent', config: CONFIG });
  client = await connect(broker.bootstrap);
  const restored = await describeCg(client, GROUP);
  assert.equal(
    restored.members.map((m) => [m.memberId, m.memberEpoch]).sort(),
    before.members.map((m) => [m.memberId, m.memberEpoch]).sort(),
    'the members came back from the log',
  );

  await phase('two');
  const after = await stable();
  assert.equal(after.members.map((m) => m.memberId).sort(), before.members.map((m) => m.memberId).sort(), 'the same members carried on');
  const values = seen.map((s) => s.value);
  assert.is(values.length, new Set(values).size, 'no record consumed twice');
  assert.is(values.length, 2 * PER_PHASE);
  const committed = await fetchCommitted(client, GROUP);
  assert.is(
    [...committed.values()].reduce((a, b) => a + b, 0),
    2 * PER_PHASE,
  );
});

test.run();
