// Issue 11 (the fuzz soak's unanswered fresh clients): DeleteTopics of a topic with thousands of
// partitions removed their directories with synchronous calls (rename, readdir, rm) in one
// stretch, and the event loop served nobody until the last was gone: 8,000 partitions blocked it
// for 5 to 16 s on a busy disk. The directories are now renamed away and removed on the libuv
// pool (Kafka's LogManager.asyncDelete), so a fresh client is answered while that runs; a topic
// created again under the name waits for the renames, and a start finishes removals a stop cut short.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { DeleteTopicsRequest } from '../../src/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../src/protocol/generated/delete-topics-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';

const PARTITIONS = 1500;
const SOME = 500;

let dataDir: string;
let broker: Broker;
let conn: ClientConnection;

test.before.each(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-topic-delete-'));
  broker = await startBroker({ port: 0, dataDir, logLevel: 'warn' });
  conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'topic-delete' });
  await conn.negotiate();
});

test.after.each(async () => {
  conn?.close();
  await broker?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function createTopic(name: string, numPartitions: number): Promise<number> {
  const res = await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name, numPartitions, replicationFactor: -1, assignments: [], configs: [] }],
    timeoutMs: 60_000,
    validateOnly: false,
  });
  return res.topics[0]!.errorCode;
}

function deleteTopic(c: ClientConnection, name: string) {
  return c.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name, topicId: ZERO_UUID }], timeoutMs: 60_000 });
}

// Entries of the log dir that belong to `topic`: its partition directories, renamed or not.
const entriesOf = (topic: string) => readdirSync(dataDir).filter((n) => n.startsWith(`${topic}-`));

async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// A fresh client's bootstrap, as the soak's probe does it: connect, ApiVersions, Metadata.
async function freshClient(topic: string): Promise<number> {
  const c = await ClientConnection.connect(broker.host, broker.port, { clientId: 'fresh' });
  try {
    await c.negotiate();
    const md = await c.send(MetadataRequest, MetadataResponse, 12, {
      topics: [{ name: topic }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    return md.topics[0]!.errorCode;
  } finally {
    c.close();
  }
}

test('a fresh client is answered while the directories of a deleted 1,500-partition topic are being removed', async () => {
  assert.is(await createTopic('big', PARTITIONS), ErrorCode.NONE);
  assert.is(await createTopic('small', 1), ErrorCode.NONE);
  assert.is(entriesOf('big').length, PARTITIONS);
  const deleting = deleteTopic(conn, 'big');
  // The broker runs in this process: while a synchronous removal holds the event loop this poll
  // cannot run, so it sees either every directory or none. Seeing fewer than all means the
  // removal has started and the loop is free.
  await until(
    'the removal to start',
    () => !existsSync(join(dataDir, 'big-0')) || entriesOf('big').some((n) => n.endsWith('-delete')) || entriesOf('big').length < PARTITIONS,
  );
  assert.is(await freshClient('small'), ErrorCode.NONE);
  const left = entriesOf('big').length;
  assert.ok(left > 0, 'the fresh client was answered only once every directory of the deleted topic was gone');
  const res = await deleting;
  assert.is(res.responses[0]!.errorCode, ErrorCode.NONE);
  await until('the removal to finish', () => entriesOf('big').length === 0);
});

test('a topic created again under the name of one being removed keeps its own directories and data', async () => {
  assert.is(await createTopic('again', SOME), ErrorCode.NONE);
  const del = await deleteTopic(conn, 'again');
  assert.is(del.responses[0]!.errorCode, ErrorCode.NONE);
  // At once: the new topic's logs wait for the old directories to be renamed away.
  assert.is(await createTopic('again', 4), ErrorCode.NONE);
  await until('the old directories to be removed', () => !entriesOf('again').some((n) => n.endsWith('-delete')));
  assert.equal(entriesOf('again').sort(), ['again-0', 'again-1', 'again-2', 'again-3']);
  for (let p = 0; p < 4; p++) assert.ok(broker.logManager.get('again', p), `again-${p} has a log`);
  const md = await conn.send(MetadataRequest, MetadataResponse, 12, {
    topics: [{ name: 'again' }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  assert.is(md.topics[0]!.partitions.length, 4);
});

test('Metadata auto-creation of a name still being renamed away is LEADER_NOT_AVAILABLE, then the topic is created', async () => {
  assert.is(await createTopic('auto', SOME), ErrorCode.NONE);
  await deleteTopic(conn, 'auto');
  const ask = () =>
    conn.send(MetadataRequest, MetadataResponse, 12, { topics: [{ name: 'auto' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
  for (;;) {
    const t = (await ask()).topics[0]!;
    if (t.errorCode === ErrorCode.NONE) break;
    assert.is(t.errorCode, ErrorCode.LEADER_NOT_AVAILABLE);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(broker.logManager.get('auto', 0), 'the auto-created topic has its log');
  await until('the old directories to be removed', () => !entriesOf('auto').some((n) => n.endsWith('-delete')));
  assert.ok(existsSync(join(dataDir, 'auto-0', '00000000000000000000.log')), 'the new topic kept its log file');
});

test('a start removes directories left renamed but not removed', async () => {
  conn.close();
  await broker.close();
  const doomed = join(dataDir, 'gone-0.AAAAAAAAAAAAAAAAAAAAAA-delete');
  mkdirSync(doomed);
  writeFileSync(join(doomed, '00000000000000000000.log'), 'x');
  broker = await startBroker({ port: 0, dataDir, logLevel: 'warn' });
  conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'topic-delete' });
  await until('the leftover directory to be removed', () => !existsSync(doomed));
});

test.run();
