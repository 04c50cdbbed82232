// `samsa groups list|describe|delete|reset-offsets` end to end: the real CLI in a child process
// (TypeScript through tsx, no build needed) against a broker in this process, with a group whose
// member is samsa's own raw-protocol client.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { encodeAssignment } from '../../src/coordinator/classic/consumer-protocol.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { commit, connect, createTopic, fetchCommitted, joinFully, leave, sync } from '../coordinator/helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let broker: Broker;
let c: ClientConnection;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function groups(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        "import('./src/cli/main.ts').then(m => m.main(process.argv.slice(1)))",
        '--',
        'groups',
        ...args,
        '--bootstrap',
        broker.bootstrap,
      ],
      {
        cwd: root,
        env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let member = { memberId: '', generationId: -1 };

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  c = await connect(broker.bootstrap);
  await createTopic(c, 'cli-topic', 2);
  for (let p = 0; p < 2; p++) {
    const records = buildBatch(Array.from({ length: 10 }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));
    const r = await c.send(ProduceRequest, ProduceResponse, 9, {
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'cli-topic', partitionData: [{ index: p, records }] }],
    });
    assert.is(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
  }
  const j = await joinFully(c, 'cli-group');
  await sync(c, 'cli-group', j.generationId, j.memberId, [
    { memberId: j.memberId, assignment: encodeAssignment([{ topic: 'cli-topic', partitions: [0, 1] }]) },
  ]);
  await commit(c, 'cli-group', j.generationId, j.memberId, [{ topic: 'cli-topic', partition: 0, offset: 4 }]);
  member = { memberId: j.memberId, generationId: j.generationId };
});

test.after(async () => {
  c.close();
  await broker.close();
});

test('list: names, and states with --long', async () => {
  const r = await groups('list');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, 'cli-group\n');
  const l = await groups('list', '--long', '--state', 'stable');
  assert.match(l.stdout, /GROUP\s+STATE\s+TYPE\s+PROTOCOL-TYPE\ncli-group\s+Stable\s+classic\s+consumer/);
  assert.is((await groups('list', '--state', 'Empty')).stdout, '');
});

test('describe: members, assignments, committed offset, log end offset and lag', async () => {
  const r = await groups('describe', 'cli-group');
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /State: Stable\tProtocol: consumer\/range\tMembers: 1/);
  assert.match(r.stdout, new RegExp(`${member.memberId}\\s+-\\s+coordinator-test\\s+/127\\.0\\.0\\.1\\s+cli-topic:0,1`));
  assert.match(r.stdout, /cli-group\s+cli-topic\s+0\s+4\s+10\s+6\s/);
  assert.match(r.stdout, /cli-group\s+cli-topic\s+1\s+-\s+10\s+-\s/);
  const missing = await groups('describe', 'no-such-group');
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /group no-such-group does not exist/);
});

test('reset-offsets and delete refuse a live group', async () => {
  const r = await groups('reset-offsets', 'cli-group', '--topic', 'cli-topic', '--to-earliest');
  assert.is(r.code, 1);
  assert.match(r.stderr, /its state is Stable/);
  const d = await groups('delete', 'cli-group');
  assert.is(d.code, 1);
  assert.match(d.stderr, /NON_EMPTY_GROUP/);
  const u = await groups('reset-offsets', 'cli-group', '--topic', 'cli-topic');
  assert.is(u.code, 2, 'a usage error');
});

test('reset-offsets: dry run by default, --execute commits; then delete', async () => {
  await leave(c, 'cli-group', [{ memberId: member.memberId }]);
  const dry = await groups('reset-offsets', 'cli-group', '--topic', 'cli-topic', '--to-latest');
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /cli-group\s+cli-topic\s+0\s+10\n/);
  assert.match(dry.stdout, /Dry run/);
  assert.equal([...(await fetchCommitted(c, 'cli-group'))], [['cli-topic:0', 4]]);
  const exec = await groups('reset-offsets', 'cli-group', '--topic', 'cli-topic:1', '--to-offset', '99', '--execute');
  assert.is(exec.code, 0, exec.stderr);
  assert.equal(
    new Map(await fetchCommitted(c, 'cli-group')),
    new Map([
      ['cli-topic:0', 4],
      ['cli-topic:1', 10],
    ]),
    '--to-offset is clamped to the log end',
  );
  const del = await groups('delete', 'cli-group');
  assert.is(del.code, 0, del.stderr);
  assert.is(del.stdout, 'Deleted group cli-group.\n');
  assert.is((await groups('list')).stdout, '');
});

test.run();
