// `samsa start` as a user runs it: the real CLI in a child process (built dist/, as `npm test`
// builds first). Start-up (readiness is the `samsa ready <bootstrap>` line), graceful shutdown on
// SIGTERM/SIGINT, one-line errors, listener flags over a server.properties, the data dir's
// clean-shutdown marker across a failed start.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

// Every child, killed at the end so a failed assertion leaves no broker running.
const children = new Set<ChildProcess>();
test.after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

function run(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

// The bootstrap address of the `samsa ready host:port` line, once it is printed.
async function ready(r: Run, timeoutMs = 15000): Promise<{ host: string; port: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = /^samsa ready (.+):(\d+)$/m.exec(r.out());
    if (m) return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
    if (r.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error(`no ready line; stdout:\n${r.out()}\nstderr:\n${r.err()}`);
}

async function listeningPort(r: Run, timeoutMs = 15000): Promise<number> {
  return (await ready(r, timeoutMs)).port;
}

// The exit code if the process ends within the deadline; else it is killed and the test fails.
async function exitsWithin(r: Run, timeoutMs = 15000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), timeoutMs)));
  const result = await Promise.race([r.exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    r.child.kill('SIGKILL');
    await r.exited;
    throw new Error(`samsa ${r.child.spawnargs.slice(2).join(' ')} was still running after ${timeoutMs} ms; stdout:\n${r.out()}\nstderr:\n${r.err()}`);
  }
  return result;
}

function freePort(): Promise<number> {
  const s = createServer();
  return new Promise((res) =>
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    }),
  );
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
  assert.ok(r.out().split('\n').includes(`samsa ready 127.0.0.1:${port}`), 'one plain ready line on stdout');
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

test('a start that fails on a port in use leaves a clean data dir clean (no index rebuild next time)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-clean-'));
  const marker = join(dir, '.kafka_cleanshutdown');
  const blocker = createServer();
  try {
    const a = run(['start', '--port', '0', '--data-dir', dir]);
    const port = await listeningPort(a);
    const c = await ClientConnection.connect('127.0.0.1', port);
    await c.negotiate();
    await c.send(CreateTopicsRequest, CreateTopicsResponse, c.pick(CreateTopicsRequest), {
      topics: [{ name: 'kept', numPartitions: 1, replicationFactor: 1 }],
      timeoutMs: 1000,
    });
    c.close();
    a.child.kill('SIGTERM');
    assert.is(await a.exited, 0);
    assert.ok(existsSync(marker), 'a graceful stop writes the clean-shutdown marker');

    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    const taken = (blocker.address() as { port: number }).port;
    const b = run(['start', '--port', String(taken), '--data-dir', dir]);
    assert.is(await exitsWithin(b), 1);
    assert.match(b.err(), new RegExp(`port ${taken} is in use`));
    assert.ok(existsSync(marker), 'the failed start left the marker where it was');
    assert.not.match(b.out(), /loaded partition logs/, 'the port is checked before any log is opened');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('TLS and SASL listeners are refused in one line, never served as plaintext', async () => {
  const port = await freePort();
  const cases = [
    ['--set', `listeners=SSL://127.0.0.1:${port}`],
    ['--set', `listeners=SASL_PLAINTEXT://127.0.0.1:${port}`],
    ['--set', `listeners=SASL_SSL://127.0.0.1:${port}`],
    ['--set', `listeners=EXTERNAL://127.0.0.1:${port}`, '--set', 'listener.security.protocol.map=EXTERNAL:SSL'],
    ['--set', `listeners=PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:${port}`, '--set', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SECURE:SASL_SSL'],
  ];
  for (const args of cases) {
    const r = run(['start', '--memory', ...args]);
    const code = await exitsWithin(r);
    assert.is(code, 2, `${args.join(' ')}: ${r.err()}`);
    assert.is(r.err().trim().split('\n').length, 1, r.err());
    assert.match(r.err(), /samsa supports only PLAINTEXT listeners/);
    assert.not.match(r.out(), /samsa ready/);
  }
});

test('a controller listener with a secure protocol is not served, so it does not stop start-up', async () => {
  const r = run([
    'start',
    '--memory',
    '--port',
    '0',
    '--set',
    'listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0',
    '--set',
    'controller.listener.names=CONTROLLER',
    '--set',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:SSL',
  ]);
  await listeningPort(r);
  r.child.kill('SIGTERM');
  assert.is(await r.exited, 0);
});

// A client that bootstraps, then connects to the address the broker advertises (kafkajs does).
async function adminThroughAdvertised(bootstrap: string): Promise<string[]> {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const admin = new Kafka({ clientId: 'cli-test', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 1 }, connectionTimeout: 3000 }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: 'through-advertised', numPartitions: 1 }], waitForLeaders: true });
    const cluster = await admin.describeCluster();
    assert.is(cluster.brokers.length, 1);
    return (await admin.listTopics()).concat(`${cluster.brokers[0]!.host}:${cluster.brokers[0]!.port}`);
  } finally {
    await admin.disconnect();
  }
}

