// `samsa topics ...` end to end: the real CLI in a child process (TypeScript run directly through
// tsx, so no build is needed) against a real broker started in this process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startBroker, type Broker } from '../../src/broker/broker.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

let broker: Broker;
let bootstrap: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous on purpose: the broker answering the CLI runs on this process's event loop.
function samsa(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', "import('./src/cli/main.ts').then(m => m.main(process.argv.slice(1)))", '--', ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function topics(sub: string, ...args: string[]): Promise<Run> {
  return samsa('topics', sub, ...args, '--bootstrap', bootstrap);
}

function ok(r: Run, what: string): void {
  assert.is(r.code, 0, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  assert.is(r.stderr, '', `${what}: stderr`);
}

// Exit code and exactly one stderr line, which is returned.
function failed(r: Run, code: number, what: string): string {
  assert.is(r.code, code, `${what}: exit ${r.code}, stdout: ${r.stdout}, stderr: ${r.stderr}`);
  const line = r.stderr.split('\n')[0]!;
  assert.ok(line.startsWith('samsa: '), `${what}: ${r.stderr}`);
  return line;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  bootstrap = broker.bootstrap;
});

test.after(async () => {
  await broker?.close();
});

test('create with partitions and a config override', async () => {
  const r = await topics('create', 'orders', '--partitions', '3', '--config', 'retention.ms=1000');
  ok(r, 'create');
  assert.is(r.stdout, 'Created topic orders.\n');
  ok(await topics('create', 'audit'), 'create with broker defaults');
});

test('list: sorted names, one per line', async () => {
  const r = await topics('list');
  ok(r, 'list');
  const names = r.stdout.trimEnd().split('\n');
  assert.equal(names, [...names].sort());
  assert.ok(names.includes('orders') && names.includes('audit'), r.stdout);
});

test('describe: header with the override, one line per partition', async () => {
  const r = await topics('describe', 'orders');
  ok(r, 'describe');
  const lines = r.stdout.trimEnd().split('\n');
  assert.is(lines.length, 4, r.stdout);
  assert.match(lines[0]!, /^Topic: orders\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention\.ms=1000$/);
  const id = broker.nodeId;
  for (let p = 0; p < 3; p++) assert.is(lines[p + 1], `\tTopic: orders\tPartition: ${p}\tLeader: ${id}\tReplicas: ${id}\tIsr: ${id}`);
});

test('describe without names describes every topic, sorted', async () => {
  const r = await topics('describe');
  ok(r, 'describe all');
  const headers = r.stdout.split('\n').filter((l) => l.startsWith('Topic: '));
  const names = headers.map((l) => l.slice('Topic: '.length).split('\t')[0]);
  assert.equal(names, [...names].sort());
  assert.ok(names.includes('orders') && names.includes('audit'), r.stdout);
  assert.match(
    headers.find((l) => l.startsWith('Topic: audit\t'))!,
    /\tConfigs: $/,
  );
});

test('alter-config: set and delete, seen by describe', async () => {
  let r = await topics('alter-config', 'orders', '--set', 'cleanup.policy=compact', '--set', 'max.message.bytes=2048', '--delete', 'retention.ms');
  ok(r, 'alter-config');
  assert.is(r.stdout, 'Updated config for topic orders.\n');
  r = await topics('describe', 'orders');
  ok(r, 'describe after alter');
  assert.match(r.stdout.split('\n')[0]!, /\tConfigs: cleanup\.policy=compact,max\.message\.bytes=2048$/);

  ok(await topics('alter-config', 'orders', '--delete', 'max.message.bytes'), 'alter-config delete only');
  r = await topics('describe', 'orders');
  assert.match(r.stdout.split('\n')[0]!, /\tConfigs: cleanup\.policy=compact$/);
});

test('alter-config on a topic that does not exist fails', async () => {
  const line = failed(await topics('alter-config', 'nope', '--set', 'retention.ms=1'), 1, 'alter-config unknown');
  assert.match(line, /^samsa: cannot alter config of topic nope: [A-Z_]+: /);
});

