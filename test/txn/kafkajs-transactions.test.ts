// kafkajs transactions against a real broker: a committed transaction over several partitions
// with sendOffsets, an aborted one; read_committed sees exactly the committed records and the
// committed offsets, read_uncommitted sees both, and no consumer sees control records.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/broker/broker.js';

const { Kafka, logLevel } = kafkajs;

async function consumeAll(
  kafka: InstanceType<typeof Kafka>,
  topic: string,
  groupId: string,
  readUncommitted: boolean,
  expected: number,
  waitMs = 1500,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  const deadline = Date.now() + 10_000;
  while (seen.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, waitMs)); // anything extra would show up now
  await consumer.disconnect();
  return seen.sort();
}

for (const mode of ['memory', 'disk'] as const) {
  test(`kafkajs: commit with sendOffsets, abort, read_committed and read_uncommitted (${mode})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-txn-'));
    const broker = await startBroker(mode === 'disk' ? { port: 0, dataDir: dir, logLevel: 'silent' } : { port: 0, logLevel: 'silent' });
    try {
      const kafka = new Kafka({ clientId: 't', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [
          { topic: 'out', numPartitions: 3 },
          { topic: 'in', numPartitions: 1 },
        ],
      });
      const producer = kafka.producer({ transactionalId: 'tx-1', maxInFlightRequests: 1, idempotent: true });
      await producer.connect();

      const t1 = await producer.transaction();
      for (let p = 0; p < 3; p++)
        await t1.send({
          topic: 'out',
          messages: [
            { value: `c${p}a`, partition: p },
            { value: `c${p}b`, partition: p },
          ],
        });
      await t1.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }] });
      await t1.commit();

      const t2 = await producer.transaction();
      for (let p = 0; p < 3; p++) await t2.send({ topic: 'out', messages: [{ value: `a${p}`, partition: p }] });
      await t2.sendOffsets({ consumerGroupId: 'app', topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '99' }] }] });
      await t2.abort();

      // A third transaction after the abort commits again (the producer is still usable).
      const t3 = await producer.transaction();
      await t3.send({ topic: 'out', messages: [{ value: 'c-last', partition: 1 }] });
      await t3.commit();
      await producer.disconnect();

      const committed = ['c0a', 'c0b', 'c1a', 'c1b', 'c2a', 'c2b', 'c-last'].sort();
      assert.equal(await consumeAll(kafka, 'out', 'rc', false, committed.length), committed);
      const all = [...committed, 'a0', 'a1', 'a2'].sort();
      assert.equal(await consumeAll(kafka, 'out', 'ru', true, all.length), all);

      const offsets = await admin.fetchOffsets({ groupId: 'app', topics: ['in'] });
      assert.is(offsets[0]!.partitions[0]!.offset, '42');

      // Every partition: the log end counts data + markers; read_committed latest = LSO = HWM.
      for (let p = 0; p < 3; p++) {
        const log = broker.logManager.get('out', p)!;
        assert.is(log.lastStableOffset, log.highWatermark);
        assert.is(log.abortedTxns.entries.length, 1);
      }
      await admin.disconnect();
      if (mode === 'disk') {
        const files = readdirSync(join(dir, 'out-0'));
        const idx = files.find((f) => f.endsWith('.txnindex'));
        assert.ok(idx, 'a .txnindex file');
        assert.is(statSync(join(dir, 'out-0', idx!)).size, 34);
      }
    } finally {
      await broker.close();
    }
    if (mode === 'disk') {
      // After a restart: the aborted index, the transaction state and the offsets are back.
      const b2 = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
      try {
        assert.is(b2.logManager.get('out', 0)!.abortedTxns.entries.length, 1);
        assert.is(b2.txnCoordinator.txns.get('tx-1')?.state, 4); // CompleteCommit
        const kafka = new Kafka({ clientId: 't2', brokers: [b2.bootstrap], logLevel: logLevel.NOTHING });
        const committed = ['c0a', 'c0b', 'c1a', 'c1b', 'c2a', 'c2b', 'c-last'].sort();
        assert.equal(await consumeAll(kafka, 'out', 'rc2', false, committed.length, 500), committed);
        const admin = kafka.admin();
        await admin.connect();
        const offsets = await admin.fetchOffsets({ groupId: 'app', topics: ['in'] });
        assert.is(offsets[0]!.partitions[0]!.offset, '42');
        await admin.disconnect();
      } finally {
        await b2.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
}

test('kafkajs: an open transaction holds back read_committed at the LSO', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  try {
    const kafka = new Kafka({ clientId: 't', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'lso', numPartitions: 1 }] });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: 'lso', messages: [{ value: 'before' }] });
    const producer = kafka.producer({ transactionalId: 'tx-open', maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic: 'lso', messages: [{ value: 'open' }] });
    await plain.send({ topic: 'lso', messages: [{ value: 'after' }] });
    const log = broker.logManager.get('lso', 0)!;
    assert.is(log.lastStableOffset, 1);
    assert.is(log.highWatermark, 3);
    // kafkajs' admin asks ListOffsets with read_committed: latest is the last stable offset.
    const latest = await admin.fetchTopicOffsets('lso');
    assert.is(latest[0]!.high, '1');
    assert.equal(await consumeAll(kafka, 'lso', 'g-open', false, 1, 300), ['before']);
    await t.commit();
    assert.is(log.lastStableOffset, log.highWatermark);
    assert.equal(await consumeAll(kafka, 'lso', 'g-closed', false, 3, 300), ['after', 'before', 'open']);
    await plain.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  } finally {
    await broker.close();
  }
});

test.run();
