// requires: kcat
// Topic compression.type: batches are stored with the topic's codec whatever the producer sent
// (Kafka's LogValidator), and real clients read them back; `producer` keeps them as sent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { compressBatch } from '../../src/compression/batch-codec.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';

const broker = await startBroker({ port: 0, logLevel: 'silent' });
const c = await ClientConnection.connect('127.0.0.1', broker.port);
await c.negotiate();

async function topic(name: string, type: string): Promise<void> {
  const r = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, configs: [{ name: 'compression.type', value: type }] }],
    timeoutMs: 5000,
  });
  assert.is(r.topics[0]!.errorCode, 0);
}

async function produce(name: string, batch: Buffer): Promise<number> {
  const r = await c.send(ProduceRequest, ProduceResponse, 9, {
    acks: 1,
    timeoutMs: 5000,
    topicData: [{ name, partitionData: [{ index: 0, records: batch }] }],
  });
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}

async function storedCodec(name: string): Promise<number> {
  const r = await c.send(FetchRequest, FetchResponse, 12, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 24,
    sessionEpoch: -1,
    topics: [
      {
        topic: name,
        partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 24, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }],
      },
    ],
  });
  return readBatchHeader(r.responses[0]!.partitions[0]!.records as Buffer, 0).attributes & 0x07;
}

const records = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`{"n":${i},"pad":"${'x'.repeat(100)}"}`) }));
const names = ['uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'];

for (const [codec, type] of names.entries()) {
  test(`compression.type=${type}: an uncompressed and a gzip batch are stored as ${type} and kcat reads them`, async () => {
    const t = `ct-${type}`;
    await topic(t, type);
    assert.is(await produce(t, buildBatch(records)), 0);
    assert.is(await produce(t, await compressBatch(buildBatch(records), 1)), 0);
    assert.is(await storedCodec(t), codec);
    // Async: the broker runs in this process and must keep serving while kcat reads.
    const out = (await run('kcat', ['-C', '-b', broker.bootstrap, '-t', t, '-o', 'beginning', '-e', '-q', '-f', '%k\n'], { timeout: 60000 })).stdout;
    const keys = out.split('\n').filter(Boolean);
    assert.is(keys.length, 100);
    assert.equal(keys.slice(0, 3), ['k0', 'k1', 'k2']);
  });
}

test('compression.type=producer keeps what the producer sent', async () => {
  await topic('ct-producer', 'producer');
  assert.is(await produce('ct-producer', await compressBatch(buildBatch(records), 3)), 0);
  assert.is(await storedCodec('ct-producer'), 3);
});

test.after(async () => {
  c.close();
  await broker.close();
});

test.run();
