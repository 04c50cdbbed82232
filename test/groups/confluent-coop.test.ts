// requires: python-kafka
// confluent-kafka (librdkafka 2.0.2, Debian's python3-confluent-kafka) with
// partition.assignment.strategy=cooperative-sticky against samsa's classic group coordinator:
// incremental rebalances as a member joins (the first member gives up only the partitions that
// move, and keeps the rest throughout) and leaves (the remaining member is incrementally assigned
// the leaver's partitions without revoking its own), with every record consumed exactly once
// (synchronous commits before a record counts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Producer } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { connect, createTopic, describe } from '../coordinator/helpers.js';
import { PyProcess, waitFor, withTimeout } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'coop-topic';
const GROUP = 'coop-group';
const PARTITIONS = 6;
const PER_PHASE = 120;

let broker: Broker;
let client: ClientConnection;
let producer: Producer;
let a: PyProcess;
let b: PyProcess;

const events = (p: PyProcess, kind: string) => p.lines.filter((l) => l.event === kind);
const records = () => [...a.lines, ...(b?.lines ?? [])].filter((l) => l.event === 'record');

/** Partitions a member holds after replaying its incremental assign/revoke callbacks. */
function holding(p: PyProcess): number[] {
  const held = new Set<number>();
  for (const l of p.lines) {
    if (l.event === 'assign') for (const x of l.partitions) held.add(x);
    if (l.event === 'revoke' || l.event === 'lost') for (const x of l.partitions) held.delete(x);
  }
  return [...held].sort((x, y) => x - y);
}

async function produceAndConsume(phase: string): Promise<void> {
  const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ partition: i % PARTITIONS, value: `${phase}-${i}` }));
  await withTimeout(producer.send({ topic: TOPIC, messages }), 15_000, `produce ${phase}`);
  const got = () =>
    new Set(
      records()
        .filter((r) => r.value.startsWith(`${phase}-`))
        .map((r) => r.value),
    ).size;
  await waitFor(
    () => got() === PER_PHASE,
    60_000,
    () => `phase ${phase}: ${got()} of ${PER_PHASE} consumed`,
  );
}

async function stableWith(n: number): Promise<void> {
  await waitFor(
    async () => {
      const g = await describe(client, GROUP);
      return g.groupState === 'Stable' && g.members.length === n;
    },
    60_000,
    () => `${GROUP} stable with ${n} members`,
  );
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.min.session.timeout.ms': 1000 } });
  client = await connect(broker.bootstrap);
  await createTopic(client, TOPIC, PARTITIONS);
  producer = new Kafka({ clientId: 'coop-producer', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

test.after(async () => {
  await a?.stop().catch(() => undefined);
  await b?.stop().catch(() => undefined);
  await producer.disconnect();
  client.close();
  await broker.close();
});

test('one cooperative member gets every partition', async () => {
  a = new PyProcess('confluent_coop.py', [broker.bootstrap, GROUP, TOPIC, 'coop-a']);
  await waitFor(
    () => holding(a).length === PARTITIONS,
    60_000,
    () => `a holds ${holding(a)} (stderr: ${a.stderr.slice(-500)})`,
  );
  assert.is((await describe(client, GROUP)).protocolData, 'cooperative-sticky');
  await produceAndConsume('one');
});

test('a second member joins: only the partitions that move are revoked', async () => {
  b = new PyProcess('confluent_coop.py', [broker.bootstrap, GROUP, TOPIC, 'coop-b']);
  await waitFor(
    () => holding(b).length === PARTITIONS / 2 && holding(a).length === PARTITIONS / 2,
    60_000,
    () => `a holds ${holding(a)}, b holds ${holding(b)}`,
  );
  await stableWith(2);
  const revoked = events(a, 'revoke').flatMap((l) => l.partitions);
  assert.is(revoked.length, PARTITIONS / 2, `a revoked only what moved: ${revoked}`);
  assert.equal([...revoked].sort(), holding(b), 'what a gave up is what b got');
  assert.is(events(a, 'lost').length, 0);
  await produceAndConsume('two');
  const byPartition = new Map<number, string>();
  for (const r of records().filter((x) => x.value.startsWith('two-'))) byPartition.set(r.partition, a.lines.includes(r) ? 'a' : 'b');
  for (const p of holding(b)) assert.is(byPartition.get(p), 'b', `b consumes partition ${p}`);
});

test('the second member leaves: the first is assigned its partitions incrementally', async () => {
  const revokesBefore = events(a, 'revoke').length;
  assert.is(await b.stop(), 0, b.stderr.slice(-500));
  await waitFor(
    () => holding(a).length === PARTITIONS,
    60_000,
    () => `a holds ${holding(a)}`,
  );
  assert.is(events(a, 'revoke').length - revokesBefore, 0, 'a kept its own partitions');
  await stableWith(1);
  await produceAndConsume('three');
  const values = records().map((r) => r.value);
  assert.is(values.length, new Set(values).size, 'no record consumed twice');
  assert.is(values.length, 3 * PER_PHASE);
});

test.run();