test('create twice: TOPIC_ALREADY_EXISTS, unless --if-not-exists', async () => {
  const line = failed(await topics('create', 'orders'), 1, 'create twice');
  assert.match(line, /^samsa: cannot create topic orders: TOPIC_ALREADY_EXISTS: .+/);
  const r = await topics('create', 'orders', '--if-not-exists');
  ok(r, 'create --if-not-exists');
  assert.is(r.stdout, '');
});

test('create --validate-only creates nothing', async () => {
  ok(await topics('create', 'dry', '--validate-only', '--partitions', '2'), 'validate-only');
  const r = await topics('list');
  assert.not.ok(r.stdout.split('\n').includes('dry'), r.stdout);
});

test('describe of an unknown topic fails and does not create it', async () => {
  const line = failed(await topics('describe', 'ghost'), 1, 'describe unknown');
  assert.match(line, /^samsa: cannot describe topic ghost: UNKNOWN_TOPIC_OR_PARTITION: /);
  const r = await topics('list');
  assert.not.ok(r.stdout.split('\n').includes('ghost'), `describe auto-created the topic: ${r.stdout}`);
});

test('delete, then delete again (fails) and with --if-exists (succeeds)', async () => {
  let r = await topics('delete', 'orders', 'audit');
  ok(r, 'delete');
  assert.is(r.stdout, 'Deleted topic orders.\nDeleted topic audit.\n');
  r = await topics('list');
  ok(r, 'list after delete');
  assert.not.ok(/^(orders|audit)$/m.test(r.stdout), r.stdout);
  const line = failed(await topics('delete', 'orders'), 1, 'delete again');
  assert.match(line, /^samsa: cannot delete topic orders: UNKNOWN_TOPIC_OR_PARTITION: /);
  ok(await topics('delete', 'orders', '--if-exists'), 'delete --if-exists');
});

test('unreachable bootstrap: one line, exit 1', async () => {
  const port = await freePort();
  const r = await samsa('topics', 'list', '--bootstrap', `127.0.0.1:${port}`);
  assert.is(r.code, 1);
  assert.is(r.stderr, `samsa: cannot connect to 127.0.0.1:${port}: connection refused (is a broker running there?)\n`);
  assert.is(r.stdout, '');
});

test('--timeout-ms bounds a request the server never answers', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  try {
    const port = (silent.address() as { port: number }).port;
    const line = failed(await samsa('topics', 'list', '--bootstrap', `127.0.0.1:${port}`, '--timeout-ms', '300'), 1, 'timeout');
    assert.match(line, /timed out after 300 ms/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((res) => silent.close(() => res()));
  }
});

test('usage errors exit 2: one line, then a pointer to the help (no usage dump)', async () => {
  const cases: [string[], RegExp][] = [
    [['topics', 'list'], /--bootstrap host:port is required/],
    [['topics', 'create', '--bootstrap', '127.0.0.1:1'], /create needs a topic NAME/],
    [['topics', 'create', 'x', '--bootstrap', '127.0.0.1:1', '--partitions', 'three'], /--partitions must be an integer/],
    [['topics', 'create', 'x', '--bootstrap', '127.0.0.1:1', '--config', 'novalue'], /--config expects key=value/],
    [['topics', 'describe', '--bootstrap', 'localhost'], /--bootstrap expects host:port/],
    [['topics', 'list', '--bootstrap', '127.0.0.1:1', '--nope'], /Unknown option '--nope'/],
    [['topics', 'alter-config', 'x', '--bootstrap', '127.0.0.1:1'], /needs at least one --set/],
    [['topics', 'delete', '--bootstrap', '127.0.0.1:1'], /needs at least one topic NAME/],
    [['topics', 'frobnicate'], /unknown topics subcommand 'frobnicate'/],
  ];
  const runs = await Promise.all(cases.map(([args]) => samsa(...args)));
  runs.forEach((r, i) => {
    const [args, re] = cases[i]!;
    const line = failed(r, 2, args.join(' '));
    assert.match(line, re, args.join(' '));
    const sub = args[1] === 'frobnicate' ? '' : ` ${args[1]}`;
    assert.is(r.stderr, `${line}\nsee 'samsa topics${sub} --help'\n`, args.join(' '));
  });
});

test.run();
