// startCluster(): several brokers in this process, joined through an embedded metadata quorum,
// for tests of client behaviour under failure. Broker ids start at 0, as most client test setups
// assume. In memory by default; with `dataDir`, each broker keeps its logs in `<dataDir>/broker-<id>`
// and a stopped broker comes back with them.
import { join, resolve } from 'node:path';
import { Broker, type BrokerOptions } from './broker.js';
import { EmbeddedQuorum } from '../cluster/quorum/embedded-quorum.js';

export interface ClusterOptions {
  brokers?: number; // default 3
  dataDir?: string;
  // Kafka broker properties given to every broker, e.g. { 'min.insync.replicas': 2 }.
  config?: Record<string, string | number | boolean>;
  // Per-broker properties, by node id (broker.rack, say).
  brokerConfig?: Record<number, Record<string, string | number | boolean>>;
  logLevel?: BrokerOptions['logLevel'];
  // Cluster id (default: a random one).
  clusterId?: string;
}

export class Cluster {
  private readonly running = new Map<number, Broker>();
  // Ports stay the same across a broker's restarts, so clients' bootstrap lists stay true.
  private readonly ports = new Map<number, number>();

  private constructor(
    readonly quorum: EmbeddedQuorum,
    private readonly options: ClusterOptions,
    readonly size: number,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const size = options.brokers ?? 3;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`brokers must be a positive integer, got ${size}`);
    // With a data dir the quorum's log is kept in <dataDir>/quorum: a cluster closed and started
    // again finds its topics and its cluster id.
    const quorum =
      options.dataDir !== undefined ? EmbeddedQuorum.open(join(resolve(options.dataDir), 'quorum'), options.clusterId) : new EmbeddedQuorum(options.clusterId);
    const cluster = new Cluster(quorum, options, size);
    try {
      for (let id = 0; id < size; id++) await cluster.startBroker(id);
    } catch (err) {
      await cluster.close();
      throw err;
    }
    return cluster;
  }

  get clusterId(): string {
    return this.quorum.clusterId;
  }

  // bootstrap.servers for clients: every broker, running or not.
  get bootstrap(): string {
    return [...this.ports.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([, port]) => `127.0.0.1:${port}`)
      .join(',');
  }

  broker(id: number): Broker {
    const b = this.running.get(id);
    if (!b) throw new Error(`broker ${id} is not running`);
    return b;
  }

  brokers(): Broker[] {
    return [...this.running.values()];
  }

  isRunning(id: number): boolean {
    return this.running.has(id);
  }

  // Starts (or restarts, with its data) broker `id`.
  async startBroker(id: number): Promise<Broker> {
    if (this.running.has(id)) throw new Error(`broker ${id} is already running`);
    const o = this.options;
    const b = await Broker.start({
      nodeId: id,
      quorum: this.quorum,
      port: this.ports.get(id) ?? 0,
      host: '127.0.0.1',
      dataDir: o.dataDir !== undefined ? join(resolve(o.dataDir), `broker-${id}`) : undefined,
      storage: o.dataDir !== undefined ? 'disk' : 'memory',
      config: { ...o.config, ...o.brokerConfig?.[id] },
      logLevel: o.logLevel,
    });
    this.running.set(id, b);
    this.ports.set(id, b.port);
    return b;
  }

  // A controlled stop: the broker leaves the cluster and flushes its logs.
  async stopBroker(id: number): Promise<void> {
    const b = this.broker(id);
    this.running.delete(id);
    await b.close();
  }

  // An abrupt death (kill -9 in process): sockets reset, nothing flushed, the session expired.
  // startBroker(id) brings it back, recovering its data dir as after a crash.
  async killBroker(id: number): Promise<void> {
    const b = this.broker(id);
    this.running.delete(id);
    await b.kill();
  }

  async close(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((b) => b.close()));
    await this.quorum.close();
  }
}

export function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  return Cluster.start(options);
}
