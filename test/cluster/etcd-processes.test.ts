// requires: etcd, kcat
// Three `samsa start --node-id N --cluster etcd://... --cluster-id ID` processes (dist/ must be
// built: `npm run build`) joined through a real etcd started by the test. kafkajs sees all three;
// the leader of a partition is killed with SIGKILL while an idempotent acks=all producer writes
// numbered records; afterwards kcat (librdkafka) reads every acknowledged record exactly once and
// in order. Also the one-line refusals: an unreachable etcd names its endpoint and exits non-zero,
// and a node id that is live already is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { SAMSA_BIN } from '../data-path/helpers.js';
import { run } from '../clients/helpers.js';
import { startEtcd } from './etcd-server.js';

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

class Samsa {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [SAMSA_BIN, 'start', '--memory', '--port', '0', '--log-level', 'warn', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => (this.out += d));
    this.child.stderr!.on('data', (d) => (this.out += d));
    this.exited = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
  }
  ready(): Promise<string> {
    return until('the ready line', () => {
      if (this.child.exitCode !== null) throw new Error(`samsa exited before it was ready:\n${this.out}`);
      return /^samsa ready (\S+)$/m.exec(this.out)?.[1];
    });
  }
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(t);
  }
}

test('kill -9 of a leader process: every acknowledged record is there once and in order', async () => {
  const etcd = await startEtcd();
  const url = `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`;
  const procs: Samsa[] = [];
  try {
    for (let id = 0; id < 3; id++)
      procs.push(new Samsa(['--node-id', String(id), '--cluster', url, '--cluster-id', 'procs', '--set', 'broker.session.timeout.ms=3000']));
    const addrs = await Promise.all(procs.map((p) => p.ready()));
    const kafka = new Kafka({ brokers: addrs, logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
    const admin = kafka.admin();
    await admin.connect();
    await until('three brokers in Metadata', async () => (await admin.describeCluster()).brokers.length === 3);
    await admin.createTopics({
      topics: [{ topic: 'numbered', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    await until('a full ISR', async () => (await admin.fetchTopicMetadata({ topics: ['numbered'] })).topics[0]!.partitions[0]!.isr.length === 3);
    const leader = (await admin.fetchTopicMetadata({ topics: ['numbered'] })).topics[0]!.partitions[0]!.leader;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const acked: number[] = [];
    let next = 0;
    const sendSome = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const values = Array.from({ length: 10 }, () => next++);
        await producer.send({ topic: 'numbered', acks: -1, messages: values.map((v) => ({ value: String(v) })) });
        acked.push(...values);
      }
    };
    await sendSome(20);
    procs[leader]!.child.kill('SIGKILL');
    await procs[leader]!.exited;
    // The producer rides through NOT_LEADER_OR_FOLLOWER to the new leader.
    await sendSome(20);
    const newLeader = (await admin.fetchTopicMetadata({ topics: ['numbered'] })).topics[0]!.partitions[0]!.leader;
    assert.is.not(newLeader, leader);
    await producer.disconnect();
    await admin.disconnect();
    const live = addrs.filter((_, i) => i !== leader).join(',');
    const r = await run('kcat', ['-C', '-b', live, '-t', 'numbered', '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\\n']);
    assert.is(r.code, 0, r.stderr);
    const stored = r.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
    assert.equal(stored, acked, 'every acknowledged record once, in order, and nothing else');
  } finally {
    for (const p of procs) await p.stop();
    await etcd.close();
  }
});

test('an unreachable etcd names its endpoint and exits non-zero; a live node id is refused', async () => {
  const nowhere = new Samsa(['--node-id', '0', '--cluster', 'etcd://127.0.0.1:1', '--cluster-id', 'x']);
  const r = await nowhere.exited;
  assert.is.not(r.code, 0);
  assert.match(nowhere.out, /127\.0\.0\.1:1/);
  const etcd = await startEtcd();
  const url = `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`;
  const first = new Samsa(['--node-id', '4', '--cluster', url, '--cluster-id', 'dup']);
  try {
    await first.ready();
    const second = new Samsa(['--node-id', '4', '--cluster', url, '--cluster-id', 'dup']);
    const r2 = await second.exited;
    assert.is.not(r2.code, 0);
    assert.match(second.out, /node\.id 4 is already registered/);
    assert.is(
      second.out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('samsa:')).length,
      1,
      second.out,
    );
  } finally {
    await first.stop();
    await etcd.close();
  }
});

test.run();
