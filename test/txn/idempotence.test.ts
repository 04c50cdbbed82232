// Idempotent producers (KIP-98) against a real broker: retries never duplicate, gaps and old
// epochs get Kafka's errors, and the state survives a restart (snapshot) and a kill -9 (replay).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';

const { Kafka, logLevel } = kafkajs;

async function client(port: number): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', port);
  await c.negotiate();
  return c;
}

async function createTopic(c: ClientConnection, name: string, partitions = 1): Promise<void> {
  const r = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1 }],
    timeoutMs: 5000,
  });
  assert.is(r.topics[0]!.errorCode, 0);
}

async function initProducer(c: ClientConnection): Promise<{ producerId: number; producerEpoch: number }> {
  const r = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: null,
    transactionTimeoutMs: 60000,
    producerId: -1,
    producerEpoch: -1,
  });
  assert.is(r.errorCode, 0);
  return r;
}

async function produce(c: ClientConnection, topic: string, batch: Buffer): Promise<{ errorCode: number; baseOffset: number }> {
  const r = await c.send(ProduceRequest, ProduceResponse, 9, {
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  });
  const p = r.responses[0]!.partitionResponses[0]!;
  return { errorCode: p.errorCode, baseOffset: p.baseOffset };
}

function batch(pid: { producerId: number; producerEpoch: number }, seq: number, values: string[]): Buffer {
  return buildBatch(
    values.map((v) => ({ key: null, value: Buffer.from(v) })),
    { producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence: seq },
  );
}

async function values(c: ClientConnection, topic: string): Promise<string[]> {
  const r = await c.send(FetchRequest, FetchResponse, 12, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 24,
    sessionEpoch: -1,
    topics: [
      { topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 24, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] },
    ],
  });
  const buf = r.responses[0]!.partitions[0]!.records as Buffer;
  const out: string[] = [];
  for (let p = 0; p < buf.length;) {
    iterateRecords(buf, p, (_o, _t, _k, v) => {
      out.push(String(v));
    });
    p += buf.readInt32BE(p + 8) + 12;
  }
  return out;
}

test('producer ids are distinct and never reused across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-pid-'));
  try {
    let b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
    let c = await client(b.port);
    const a1 = await initProducer(c);
    const a2 = await initProducer(c);
    assert.is.not(a1.producerId, a2.producerId);
    c.close();
    await b.close();
    b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
    c = await client(b.port);
    const a3 = await initProducer(c);
    assert.ok(a3.producerId > a2.producerId, `${a3.producerId} after ${a2.producerId}`);
    c.close();
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a retried batch gets its original offset and is stored once; gaps and old epochs are refused', async () => {
  const b: Broker = await startBroker({ port: 0, logLevel: 'silent' });
  const c = await client(b.port);
  try {
    await createTopic(c, 'idem');
    const pid = await initProducer(c);
    const first = await produce(c, 'idem', batch(pid, 0, ['a', 'b']));
    assert.equal(first, { errorCode: 0, baseOffset: 0 });
    const second = await produce(c, 'idem', batch(pid, 2, ['c']));
    assert.equal(second, { errorCode: 0, baseOffset: 2 });
    // A retry of the first batch (the response was lost): same offset, nothing appended.
    const retry = await produce(c, 'idem', batch(pid, 0, ['a', 'b']));
    assert.equal(retry, { errorCode: 0, baseOffset: 0 });
    const retry2 = await produce(c, 'idem', batch(pid, 2, ['c']));
    assert.equal(retry2, { errorCode: 0, baseOffset: 2 });
    // A gap in the sequence.
    const gap = await produce(c, 'idem', batch(pid, 5, ['x']));
    assert.is(gap.errorCode, 45, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    // A newer epoch must start at sequence 0; then the old epoch is fenced.
    const bumped = { producerId: pid.producerId, producerEpoch: pid.producerEpoch + 1 };
    assert.is((await produce(c, 'idem', batch(bumped, 3, ['y']))).errorCode, 45);
    assert.equal(await produce(c, 'idem', batch(bumped, 0, ['d'])), { errorCode: 0, baseOffset: 3 });
    assert.is((await produce(c, 'idem', batch(pid, 3, ['z']))).errorCode, 47, 'INVALID_PRODUCER_EPOCH');
    assert.equal(await values(c, 'idem'), ['a', 'b', 'c', 'd'], 'the log is unchanged by refused and duplicate batches');
  } finally {
    c.close();
    await b.close();
  }
});

test('kafkajs idempotent producer: every message once, in order', async () => {
  const b = await startBroker({ port: 0, logLevel: 'silent' });
  const kafka = new Kafka({ clientId: 'idem', brokers: [b.bootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const c = await client(b.port);
  try {
    await createTopic(c, 'kjs-idem');
    await producer.connect();
    for (let i = 0; i < 20; i++) await producer.send({ topic: 'kjs-idem', acks: -1, messages: [{ value: `m${i}` }] });
    assert.equal(
      await values(c, 'kjs-idem'),
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );
  } finally {
    await producer.disconnect();
    c.close();
    await b.close();
  }
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const bin = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

function startProcess(dir: string, port: number): Promise<{ kill: (sig: NodeJS.Signals) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start', '--port', String(port), '--data-dir', dir, '--log-level', 'info'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`samsa did not start:\n${out}`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/^samsa ready /m.test(out)) {
        clearTimeout(timer);
        resolve({
          kill: (sig) =>
            new Promise((r) => {
              child.once('exit', () => r());
              child.kill(sig);
            }),
        });
      }
    });
    child.stderr.on('data', (d) => (out += d));
  });
}

test('duplicate detection survives kill -9 (state replayed from the log) and a clean restart (snapshot)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-idem-crash-'));
  const port = await freePort();
  try {
    let p = await startProcess(dir, port);
    let c = await client(port);
    await createTopic(c, 'durable');
    const pid = await initProducer(c);
    assert.equal(await produce(c, 'durable', batch(pid, 0, ['one', 'two'])), { errorCode: 0, baseOffset: 0 });
    c.close();
    await p.kill('SIGKILL');
    p = await startProcess(dir, port);
    c = await client(port);
    assert.equal(await produce(c, 'durable', batch(pid, 0, ['one', 'two'])), { errorCode: 0, baseOffset: 0 }, 'retry after kill -9');
    assert.equal(await produce(c, 'durable', batch(pid, 2, ['three'])), { errorCode: 0, baseOffset: 2 });
    c.close();
    await p.kill('SIGTERM');
    p = await startProcess(dir, port);
    c = await client(port);
    assert.equal(await produce(c, 'durable', batch(pid, 2, ['three'])), { errorCode: 0, baseOffset: 2 }, 'retry after a clean restart');
    assert.is((await produce(c, 'durable', batch(pid, 9, ['gap']))).errorCode, 45);
    assert.equal(await values(c, 'durable'), ['one', 'two', 'three']);
    c.close();
    await p.kill('SIGTERM');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
