// Fetch semantics with samsa's own client (exact control of every field): long polls completed by
// appends, Kafka's size rules, OFFSET_OUT_OF_RANGE, incremental fetch sessions (KIP-227) with
// their epochs, forgotten partitions and eviction, topic ids (v13+), isolation levels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { waitFor } from '../groups/helpers.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { FetchRequest, type FetchRequest as FetchReq } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import type { Input } from '../../src/protocol/primitives/index.js';

let broker: Broker;
let c: ClientConnection;
// Requests on one connection are handled in order (as Kafka does), so appends that must wake a
// long poll come from a second connection.
let producer: ClientConnection;
let topicId = '';

test.before(async () => {
  broker = await startBroker({
    port: 0,
    logLevel: 'silent',
    config: { 'max.incremental.fetch.session.cache.slots': 2, 'min.incremental.fetch.session.eviction.ms': 0 },
  });
  c = await ClientConnection.connect('127.0.0.1', broker.port);
  await c.negotiate();
  producer = await ClientConnection.connect('127.0.0.1', broker.port);
  await producer.negotiate();
  const r = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'f', numPartitions: 3, replicationFactor: 1 }], timeoutMs: 5000 });
  topicId = r.topics[0]!.topicId;
});

test.after(async () => {
  c.close();
  producer.close();
  await broker.close();
});

async function produce(partition: number, values: string[]): Promise<number> {
  const batch = buildBatch(values.map((v) => ({ key: null, value: Buffer.from(v) })));
  const r = await producer.send(ProduceRequest, ProduceResponse, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 'f', partitionData: [{ index: partition, records: batch }] }],
  });
  return r.responses[0]!.partitionResponses[0]!.baseOffset;
}

function part(partition: number, fetchOffset: number, partitionMaxBytes = 1 << 20) {
  return { partition, fetchOffset, partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 };
}

function fetch(v: number, body: Input<FetchReq>) {
  return c.send(FetchRequest, FetchResponse, v, { maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 24, sessionEpoch: -1, ...body });
}

test('a long poll is answered by an append, not by its max wait', async () => {
  const end = await produce(0, ['x']);
  const pending = fetch(12, { maxWaitMs: 600000, minBytes: 1, topics: [{ topic: 'f', partitions: [part(0, end + 1)] }] });
  // The append must come while the fetch is parked, not before it arrives.
  await waitFor(
    () => broker.fetchWaiters.waiting === 1,
    10_000,
    () => `the fetch is parked: ${broker.fetchWaiters.waiting} waiting`,
  );
  await produce(0, ['woken']);
  const res = await pending; // would hang for 10 minutes (and the runner would kill it) without the wake-up
  const p = res.responses[0]!.partitions[0]!;
  assert.is(p.errorCode, 0);
  assert.ok((p.records as Buffer).length > 0);
  assert.is(p.highWatermark, end + 2);
});

test('a long poll with nothing new returns empty after max wait', async () => {
  const res = await fetch(12, { maxWaitMs: 50, minBytes: 1, topics: [{ topic: 'f', partitions: [part(2, 0)] }] });
  assert.is((res.responses[0]!.partitions[0]!.records as Buffer).length, 0);
});

test('the first batch is returned whole even above the limits; later ones are not', async () => {
  await produce(1, ['a'.repeat(3000)]);
  await produce(1, ['b'.repeat(3000)]);
  const res = await fetch(12, { maxBytes: 100, topics: [{ topic: 'f', partitions: [part(1, 0, 100)] }] });
  const records = res.responses[0]!.partitions[0]!.records as Buffer;
  assert.ok(records.length > 3000 && records.length < 6000, `one batch: ${records.length} bytes`);
});

