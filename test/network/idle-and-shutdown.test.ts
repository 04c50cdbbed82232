// connections.max.idle.ms closes silent connections (and only those); close() answers a long
// poll in flight instead of waiting for its max wait.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker } from '../../src/broker/broker.js';
import { waitFor } from '../groups/helpers.js';
import { ClientConnection } from '../../src/client/connection.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an idle connection is closed after connections.max.idle.ms; a busy one is not', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'connections.max.idle.ms': 400 } });
  try {
    const idle = await ClientConnection.connect('127.0.0.1', broker.port);
    const busy = await ClientConnection.connect('127.0.0.1', broker.port);
    await idle.negotiate();
    await busy.negotiate();
    for (let i = 0; i < 8; i++) {
      await sleep(100);
      await busy.send(MetadataRequest, MetadataResponse, 12, { topics: null });
    }
    assert.ok(idle.closed, 'the idle connection was closed by the broker');
    assert.not.ok(busy.closed, 'the busy connection stays open');
    busy.close();
  } finally {
    await broker.close();
  }
});

test('close() answers a long poll at once and the broker stops', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'num.partitions': 1 } });
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  await c.negotiate();
  await c.send(MetadataRequest, MetadataResponse, 12, { topics: [{ name: 'lp' }], allowAutoTopicCreation: true });
  const poll = c.send(FetchRequest, FetchResponse, 12, {
    maxWaitMs: 600000, // if close() did not answer it, this test would hang until the runner kills it
    minBytes: 1,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [
      {
        topic: 'lp',
        partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }],
      },
    ],
  });
  await waitFor(
    () => broker.fetchWaiters.waiting === 1,
    10_000,
    () => 'the long poll is parked',
  );
  await broker.close();
  const res = await poll;
  assert.is(res.responses[0]!.partitions[0]!.errorCode, 0);
  c.close();
});

test.run();
