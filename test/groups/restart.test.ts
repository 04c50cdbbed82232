// The broker restarts under a stable consumer group, on disk: once cleanly (broker.close() in
// this process) and once with `kill -9` of a separate `node bin/samsa.js start` process. Each
// time the group and its committed offsets come back from __consumer_offsets: right after the
// restart OffsetFetch returns exactly what was acknowledged and the group holds the members it had
// (by member id, so they came from the log, not from rejoins); the kafkajs members carry on or
// rejoin (kafkajs may restart a consumer after connection errors, under a new member id: the old
// one then leaves at the end of the rebalance timeout), and the records produced afterwards are
// consumed exactly once, nothing from before the restart again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { connect, createTopic, describe, fetchCommitted } from '../coordinator/helpers.js';
import { freePort, SamsaProcess } from '../data-path/helpers.js';
import { waitFor, withTimeout } from './helpers.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'restart-topic';
const PARTITIONS = 4;
const PER_PHASE = 200;
// Short sessions, so members replaced by kafkajs restarts leave the group quickly.
const SESSION_MS = 3000;
const BROKER_CONFIG = { 'group.min.session.timeout.ms': 1000 };

interface Seen {
  member: string;
  value: string;
}

class Group {
  readonly seen: Seen[] = [];
  private readonly consumers: Consumer[] = [];
  private producer: Producer | null = null;
  private readonly kafka: InstanceType<typeof Kafka>;

  constructor(
    readonly bootstrap: string,
    readonly groupId: string,
  ) {
    this.kafka = new Kafka({
      clientId: 'restart-test',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  async start(names: string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const c = this.kafka.consumer({
          groupId: this.groupId,
          heartbeatInterval: 100,
          sessionTimeout: SESSION_MS,
          rebalanceTimeout: SESSION_MS,
          maxWaitTimeInMs: 100,
          retry: { retries: 40, initialRetryTime: 100, maxRetryTime: 1000 },
        });
        this.consumers.push(c);
        await c.connect();
        await c.subscribe({ topic: TOPIC, fromBeginning: true });
        await c.run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
            for (const m of batch.messages) {
              if (!isRunning() || isStale()) break;
              await commitOffsetsIfNecessary({
                topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(m.offset) + 1) }] }],
              });
              resolveOffset(m.offset);
              this.seen.push({ member: name, value: m.value!.toString() });
              await heartbeat();
            }
          },
        });
      }),
    );
  }

  async produce(phase: string): Promise<void> {
    if (!this.producer) {
      this.producer = this.kafka.producer();
      await this.producer.connect();
    }
    const messages = Array.from({ length: PER_PHASE }, (_, i) => ({ partition: i % PARTITIONS, value: `${phase}-${i}` }));
    await withTimeout(this.producer.send({ topic: TOPIC, messages }), 30_000, `produce ${phase}`);
  }

  async consumed(phase: string): Promise<void> {
    const n = () => new Set(this.seen.filter((s) => s.value.startsWith(`${phase}-`)).map((s) => s.value)).size;
    await waitFor(
      () => n() === PER_PHASE,
      60_000,
      () => `phase ${phase}: ${n()} of ${PER_PHASE} consumed`,
    );
  }

  assertExactlyOnce(): void {
    const values = this.seen.map((s) => s.value);
    assert.is(values.length, new Set(values).size, 'no record consumed twice');
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => withTimeout(c.disconnect(), 20_000, 'consumer disconnect').catch(() => undefined)));
    await this.producer?.disconnect().catch(() => undefined);
  }
}

async function stableGroup(bootstrap: string, groupId: string, members: number) {
  const c = await connect(bootstrap);
  try {
    await waitFor(
      async () => {
        const g = await describe(c, groupId);
        return g.groupState === 'Stable' && g.members.length === members;
      },
      60_000,
      () => `${groupId} stable with ${members} members`,
    );
    return { group: await describe(c, groupId), committed: await fetchCommitted(c, groupId) };
  } finally {
    c.close();
  }
}

