// `samsa start` as a user runs it: the real CLI in a child process (built dist/, as `npm test`
// builds first). Start-up, graceful shutdown on SIGTERM/SIGINT, one-line errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientConnection } from '../../src/client/connection.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';

const bin = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function listeningPort(r: Run, timeoutMs = 15000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /"msg":"listening"[^\n]*"port":(\d+)|"port":(\d+)[^\n]*"msg":"listening"/.exec(r.out());
    if (m) return Number(m[1] ?? m[2]);
    if (r.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no listening line; stdout:\n${r.out()}\nstderr:\n${r.err()}`);
}

test('--version prints the version and runtime', async () => {
  const r = run(['--version']);
  assert.is(await r.exited, 0);
  assert.match(r.out(), /^samsa \d+\.\d+\.\d+ \(node /);
  assert.match(r.out(), /\naccel: (native|wasm|js) /, 'names the hot-path backend');
});

test('start --memory serves clients and exits 0 on SIGTERM', async () => {
  const r = run(['start', '--port', '0', '--memory']);
  const port = await listeningPort(r);
  const c = await ClientConnection.connect('127.0.0.1', port);
  await c.negotiate();
  const md = await c.send(MetadataRequest, MetadataResponse, c.pick(MetadataRequest), { topics: null });
  assert.is(md.brokers[0]!.port, port, 'advertises the port actually bound');
  assert.is(md.brokers[0]!.host, '127.0.0.1');
  c.close();
  r.child.kill('SIGTERM');
  assert.is(await r.exited, 0);
  assert.match(r.out(), /samsa broker stopped/);
});

test('SIGINT finishes an in-flight request before exiting 0', async () => {
  const r = run(['start', '--port', '0', '--memory']);
  const port = await listeningPort(r);
  const c = await ClientConnection.connect('127.0.0.1', port);
  await c.negotiate();
  const pending = c.send(CreateTopicsRequest, CreateTopicsResponse, c.pick(CreateTopicsRequest), {
    topics: [{ name: 'during-shutdown', numPartitions: 2, replicationFactor: 1 }],
    timeoutMs: 1000,
  });
  r.child.kill('SIGINT');
  const res = await pending;
  assert.is(res.topics[0]!.errorCode, 0);
  assert.is(await r.exited, 0);
  c.close();
});

test('disk mode keeps topics across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-start-'));
  try {
    const a = run(['start', '--port', '0', '--data-dir', dir]);
    const port = await listeningPort(a);
    const c = await ClientConnection.connect('127.0.0.1', port);
    await c.negotiate();
    const created = await c.send(CreateTopicsRequest, CreateTopicsResponse, c.pick(CreateTopicsRequest), {
      topics: [{ name: 'kept', numPartitions: 3, replicationFactor: 1 }],
      timeoutMs: 1000,
    });
    assert.is(created.topics[0]!.errorCode, 0);
    c.close();
    a.child.kill('SIGTERM');
    assert.is(await a.exited, 0);
    assert.ok(existsSync(join(dir, 'kept-0')), 'partition directory in Kafka layout');

    const b = run(['start', '--port', '0', '--data-dir', dir]);
    const port2 = await listeningPort(b);
    const c2 = await ClientConnection.connect('127.0.0.1', port2);
    await c2.negotiate();
    const md = await c2.send(MetadataRequest, MetadataResponse, 12, { topics: [{ name: 'kept' }] });
    assert.is(md.topics[0]!.errorCode, 0);
    assert.is(md.topics[0]!.partitions.length, 3);
    assert.is(md.topics[0]!.topicId, created.topics[0]!.topicId, 'topic id survives the restart');
    c2.close();
    b.child.kill('SIGTERM');
    assert.is(await b.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a port in use says so in one line and suggests --port 0', async () => {
  const blocker = createServer();
  await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
  const port = (blocker.address() as { port: number }).port;
  const r = run(['start', '--port', String(port), '--memory']);
  const code = await r.exited;
  blocker.close();
  assert.is(code, 1);
  assert.is(r.err().trim().split('\n').length, 1, r.err());
  assert.match(r.err(), new RegExp(`port ${port} is in use.*--port 0`));
});

test('an unknown setting stops start-up with one line naming it', async () => {
  const r = run(['start', '--memory', '--port', '0', '--set', 'num.partitons=3']);
  assert.is(await r.exited, 2);
  assert.is(r.err().trim().split('\n').length, 1, r.err());
  assert.match(r.err(), /num\.partitons/);
  assert.match(r.err(), /num\.partitions/, 'suggests the right name');
});

test('an invalid value stops start-up with one line naming the setting', async () => {
  const r = run(['start', '--memory', '--port', '0', '--set', 'auto.create.topics.enable=maybe']);
  assert.is(await r.exited, 2);
  assert.is(r.err().trim().split('\n').length, 1, r.err());
  assert.match(r.err(), /auto\.create\.topics\.enable/);
});

test('--config reads a server.properties file, --set overrides it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-props-'));
  const file = join(dir, 'server.properties');
  writeFileSync(file, '# test\nnum.partitions=4\nauto.create.topics.enable=true\nprocess.roles=broker,controller\n');
  try {
    const r = run(['start', '--memory', '--port', '0', '--config', file, '--set', 'num.partitions=5']);
    const port = await listeningPort(r);
    const c = await ClientConnection.connect('127.0.0.1', port);
    await c.negotiate();
    const md = await c.send(MetadataRequest, MetadataResponse, 9, { topics: [{ name: 'auto-made' }], allowAutoTopicCreation: true });
    assert.is(md.topics[0]!.errorCode, 0);
    assert.is(md.topics[0]!.partitions.length, 5, 'num.partitions from --set wins over the file');
    c.close();
    r.child.kill('SIGTERM');
    assert.is(await r.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad flags exit 2 with a usage hint', async () => {
  const r = run(['start', '--bogus']);
  assert.is(await r.exited, 2);
  assert.match(r.err(), /samsa: .*bogus/);
});

test.run();
