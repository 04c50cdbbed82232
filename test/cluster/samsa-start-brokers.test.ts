// `samsa start --brokers N` (dist/ must be built: `npm run build`): one command, a host process
// with the metadata quorum and one child process per broker. The ready line lists every broker;
// kafkajs sees them all and an RF=3 topic's leaders spread; a broker process killed with
// SIGKILL has its leaderships moved and is restarted; SIGTERM stops everything and exits 0; with
// --data-dir the cluster comes back with its topics and cluster id. Also the one-line refusal of
// a data dir that belongs to another cluster.
// requires: kcat
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { SAMSA_BIN } from '../data-path/helpers.js';
import { run } from '../clients/helpers.js';
import { startCluster } from '../../src/index.js';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve().then(fn);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class SamsaCluster {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [SAMSA_BIN, 'start', ...args, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
  }

  async ready(): Promise<string[]> {
    const line = await until('the ready line', () => {
      if (this.child.exitCode !== null) throw new Error(`samsa exited before it was ready:\n${this.out}`);
      return /^samsa ready (\S+)$/m.exec(this.out)?.[1];
    });
    return line.split(',');
  }

  // The broker processes: the host's children.
  childPids(): number[] {
    const text = readFileSync(`/proc/${this.child.pid}/task/${this.child.pid}/children`, 'utf8').trim();
    return text === '' ? [] : text.split(/\s+/).map(Number);
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

test('--brokers 3 --port 0 --memory: ready line, 3 brokers seen by kafkajs, RF=3 leaders spread, a killed broker is replaced, SIGTERM exits 0', async () => {
  const samsa = new SamsaCluster(['--brokers', '3', '--port', '0', '--memory']);
  let admin: ReturnType<Kafka['admin']> | null = null;
  try {
    const bootstrap = await samsa.ready();
    assert.is(bootstrap.length, 3);
    assert.is(new Set(bootstrap).size, 3);
    // Each broker is a process of its own.
    assert.is(samsa.childPids().length, 3);
    const kafka = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
    admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeCluster();
    assert.equal(described.brokers.map((b) => b.nodeId).sort(), [0, 1, 2]);
    assert.equal(
      described.brokers.sort((a, b) => a.nodeId - b.nodeId).map((b) => `${b.host}:${b.port}`),
      bootstrap,
    );
    assert.ok(await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true }));
    const md = await admin.fetchTopicMetadata({ topics: ['spread'] });
    const parts = md.topics[0]!.partitions;
    assert.equal(new Set(parts.map((p) => p.leader)), new Set([0, 1, 2]));
    for (const p of parts) assert.equal([...p.isr].sort(), [0, 1, 2]);
    // librdkafka (kcat) sees the same cluster from any one broker.
    const k = await run('kcat', ['-L', '-J', '-b', bootstrap[2]!, '-t', 'spread']);
    assert.is(k.code, 0, k.stderr);
    const kmd = JSON.parse(k.stdout) as { brokers: Array<{ id: number }>; topics: Array<{ partitions: Array<{ leader: number; replicas: unknown[] }> }> };
    assert.equal(kmd.brokers.map((b) => b.id).sort(), [0, 1, 2]);
    assert.equal(new Set(kmd.topics[0]!.partitions.map((p) => p.leader)), new Set([0, 1, 2]));
    assert.ok(kmd.topics[0]!.partitions.every((p) => p.replicas.length === 3));
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const sent = await producer.send({ topic: 'spread', acks: 1, messages: Array.from({ length: 6 }, (_, i) => ({ partition: i, value: `v${i}` })) });
    assert.is(sent.length, 6);
    await producer.disconnect();

    // kill -9 the process of the broker listening on bootstrap[1] (node 1).
    const victimPort = Number(bootstrap[1]!.split(':')[1]);
    const pidOf = async (port: number) => {
      for (const pid of samsa.childPids()) {
        const r = await run('ss', ['-Hltnp', `sport = :${port}`]);
        if (r.stdout.includes(`pid=${pid},`)) return pid;
      }
      return null;
    };
    const victim = await until('the pid of broker 1', () => pidOf(victimPort));
    process.kill(victim, 'SIGKILL');
    await until('leaderships moved off broker 1', async () => {
      const m = await admin!.fetchTopicMetadata({ topics: ['spread'] }).catch(() => null);
      return m?.topics[0]!.partitions.every((p) => p.leader !== 1 && p.leader >= 0 && !p.isr.includes(1));
    });
    // The host restarts it on the same port.
    await until(
      'broker 1 restarted',
      async () =>
        (await admin!.describeCluster().catch(() => ({ brokers: [] as Array<{ nodeId: number }> }))).brokers.some((b) => b.nodeId === 1) &&
        !samsa.childPids().includes(victim) &&
        samsa.childPids().length === 3,
    );
    assert.match(samsa.out, /broker process died/);
  } finally {
    await admin?.disconnect().catch(() => undefined);
    const r = await samsa.stop();
    assert.equal(r, { code: 0, signal: null }, samsa.out);
  }
});

test('--brokers 2 --data-dir: stopped and started again, the topic and the cluster id are back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-start-brokers-'));
  try {
    let samsa = new SamsaCluster(['--brokers', '2', '--port', '0', '--data-dir', dir]);
    let bootstrap = await samsa.ready();
    let admin = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const clusterId = (await admin.describeCluster()).clusterId;
    await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 2, replicationFactor: 2 }], waitForLeaders: true });
    await admin.disconnect();
    assert.equal(await samsa.stop(), { code: 0, signal: null }, samsa.out);

    samsa = new SamsaCluster(['--brokers', '2', '--port', '0', '--data-dir', dir]);
    try {
      bootstrap = await samsa.ready();
      admin = new Kafka({ brokers: bootstrap, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      assert.is((await admin.describeCluster()).clusterId, clusterId);
      assert.ok((await admin.listTopics()).includes('durable'));
      await admin.disconnect();
    } finally {
      assert.equal(await samsa.stop(), { code: 0, signal: null }, samsa.out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a single broker on a cluster broker's data dir is refused with one line", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-start-meta-'));
  try {
    const cluster = await startCluster({ brokers: 1, dataDir: dir, logLevel: 'error' });
    const clusterId = cluster.clusterId;
    await cluster.close();
    const r = await run(process.execPath, [SAMSA_BIN, 'start', '--port', '0', '--data-dir', join(dir, 'broker-0'), '--log-level', 'error']);
    assert.is(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.is(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`^samsa: data directory .*broker-0 belongs to cluster\\.id ${clusterId}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad --brokers values are usage errors', async () => {
  for (const [args, msg] of [
    [['--brokers', '0'], /--brokers must be an integer from 1/],
    [['--brokers', 'x'], /--brokers must be an integer from 1/],
    [['--brokers', '3', '--port', '65534'], /leaves no room for 3 consecutive ports/],
  ] as const) {
    const r = await run(process.execPath, [SAMSA_BIN, 'start', ...args, '--memory']);
    assert.is(r.code, 2);
    assert.match(r.stderr, msg);
  }
});

test.run();