type Described = Awaited<ReturnType<typeof describe>>;

/** The group came back from the log: every member it had before the restart is in it. */
function assertRestored(restored: Described, before: Described): void {
  assert.ok(!['Empty', 'Dead'].includes(restored.groupState), `restored with its members, state ${restored.groupState}`);
  const ids = new Set(restored.members.map((m) => m.memberId));
  for (const m of before.members) assert.ok(ids.has(m.memberId), `member ${m.memberId} restored`);
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-group-restart-'));
  dirs.push(d);
  return d;
}

test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  // kafkajs retries in the background after a failed test; do not let that keep the file alive.
  setTimeout(() => process.exit(), 5000).unref();
});

test('clean restart: the group and its offsets come back; consumption continues exactly once', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  let broker: Broker = await startBroker({ port, dataDir, logLevel: 'silent', config: BROKER_CONFIG });
  const c = await connect(broker.bootstrap);
  await createTopic(c, TOPIC, PARTITIONS);
  c.close();
  const group = new Group(broker.bootstrap, 'clean-group');
  try {
    await group.start(['a', 'b']);
    await stableGroup(broker.bootstrap, 'clean-group', 2);
    await group.produce('one');
    await group.consumed('one');
    const before = await stableGroup(broker.bootstrap, 'clean-group', 2);
    assert.is(
      [...before.committed.values()].reduce((x, y) => x + y, 0),
      PER_PHASE,
    );

    await broker.close();
    broker = await startBroker({ port, dataDir, logLevel: 'silent', config: BROKER_CONFIG });
    const c2 = await connect(broker.bootstrap);
    const restored = await describe(c2, 'clean-group');
    const committed = await fetchCommitted(c2, 'clean-group');
    c2.close();
    assert.equal(committed, before.committed, 'committed offsets intact');
    assertRestored(restored, before.group);

    await stableGroup(broker.bootstrap, 'clean-group', 2);
    await group.produce('two');
    await group.consumed('two');
    group.assertExactlyOnce();
    assert.is(group.seen.length, 2 * PER_PHASE);
  } finally {
    await group.close();
    await broker.close();
  }
});

test('kill -9 of a samsa process: acknowledged commits survive, the group rejoins, nothing is consumed twice', async () => {
  const dataDir = tempDir();
  const port = await freePort();
  let samsa = new SamsaProcess(port, dataDir, ['--set', 'group.min.session.timeout.ms=1000']);
  await samsa.ready();
  const c = await connect(samsa.bootstrap);
  await createTopic(c, TOPIC, PARTITIONS);
  c.close();
  const group = new Group(samsa.bootstrap, 'crash-group');
  try {
    await group.start(['a', 'b']);
    await stableGroup(samsa.bootstrap, 'crash-group', 2);
    await group.produce('one');
    await group.consumed('one');
    const before = await stableGroup(samsa.bootstrap, 'crash-group', 2);
    assert.is(
      [...before.committed.values()].reduce((x, y) => x + y, 0),
      PER_PHASE,
    );

    const exit = await samsa.stop('SIGKILL');
    assert.is(exit.signal, 'SIGKILL');
    samsa = new SamsaProcess(port, dataDir, ['--set', 'group.min.session.timeout.ms=1000']);
    await samsa.ready();
    const c2 = await connect(samsa.bootstrap);
    const restored = await describe(c2, 'crash-group');
    const committed = await fetchCommitted(c2, 'crash-group');
    c2.close();
    assert.equal(committed, before.committed, 'every acknowledged commit survived kill -9');
    assertRestored(restored, before.group);

    await stableGroup(samsa.bootstrap, 'crash-group', 2);
    await group.produce('two');
    await group.consumed('two');
    group.assertExactlyOnce();
    assert.is(group.seen.length, 2 * PER_PHASE);
  } finally {
    await group.close();
    await samsa.stop('SIGTERM').catch(() => undefined);
  }
});

test.run();
