// Transaction admin APIs against a real broker, at every served version: DescribeProducers (61),
// DescribeTransactions (65) and ListTransactions (66, v0-v2 with the duration and transactional
// id pattern filters), with a kafkajs transactional producer left open, then committed, an
// idempotent producer, and a transactional id initialised with no transaction (Empty).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs from 'kafkajs';
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { DescribeProducersRequest } from '../../src/protocol/generated/describe-producers-request.js';
import { DescribeProducersResponse } from '../../src/protocol/generated/describe-producers-response.js';
import { DescribeTransactionsRequest } from '../../src/protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../src/protocol/generated/describe-transactions-response.js';
import { ListTransactionsRequest } from '../../src/protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../../src/protocol/generated/list-transactions-response.js';

const { Kafka, logLevel } = kafkajs;

test('DescribeProducers, DescribeTransactions, ListTransactions', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  const kafka = new Kafka({ clientId: 't', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const txp = kafka.producer({ transactionalId: 't1', maxInFlightRequests: 1, idempotent: true });
  const idp = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await c.negotiate();
    for (const [key, max] of [
      [61, 0],
      [65, 0],
      [66, 2],
    ] as const)
      assert.equal(c.versions.get(key), { minVersion: 0, maxVersion: max });
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'a', numPartitions: 2 },
        { topic: 'b', numPartitions: 2 },
      ],
    });
    await idp.connect();
    await idp.send({
      topic: 'a',
      messages: [
        { value: 'i0', partition: 1 },
        { value: 'i1', partition: 1 },
        { value: 'i2', partition: 1 },
      ],
    });
    // A transactional id with a producer id and no transaction yet: Empty.
    const init = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
      transactionalId: 'other',
      transactionTimeoutMs: 30000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.is(init.errorCode, 0);
    await txp.connect();
    const txn = await txp.transaction();
    await txn.send({
      topic: 'a',
      messages: [
        { value: 'x', partition: 0 },
        { value: 'y', partition: 0 },
      ],
    });
    await txn.send({ topic: 'b', messages: [{ value: 'z', partition: 1 }] });

    // ---- DescribeProducers ----
    const dp = await c.send(DescribeProducersRequest, DescribeProducersResponse, 0, {
      topics: [
        { name: 'a', partitionIndexes: [0, 1, 7] },
        { name: 'nope', partitionIndexes: [0] },
      ],
    });
    assert.is(dp.topics.length, 2);
    const [a0, a1, a7] = dp.topics[0]!.partitions;
    assert.is(a0!.errorCode, 0);
    assert.is(a0!.activeProducers.length, 1);
    const tp = a0!.activeProducers[0]!;
    assert.is(tp.producerEpoch, 0);
    assert.is(tp.lastSequence, 1);
    assert.is(tp.currentTxnStartOffset, 0);
    assert.is(tp.coordinatorEpoch, -1);
    assert.ok(tp.lastTimestamp > Date.now() - 60_000 && tp.lastTimestamp <= Date.now());
    assert.is(a1!.errorCode, 0);
    assert.is(a1!.activeProducers.length, 1);
    const ip = a1!.activeProducers[0]!;
    assert.is.not(ip.producerId, tp.producerId);
    assert.is(ip.lastSequence, 2);
    assert.is(ip.currentTxnStartOffset, -1);
    assert.is(a7!.partitionIndex, 7);
    assert.is(a7!.errorCode, 3); // UNKNOWN_TOPIC_OR_PARTITION
    assert.is(dp.topics[1]!.partitions[0]!.errorCode, 3);
    const pid = tp.producerId;

    // ---- DescribeTransactions ----
    const dt = await c.send(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ['t1', 'other', 'missing'] });
    const [t1, other, missing] = dt.transactionStates;
    assert.is(t1!.errorCode, 0);
    assert.is(t1!.transactionalId, 't1');
    assert.is(t1!.transactionState, 'Ongoing');
    assert.is(t1!.producerId, pid);
    assert.is(t1!.producerEpoch, 0);
    assert.is(t1!.transactionTimeoutMs, 60000); // kafkajs' default transactionTimeout
    assert.ok(t1!.transactionStartTimeMs > Date.now() - 60_000 && t1!.transactionStartTimeMs <= Date.now());
    const topics = t1!.topics.map((t) => ({ topic: t.topic, partitions: [...t.partitions].sort() })).sort((x, y) => x.topic.localeCompare(y.topic));
    assert.equal(topics, [
      { topic: 'a', partitions: [0] },
      { topic: 'b', partitions: [1] },
    ]);
    assert.is(other!.errorCode, 0);
    assert.is(other!.transactionState, 'Empty');
    assert.is(other!.topics.length, 0);
    assert.is(other!.producerId, init.producerId);
    assert.is(other!.transactionTimeoutMs, 30000);
    assert.is(other!.transactionStartTimeMs, -1);
    assert.is(missing!.transactionalId, 'missing');
    assert.is(missing!.errorCode, 105); // TRANSACTIONAL_ID_NOT_FOUND

    // ---- ListTransactions, every version ----
    const list = async (
      v: number,
      f: { stateFilters?: string[]; producerIdFilters?: number[]; durationFilter?: number; transactionalIdPattern?: string | null } = {},
    ) => {
      const r = await c.send(ListTransactionsRequest, ListTransactionsResponse, v, {
        stateFilters: f.stateFilters ?? [],
        producerIdFilters: f.producerIdFilters ?? [],
        durationFilter: f.durationFilter ?? -1,
        transactionalIdPattern: f.transactionalIdPattern ?? null,
      });
      return {
        errorCode: r.errorCode,
        unknown: r.unknownStateFilters,
        txns: r.transactionStates.map((t) => `${t.transactionalId}:${t.transactionState}`).sort(),
      };
    };
    for (let v = 0; v <= 2; v++) {
      assert.equal(await list(v), { errorCode: 0, unknown: [], txns: ['other:Empty', 't1:Ongoing'] }, `v${v}`);
      assert.equal(await list(v, { stateFilters: ['Ongoing', 'Bogus'] }), { errorCode: 0, unknown: ['Bogus'], txns: ['t1:Ongoing'] });
      assert.equal(await list(v, { stateFilters: ['Bogus'] }), { errorCode: 0, unknown: ['Bogus'], txns: [] });
      assert.equal((await list(v, { stateFilters: ['Empty'] })).txns, ['other:Empty']);
      assert.equal((await list(v, { producerIdFilters: [pid] })).txns, ['t1:Ongoing']);
      assert.equal((await list(v, { producerIdFilters: [pid + 1000] })).txns, []);
      const r = await c.send(ListTransactionsRequest, ListTransactionsResponse, v, {
        stateFilters: [],
        producerIdFilters: [pid],
        durationFilter: -1,
        transactionalIdPattern: null,
      });
      assert.is(r.transactionStates[0]!.producerId, pid);
    }
    // v1+: DurationFilter keeps transactions started more than that long ago. As in Kafka
    // (now - txnStartTimestamp), an Empty one (start time -1) always passes it.
    await new Promise((r) => setTimeout(r, 30));
    for (let v = 1; v <= 2; v++) {
      assert.equal((await list(v, { durationFilter: 3_600_000 })).txns, ['other:Empty']);
      assert.equal((await list(v, { durationFilter: 3_600_000, stateFilters: ['Ongoing'] })).txns, []);
      assert.equal((await list(v, { durationFilter: 10, stateFilters: ['Ongoing'] })).txns, ['t1:Ongoing']);
    }
    // v2: TransactionalIdPattern, a whole-id regex; null or empty means no filter.
    assert.equal((await list(2, { transactionalIdPattern: 't\\d' })).txns, ['t1:Ongoing']);
    assert.equal((await list(2, { transactionalIdPattern: 't' })).txns, []);
    assert.equal((await list(2, { transactionalIdPattern: 'oth.*|x' })).txns, ['other:Empty']);
    assert.equal((await list(2, { transactionalIdPattern: '' })).txns, ['other:Empty', 't1:Ongoing']);
    assert.equal(await list(2, { transactionalIdPattern: '(unclosed' }), { errorCode: 128, unknown: [], txns: [] }); // INVALID_REGULAR_EXPRESSION

    // ---- after the commit ----
    await txn.commit();
    const after = await c.send(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ['t1'] });
    assert.is(after.transactionStates[0]!.errorCode, 0);
    assert.is(after.transactionStates[0]!.transactionState, 'CompleteCommit');
    assert.is(after.transactionStates[0]!.producerId, pid);
    assert.equal(after.transactionStates[0]!.topics, []);
    for (let v = 0; v <= 2; v++) assert.equal((await list(v, { stateFilters: ['CompleteCommit'] })).txns, ['t1:CompleteCommit']);
    const dp2 = await c.send(DescribeProducersRequest, DescribeProducersResponse, 0, { topics: [{ name: 'a', partitionIndexes: [0] }] });
    const p2 = dp2.topics[0]!.partitions[0]!.activeProducers.find((p) => p.producerId === pid)!;
    assert.is(p2.currentTxnStartOffset, -1);
    assert.is(p2.coordinatorEpoch, 0);
    assert.is(p2.lastSequence, 1);
  } finally {
    await Promise.allSettled([txp.disconnect(), idp.disconnect(), admin.disconnect()]);
    c.close();
    await broker.close();
  }
});

test.run();