test('OFFSET_OUT_OF_RANGE above the log end; topic ids at v13+; unknown ids', async () => {
  const res = await fetch(12, { topics: [{ topic: 'f', partitions: [part(0, 999)] }] });
  assert.is(res.responses[0]!.partitions[0]!.errorCode, 1);
  const byId = await fetch(13, { topics: [{ topicId, partitions: [part(0, 0)] }] });
  assert.is(byId.responses[0]!.topicId, topicId);
  assert.is(byId.responses[0]!.partitions[0]!.errorCode, 0);
  const unknown = await fetch(13, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [part(0, 0)] }] });
  assert.is(unknown.responses[0]!.partitions[0]!.errorCode, 100, 'UNKNOWN_TOPIC_ID');
});

test('read_committed returns an aborted-transactions list, read_uncommitted none', async () => {
  const rc = await fetch(12, { isolationLevel: 1, topics: [{ topic: 'f', partitions: [part(0, 0)] }] });
  assert.equal(rc.responses[0]!.partitions[0]!.abortedTransactions, []);
  const ru = await fetch(12, { isolationLevel: 0, topics: [{ topic: 'f', partitions: [part(0, 0)] }] });
  assert.is(ru.responses[0]!.partitions[0]!.abortedTransactions, null);
});

test('incremental fetch sessions: only partitions with news, epochs checked, forgotten partitions', async () => {
  // Start at the log ends, as a consumer that has read everything.
  const probe = await fetch(12, { topics: [{ topic: 'f', partitions: [part(0, 0), part(2, 0)] }] });
  const [hw0, hw2] = probe.responses[0]!.partitions.map((p) => p.highWatermark);
  const full = await fetch(12, { sessionId: 0, sessionEpoch: 0, topics: [{ topic: 'f', partitions: [part(0, hw0!), part(2, hw2!)] }] });
  const id = full.sessionId;
  assert.ok(id > 0, 'a session was created');
  assert.is(full.responses[0]!.partitions.length, 2);
  // Nothing changed: an incremental fetch lists no partition.
  const quiet = await fetch(12, { sessionId: id, sessionEpoch: 1, topics: [] });
  assert.is(quiet.errorCode, 0);
  assert.is(quiet.responses.length, 0);
  // New data in partition 2 only.
  await produce(2, ['news']);
  const news = await fetch(12, { sessionId: id, sessionEpoch: 2, topics: [] });
  assert.equal(
    news.responses[0]!.partitions.map((p) => p.partitionIndex),
    [2],
  );
  // A wrong epoch.
  const wrong = await fetch(12, { sessionId: id, sessionEpoch: 7, topics: [] });
  assert.is(wrong.errorCode, 71, 'INVALID_FETCH_SESSION_EPOCH');
  // Forget partition 2; more data there is not reported.
  const forget = await fetch(12, { sessionId: id, sessionEpoch: 3, topics: [], forgottenTopicsData: [{ topic: 'f', partitions: [2] }] });
  assert.is(forget.errorCode, 0);
  await produce(2, ['ignored']);
  const after = await fetch(12, { sessionId: id, sessionEpoch: 4, topics: [] });
  assert.is(after.responses.length, 0);
  // Close the session (final epoch): it is gone.
  await fetch(12, { sessionId: id, sessionEpoch: -1, topics: [] });
  const gone = await fetch(12, { sessionId: id, sessionEpoch: 5, topics: [] });
  assert.is(gone.errorCode, 70, 'FETCH_SESSION_ID_NOT_FOUND');
});

test('the session cache is bounded: a new session evicts an idle one', async () => {
  // This broker has 2 slots and an eviction time of 0 ms: every idle session is evictable.
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(12, { sessionId: 0, sessionEpoch: 0, topics: [{ topic: 'f', partitions: [part(0, 0)] }] });
    assert.ok(r.sessionId > 0);
    ids.push(r.sessionId);
    await new Promise((res) => setTimeout(res, 5));
  }
  const first = await fetch(12, { sessionId: ids[0]!, sessionEpoch: 1, topics: [] });
  assert.is(first.errorCode, 70, 'the least recently used session was evicted');
  const last = await fetch(12, { sessionId: ids[2]!, sessionEpoch: 1, topics: [] });
  assert.is(last.errorCode, 0);
});

test.run();
