// Issue 11 item 4: metadata persistence at scale. samsa runs as a child process (bin/samsa.js,
// disk mode); hundreds of topics are created one request each and one topic is grown by
// CreatePartitions; after kill -9 right after the last acknowledgement, and after a graceful
// stop, every topic is back with its partitions, and a restarted broker takes new topics.
// Asserts behaviour, not timing (the bench, bench/partition-scale.ts, measures the rates).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SamsaProcess, connectClient, createTopic, freePort, withTimeout } from '../data-path/helpers.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { CreatePartitionsRequest } from '../../src/protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../src/protocol/generated/create-partitions-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';

const TOPICS = 400;
const WIDE = 3000;
let dataDir: string;
let port: number;
let samsa: SamsaProcess | null = null;

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-topics-restart-'));
  port = await freePort();
});
test.after(async () => {
  if (samsa) await samsa.stop('SIGKILL').catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<ClientConnection> {
  samsa = new SamsaProcess(port, dataDir);
  await samsa.ready(60_000);
  return connectClient(samsa.bootstrap, 'topics-restart');
}

async function grow(c: ClientConnection, name: string, count: number): Promise<void> {
  const res = await withTimeout(
    c.send(CreatePartitionsRequest, CreatePartitionsResponse, 3, { topics: [{ name, count, assignments: null }], timeoutMs: 30_000, validateOnly: false }),
    60_000,
    `CreatePartitions ${name} to ${count}`,
  );
  assert.is(res.results[0]!.errorCode, 0, `grow ${name} to ${count}: ${res.results[0]!.errorMessage}`);
}

async function partitionCounts(c: ClientConnection): Promise<Map<string, number>> {
  const md = await c.send(MetadataRequest, MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return new Map(md.topics.map((t) => [t.name!, t.partitions.length]));
}

function expectAll(counts: Map<string, number>, extra: Record<string, number> = {}): void {
  for (let i = 1; i < TOPICS; i++) assert.is(counts.get(`many-${i}`), 1 + (i % 3), `many-${i}`);
  assert.is(counts.get('wide'), WIDE, 'wide');
  for (const [name, n] of Object.entries(extra)) assert.is(counts.get(name), n, name);
}

test('every topic and partition survives kill -9 right after the last acknowledgement', async () => {
  const c = await start();
  for (let i = 0; i < TOPICS; i++) await createTopic(c, `many-${i}`, 1 + (i % 3));
  await createTopic(c, 'wide', 1);
  await grow(c, 'wide', 1000);
  await grow(c, 'wide', WIDE);
  expectAll(await partitionCounts(c));
  c.close();
  await samsa!.stop('SIGKILL');

  const again = await start();
  expectAll(await partitionCounts(again));
  // The restarted broker keeps recording changes after the replayed ones.
  await createTopic(again, 'after-crash', 2);
  await grow(again, 'many-0', 5);
  again.close();
  await samsa!.stop('SIGKILL');

  const third = await start();
  const counts = await partitionCounts(third);
  expectAll(counts, { 'after-crash': 2, 'many-0': 5 });
  third.close();
});

test('and a graceful stop and start', async () => {
  await samsa!.stop('SIGTERM', 60_000);
  const c = await start();
  const counts = await partitionCounts(c);
  assert.is(counts.get('after-crash'), 2);
  assert.is(counts.get('wide'), WIDE);
  assert.is(counts.size, TOPICS + 2);
  c.close();
  await samsa!.stop('SIGTERM', 60_000);
  samsa = null;
});

test.run();
