// Pieces the cluster benchmarks share: samsa clusters as separate processes (`samsa start
// --brokers N`, or one `samsa start --node-id i --cluster etcd://...` process per broker), a
// small client over samsa's own ClientConnection that follows a partition's leader by broker id,
// and the machine's load. Everything is bounded: each wait has a deadline.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientConnection } from '../../src/client/connection.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SAMSA_BIN = join(ROOT, 'bin', 'samsa.js');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function load(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 30_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, rej) => (t = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

// ---- samsa processes ---------------------------------------------------------------------------

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

/** `node bin/samsa.js start ARGS`, its output kept, its ready line awaited. */
export class SamsaProcess {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** nodeArgs go before the script (`samsa start --brokers N` forks its brokers with them too). */
  constructor(args: string[], opts: { nodeArgs?: string[] } = {}) {
    this.child = spawn(process.execPath, [...(opts.nodeArgs ?? []), SAMSA_BIN, 'start', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(this.child);
    this.child.stdout!.on('data', (d) => (this.out = (this.out + d).slice(-200_000)));
    this.child.stderr!.on('data', (d) => (this.out = (this.out + d).slice(-200_000)));
    this.exited = new Promise((r) =>
      this.child.on('exit', (code, signal) => {
        live.delete(this.child);
        r({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The bootstrap list of the ready line. */
  async ready(ms = 60_000): Promise<string[]> {
    const line = await until(
      'the ready line',
      () => {
        if (!this.running) throw new Error(`samsa exited before it was ready:\n${this.out.slice(-3000)}`);
        return /^samsa ready (\S+)$/m.exec(this.out)?.[1];
      },
      ms,
    );
    return line.split(',');
  }

  /** `samsa start --brokers N`: the broker processes (the host's children) by node id. */
  brokerPids(): Map<number, number> {
    const text = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim();
    const out = new Map<number, number>();
    for (const pid of text === '' ? [] : text.split(/\s+/).map(Number)) {
      try {
        // argv: node samsa.js __broker {"nodeId":N,...}
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const i = argv.indexOf('__broker');
        if (i >= 0) out.set((JSON.parse(argv[i + 1]!) as { nodeId: number }).nodeId, pid);
      } catch {
        // gone meanwhile
      }
    }
    return out;
  }

  async stop(ms = 60_000): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(t);
  }

  async kill9(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }
}

// ---- a client that follows leaders -------------------------------------------------------------

export interface PartitionState {
  leader: number;
  epoch: number;
  isr: number[];
}

/** Connections by broker id, addresses from Metadata; a closed connection is dropped and reopened on demand. */
export class ClusterClient {
  readonly addresses = new Map<number, string>();
  private readonly conns = new Map<number, Promise<ClientConnection>>();

  constructor(bootstrap: string[]) {
    // Ids unknown until the first Metadata: seed with negative keys.
    bootstrap.forEach((a, i) => this.addresses.set(-1 - i, a));
  }

  conn(id: number, timeoutMs = 2000): Promise<ClientConnection> {
    const have = this.conns.get(id);
    if (have) {
      return have.then((c) => {
        if (!c.closed) return c;
        this.conns.delete(id);
        return this.conn(id, timeoutMs);
      });
    }
    const addr = this.addresses.get(id);
    if (!addr) return Promise.reject(new Error(`no address for broker ${id}`));
    const i = addr.lastIndexOf(':');
    const p = ClientConnection.connect(addr.slice(0, i), Number(addr.slice(i + 1)), { clientId: 'samsa-cluster-bench', timeoutMs }).then(async (c) => {
      await withTimeout(c.negotiate(), timeoutMs, 'ApiVersions');
      return c;
    });
    p.catch(() => this.conns.delete(id));
    this.conns.set(id, p);
    return p;
  }

  /** Metadata of `topic` from broker `via` (any known broker when undefined). */
  async metadata(topic: string, via?: number, timeoutMs = 2000): Promise<{ brokers: number[]; controller: number; partitions: Map<number, PartitionState> }> {
    const id = via ?? [...this.addresses.keys()][0]!;
    const c = await this.conn(id, timeoutMs);
    const v = c.pick(MetadataRequest, 12);
    const res = await withTimeout(
      c.send(MetadataRequest, MetadataResponse, v, {
        topics: [{ name: topic, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }],
        allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false,
        includeTopicAuthorizedOperations: false,
      } as never),
      timeoutMs,
      'Metadata',
    );
    for (const b of res.brokers) {
      const addr = `${b.host}:${b.port}`;
      if (this.addresses.get(b.nodeId) !== addr) {
        this.addresses.set(b.nodeId, addr);
        this.conns.delete(b.nodeId);
      }
    }
    for (const k of [...this.addresses.keys()]) if (k < 0) this.addresses.delete(k);
    const t = res.topics.find((x) => x.name === topic);
    const partitions = new Map<number, PartitionState>();
    for (const p of t?.partitions ?? [])
      if (p.errorCode === 0) partitions.set(p.partitionIndex, { leader: p.leaderId, epoch: p.leaderEpoch, isr: [...p.isrNodes] });
    return { brokers: res.brokers.map((b) => b.nodeId).sort((a, b) => a - b), controller: res.controllerId, partitions };
  }

  async createTopic(topic: string, partitions: number, replicationFactor: number, configs: Record<string, string> = {}): Promise<void> {
    await this.metadata(topic).catch(() => undefined);
    const c = await this.conn([...this.addresses.keys()][0]!);
    const res = await withTimeout(
      c.send(CreateTopicsRequest, CreateTopicsResponse, c.pick(CreateTopicsRequest), {
        topics: [
          {
            name: topic,
            numPartitions: partitions,
            replicationFactor,
            assignments: [],
            configs: Object.entries(configs).map(([name, value]) => ({ name, value })),
          },
        ],
        timeoutMs: 10_000,
        validateOnly: false,
      }),
      15_000,
      `CreateTopics ${topic}`,
    );
    const r = res.topics[0]!;
    if (r.errorCode !== 0) throw new Error(`CreateTopics ${topic}: error ${r.errorCode} ${r.errorMessage ?? ''}`);
  }

  /** One Produce of `batch` to partition `p` on broker `id`: the partition's error code (0 = acknowledged). */
  async produce(id: number, topic: string, p: number, batch: Buffer, acks: number, timeoutMs = 5000): Promise<number> {
    const c = await this.conn(id, timeoutMs);
    const res = await withTimeout(
      c.send(ProduceRequest, ProduceResponse, c.pick(ProduceRequest, 12), {
        transactionalId: null,
        acks,
        timeoutMs,
        topicData: [{ name: topic, partitionData: [{ index: p, records: batch }] }],
      }),
      timeoutMs + 1000,
      'Produce',
    );
    return res.responses[0]!.partitionResponses[0]!.errorCode;
  }

  forget(id: number): void {
    const p = this.conns.get(id);
    this.conns.delete(id);
    p?.then(
      (c) => c.close(),
      () => undefined,
    );
  }

  close(): void {
    for (const id of [...this.conns.keys()]) this.forget(id);
  }
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