test("Kafka's stock KRaft server.properties plus --port 0: starts, and advertises the port bound", async () => {
  // test/cli/fixtures/kafka-kraft-server.properties: config/kraft/server.properties of apache/kafka
  // (Apache-2.0, header kept): CONTROLLER listener, advertised.listeners=PLAINTEXT://localhost:9092,...
  const fixture = fileURLToPath(new URL('./fixtures/kafka-kraft-server.properties', import.meta.url));
  const r = run(['start', '--memory', '--port', '0', '--config', fixture]);
  const { host, port } = await ready(r);
  assert.is.not(port, 9092);
  assert.is(host, 'localhost', "the file's advertised host is kept");
  const seen = await adminThroughAdvertised(`127.0.0.1:${port}`);
  assert.ok(seen.includes('through-advertised'));
  assert.is(seen.at(-1), `localhost:${port}`, "advertised: the file's host, the port bound");
  r.child.kill('SIGTERM');
  assert.is(await r.exited, 0);
});

test('--port and --host override the listener of --config, advertised.listeners included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-props-'));
  const file = join(dir, 'server.properties');
  const filePort = await freePort();
  writeFileSync(file, `listeners=PLAINTEXT://0.0.0.0:${filePort}\nadvertised.listeners=PLAINTEXT://127.0.0.1:${filePort}\n`);
  try {
    const r = run(['start', '--memory', '--port', '0', '--host', '127.0.0.1', '--config', file]);
    const { host, port } = await ready(r);
    assert.is(host, '127.0.0.1');
    assert.is.not(port, filePort);
    const seen = await adminThroughAdvertised(`127.0.0.1:${port}`);
    assert.is(seen.at(-1), `127.0.0.1:${port}`, "advertises the port bound, not the file's");
    r.child.kill('SIGTERM');
    assert.is(await r.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('advertised.listeners given with --set stays as given beside --port (a proxy in front, say)', async () => {
  const r = run(['start', '--memory', '--port', '0', '--set', 'advertised.listeners=PLAINTEXT://proxy.example:19092']);
  const port = await listeningPort(r);
  const c = await ClientConnection.connect('127.0.0.1', port);
  await c.negotiate();
  const md = await c.send(MetadataRequest, MetadataResponse, c.pick(MetadataRequest), { topics: null });
  assert.is(`${md.brokers[0]!.host}:${md.brokers[0]!.port}`, 'proxy.example:19092');
  c.close();
  r.child.kill('SIGTERM');
  assert.is(await r.exited, 0);
});

test('on a terminal the logs are readable lines, not JSON; the ready line is the same', async () => {
  // A pseudo-terminal from util-linux `script` (as test/bench/progress.test.ts); none elsewhere.
  if (!(process.platform === 'linux' && /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? ''))) return;
  const child = spawn('script', ['-qfec', `${process.execPath} ${bin} start --memory --port 0`, '/dev/null'], {
    env: { ...process.env, SHELL: '/bin/sh' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const closed = new Promise<void>((res) => child.on('close', () => res()));
  child.stdout!.on('data', (d) => {
    out += d;
    // Closing the terminal (script ends) hangs up samsa.
    if (/samsa ready /.test(out)) child.kill('SIGTERM');
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), 20000);
  await closed;
  clearTimeout(deadline);
  assert.match(out, /^samsa ready 127\.0\.0\.1:\d+\r?$/m, out);
  assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} (\x1b\[\d+m)?INFO (\x1b\[0m)? listening listener=PLAINTEXT host=127\.0\.0\.1 port=\d+/m, out);
  assert.not.match(out, /\{"level":/, 'no JSON on a terminal');
});

test('a data dir that cannot be used stops start-up with one line naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-baddir-'));
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  // Tests run as root, which passes permission checks: these fail for root too.
  const cases: [string, RegExp][] = [
    [file, /it is a file, not a directory/],
    [join(file, 'sub'), /a parent is a file, not a directory/],
  ];
  if (process.platform === 'linux') cases.push(['/proc/samsa-data', /cannot be created/]);
  try {
    for (const [path, why] of cases) {
      const r = run(['start', '--port', '0', '--data-dir', path]);
      assert.is(await exitsWithin(r), 1, `${path}: ${r.err()}`);
      assert.is(r.err().trim().split('\n').length, 1, r.err());
      assert.match(r.err(), new RegExp(`^samsa: cannot use data directory ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      assert.match(r.err(), why);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startBroker() logs nothing below warn unless asked; the CLI logs info', async () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const script = "const { startBroker } = await import('./src/broker/broker.ts'); const b = await startBroker({ port: 0 }); await b.close();";
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((res) => child.on('exit', res));
  assert.is(code, 0, err);
  assert.is(out, '', 'no info lines from an embedded broker');
});

test.run();
