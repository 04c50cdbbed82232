// The broker-wide budgets: samsa.queued.max.response.bytes (finished responses not yet sent, all
// connections together) and Kafka's queued.max.request.bytes (received requests not yet handled).
// A client that never reads is held to them; a client that reads keeps being served.
// Real broker, raw sockets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Socket } from 'node:net';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import type { ByteBudget } from '../../src/network/byte-budget.js';
import { createTopic } from '../data-path/helpers.js';
import { rawConnect, requestFrame, until } from './raw.js';

const KB = 1024;
const MB = 1024 * KB;
const BATCH = 100 * KB;

function fetchBody(maxBytes: number) {
  return {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    sessionEpoch: -1,
    topics: [
      {
        topic: 'mid',
        partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: maxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }],
      },
    ],
  };
}

async function setup(config: Record<string, string | number>): Promise<{ broker: Broker; reader: ClientConnection }> {
  const broker = await startBroker({ port: 0, logLevel: 'silent', storage: 'memory', config });
  const reader = await ClientConnection.connect('127.0.0.1', broker.port);
  await reader.negotiate();
  await createTopic(reader, 'mid', 1);
  const r = await reader.send(ProduceRequest, ProduceResponse, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name: 'mid', partitionData: [{ index: 0, records: buildBatch([{ key: null, value: Buffer.alloc(BATCH, 7) }]) }] }],
  });
  assert.is(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
  return { broker, reader };
}

async function served(reader: ClientConnection): Promise<void> {
  const r = await reader.send(FetchRequest, FetchResponse, 12, fetchBody(MB));
  assert.ok((r.responses[0]!.partitions[0]!.records as Buffer).length > BATCH, 'the reader gets the batch');
}

// Lets the broker go as far as it will with the hostile socket: the reader keeps being served,
// and `budget.used` stops changing over its round trips.
async function settle(reader: ClientConnection, budget: ByteBudget): Promise<number> {
  let last = -1;
  let same = 0;
  return until(
    'the budget to settle',
    async () => {
      await served(reader);
      const used = budget.used;
      same = used === last && used > 0 ? same + 1 : 0;
      last = used;
      return same >= 10 ? used : undefined;
    },
    60_000,
  );
}

async function hostile(broker: Broker, frames: Buffer): Promise<Socket> {
  const s = await rawConnect(broker.port);
  s.pause(); // never reads
  s.write(frames);
  return s;
}

test('samsa.queued.max.response.bytes: past it, a connection holding responses starts no more; readers are served', async () => {
  const { broker, reader } = await setup({ 'samsa.queued.max.response.bytes': 1 });
  try {
    // Far more than the kernel's socket buffers take, so responses pile up in the broker.
    const s = await hostile(broker, Buffer.concat(Array.from({ length: 400 }, (_, i) => requestFrame(FetchRequest, 12, i + 1, fetchBody(MB)))));
    const held = await settle(reader, broker.networkUsage.responseBudget);
    // One response (the one that found the budget exceeded); without the budget the 1 MiB per
    // connection would let about ten through.
    assert.ok(held < 2 * BATCH, `held ${held} bytes: more than one response of ~${BATCH}`);
    s.destroy();
    await until('the bytes to be given back', () => (broker.networkUsage.responseBudget.used === 0 ? true : undefined));
  } finally {
    reader.close();
    await broker.close();
  }
});

test('queued.max.request.bytes: a connection whose requests wait stops being read past it', async () => {
  // A response budget of 1 byte blocks the connection at its first unsent response, well below
  // the 1 MiB per connection at which it would also stop being read.
  const { broker, reader } = await setup({ 'socket.request.max.bytes': MB, 'queued.max.request.bytes': MB, 'samsa.queued.max.response.bytes': 1 });
  try {
    // Fetches whose responses are never read block this connection; then 4 MB more requests.
    const frames = Array.from({ length: 400 }, (_, i) => requestFrame(FetchRequest, 12, i + 1, fetchBody(MB)));
    const more = requestFrame(FetchRequest, 12, 999, fetchBody(MB));
    const s = await hostile(broker, Buffer.concat([...frames, ...Array.from({ length: Math.ceil((4 * MB) / more.length) }, () => more)]));
    const queued = await settle(reader, broker.networkUsage.requestBudget);
    // The budget plus what one read brings (a chunk of at most 64 KiB); without it, the
    // connection's own 16 MiB bound would let all 4 MB in.
    assert.ok(queued <= MB + 128 * KB, `${queued} request bytes queued`);
    s.destroy();
    await until('the bytes to be given back', () => (broker.networkUsage.requestBudget.used === 0 ? true : undefined));
  } finally {
    reader.close();
    await broker.close();
  }
});

test('a client that stops reading its responses is closed after connections.max.idle.ms, as in Kafka', async () => {
  const { broker, reader } = await setup({ 'samsa.queued.max.response.bytes': 1, 'connections.max.idle.ms': 300 });
  try {
    const s = await hostile(broker, Buffer.concat(Array.from({ length: 400 }, (_, i) => requestFrame(FetchRequest, 12, i + 1, fetchBody(MB)))));
    // The socket stays paused (a reading client would be idle-closed anyway): watch the broker
    // hold its responses, then give them back when it closes the connection.
    await until('responses to be held', () => (broker.networkUsage.responseBudget.used > 0 ? true : undefined));
    await until('the broker to close the connection and give the bytes back', () => (broker.networkUsage.responseBudget.used === 0 ? true : undefined), 20_000);
    s.destroy();
  } finally {
    reader.close();
    await broker.close();
  }
});

test('queued.max.request.bytes below socket.request.max.bytes is refused at start, as Kafka does', async () => {
  try {
    await startBroker({ port: 0, logLevel: 'silent', storage: 'memory', config: { 'queued.max.request.bytes': MB } });
    assert.unreachable('started');
  } catch (err) {
    assert.match((err as Error).message, /queued.max.request.bytes .* must be -1 or at least socket.request.max.bytes/);
  }
});

test.run();
