// The composition root: config, logging, metadata, storage, handlers and listeners, wired once.
// `startBroker()` resolves only when every listener accepts connections.
import { resolve } from 'node:path';
import { BrokerConfig, ConfigError } from '../config/index.js';
import { applyListenerFlags, unsupportedSecurity } from '../config/listeners.js';
import { checkDataDirs } from './data-dir.js';
import { createLogger, type Logger, type LogLevel, type LogFormat } from '../log.js';
import { ClusterMetadata } from '../cluster/cluster-metadata.js';
import { FileMetadataStore, MemoryMetadataStore, METADATA_FILE, METADATA_LOG } from '../cluster/metadata-store.js';
import { checkSingleBrokerDirs, ensureMetaProperties } from './meta-properties.js';
import { LogManager } from '../storage/log-manager.js';
import { HandlerRegistry } from '../handlers/registry.js';
import { RequestProcessor } from '../network/request-processor.js';
import { Listener } from '../network/listener.js';
import { ByteBudget } from '../network/byte-budget.js';
import { ConnectionQuotas, type ConnectionQuotaConfig } from '../network/connection-quotas.js';
import { SamsaError, SamsaErrorCode } from '../errors.js';
import type { BrokerEndpoint } from '../cluster/topic.js';
import { FetchSessionCache } from '../fetch/session-cache.js';
import { FetchWaiters } from '../fetch/fetch-waiters.js';
import { accelDescription } from '../accel/index.js';
import { destroyPool, setPoolErrorHandler } from '../workers/pool.js';
import { GroupCoordinator } from '../coordinator/coordinator.js';
import { TransactionCoordinator } from '../txn/coordinator.js';
import { randomUuid } from '../protocol/primitives/index.js';
import { DuplicateBrokerError, type BrokerSession, type MetadataQuorum } from '../cluster/quorum/quorum.js';
import { Controller } from '../cluster/controller.js';
import { interBrokerClientId } from '../cluster/inter-broker.js';
import { InterBrokerClients } from '../network/inter-broker-clients.js';
import { ReplicaManager } from '../replication/replica-manager.js';
import { controlledShutdown } from '../cluster/controlled-shutdown.js';

export interface BrokerOptions {
  // Overrides the port of the first listener; 0 picks any free port.
  port?: number;
  // Overrides the host of the first listener.
  host?: string;
  // 'memory' keeps everything in this process; 'disk' writes Kafka's layout under dataDir.
  // Default: 'disk' when dataDir is given, else 'memory' (the test-suite case).
  storage?: 'memory' | 'disk';
  dataDir?: string;
  // Kafka broker properties, e.g. { 'num.partitions': 3 }.
  config?: Record<string, string | number | boolean>;
  // A server.properties file, applied before `config`.
  configFile?: string;
  // Overrides samsa.log.level. Without either, the level is defaultLogLevel (default 'warn').
  logLevel?: LogLevel;
  defaultLogLevel?: LogLevel;
  // 'pretty': one readable line per event (samsa start on a terminal); default 'json'.
  logFormat?: LogFormat;
  logger?: Logger;
  // A broker of a cluster: its node.id and the cluster's metadata quorum (see startCluster).
  // Without a quorum the broker is a cluster of one with its metadata in its own log dir.
  nodeId?: number;
  quorum?: MetadataQuorum;
}

// Brokers running in this process (startCluster runs several): the worker pool is shared and
// goes when the last one stops.
let brokersInProcess = 0;
async function releasePool(): Promise<void> {
  brokersInProcess--;
  if (brokersInProcess <= 0) await destroyPool();
}

export class Broker {
  readonly startedAt = Date.now();
  readonly metadata: ClusterMetadata;
  readonly logManager: LogManager;
  readonly registry = new HandlerRegistry();
  readonly fetchSessions: FetchSessionCache;
  readonly fetchWaiters = new FetchWaiters();
  readonly coordinator: GroupCoordinator;
  readonly txnCoordinator: TransactionCoordinator;
  // Random per start (KRaft's incarnation id): registered with the quorum, and how other brokers
  // tell this broker's inter-broker requests from a client's (src/cluster/inter-broker.ts).
  readonly incarnationId = randomUuid();
  // In a cluster: connections to the other brokers (WriteTxnMarkers).
  readonly interBroker: InterBrokerClients | null = null;
  closing = false;
  // In a cluster: this broker's registration with the quorum, and the controller role it may hold.
  private session: BrokerSession | null = null;
  readonly controller: Controller | null = null;
  // In a cluster: leader and follower roles, replica fetchers, the ISR (src/replication/).
  readonly replicaManager: ReplicaManager | null = null;
  private stopCampaign: (() => void) | null = null;
  private readonly listeners: Listener[] = [];
  private closingPromise: Promise<void> | null = null;

  private constructor(
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly nodeId: number,
    readonly storage: 'memory' | 'disk',
    readonly quorum: MetadataQuorum | null = null,
  ) {
    const dirs = config.logDirs();
    this.logManager = new LogManager(storage, dirs, config, log);
    const store = storage === 'disk' && !quorum ? new FileMetadataStore(dirs[0]!) : new MemoryMetadataStore();
    this.metadata = new ClusterMetadata(store, config, nodeId, () => this.selfEndpoint(), quorum);
    // In a cluster the logs are made once the image is loaded (see start).
    if (!quorum) this.metadata.setLifecycle(this.logManager);
    else {
      this.controller = new Controller(this.metadata, quorum, log);
      this.replicaManager = new ReplicaManager(nodeId, this.metadata, this.logManager, config, log, (l) => this.fetchWaiters.notify(l));
      this.metadata.onDynamicConfigs = () => this.applyDynamicConfig();
      this.metadata.lifecycleError = (err, change) => log.error({ err: err.message, op: change.op }, 'could not apply a metadata change to the local logs');
    }
    this.logManager.onHighWatermark = (l) => this.fetchWaiters.notify(l);
    // The two coordinators meet in __consumer_offsets: the group coordinator hands transactional
    // offset batches to the transaction coordinator at load, which applies committed ones to it.
    const services = { config, log, metadata: this.metadata, logManager: this.logManager };
    this.coordinator = new GroupCoordinator({
      ...services,
      transactionalOffsets: {
        replayBatch: (...a) => this.txnCoordinator.pendingOffsets.replayBatch(...a),
        dropPartition: (p) => this.txnCoordinator.pendingOffsets.dropPartition(p),
      },
    });
    const interBroker = quorum
      ? new InterBrokerClients(
          (id) => this.metadata.brokers().find((b) => b.nodeId === id),
          () => interBrokerClientId(nodeId, this.incarnationId),
        )
      : null;
    this.interBroker = interBroker;
    this.txnCoordinator = new TransactionCoordinator({
      ...services,
      groups: this.coordinator,
      interBroker: interBroker ? (...a) => interBroker.send(...a) : undefined,
    });
    this.fetchSessions = new FetchSessionCache(
      config.getInt('max.incremental.fetch.session.cache.slots'),
      config.getInt('min.incremental.fetch.session.eviction.ms'),
    );
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const overrides: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.config ?? {})) overrides[k] = String(v);
    const storage = options.storage ?? (options.dataDir !== undefined ? 'disk' : ((overrides['samsa.storage'] as 'disk' | 'memory' | undefined) ?? 'memory'));
    overrides['samsa.storage'] = storage;
    if (options.dataDir !== undefined) overrides['log.dirs'] = resolve(options.dataDir);
    if (options.logLevel) overrides['samsa.log.level'] = options.logLevel;
    if (options.nodeId !== undefined) overrides['node.id'] = String(options.nodeId);
    let config = BrokerConfig.load({ file: options.configFile, overrides });
    let reload = false;
    if (options.port !== undefined || options.host !== undefined) {
      const controllers = new Set(config.getList('controller.listener.names').map((n) => n.toUpperCase()));
      // advertised.listeners given with the flags (options.config, --set) is meant as given (a
      // proxy in front, say); only a file's entry follows the flags.
      const fromFile = !Object.hasOwn(overrides, 'advertised.listeners') && config.isSet('advertised.listeners');
      const moved = applyListenerFlags(config.getString('listeners') ?? '', fromFile ? config.getString('advertised.listeners') : null, controllers, options);
      overrides['listeners'] = moved.listeners;
      if (moved.advertised !== null) overrides['advertised.listeners'] = moved.advertised;
      reload = true;
    }
    // Quiet (warnings only) unless asked for more: a broker embedded in tests or an app should
    // not fill its host's output. `samsa start` asks for info.
    if (!config.isSet('samsa.log.level')) {
      overrides['samsa.log.level'] = options.defaultLogLevel ?? 'warn';
      reload = true;
    }
    if (reload) config = BrokerConfig.load({ file: options.configFile, overrides });
    const insecure = unsupportedSecurity(config.brokerListeners());
    if (insecure) throw new ConfigError(insecure);
    const level = config.getString('samsa.log.level') as LogLevel;
    const log =
      options.logger ?? (options.logFormat === 'pretty' ? createLogger(level, (await import('../log-pretty.js')).prettyDestination()) : createLogger(level));
    if (storage === 'disk') checkDataDirs(config.logDirs());
    const nodeId = config.nodeId();
    if (storage === 'disk' && !options.quorum) checkSingleBrokerDirs(config.logDirs(), [METADATA_FILE, METADATA_LOG]);
    const broker = new Broker(config, log, nodeId, storage, options.quorum ?? null);
    // Before anything is bound or loaded: a data dir of another cluster or node is refused.
    if (storage === 'disk') ensureMetaProperties(config.logDirs(), broker.metadata.clusterId, nodeId);
    brokersInProcess++;
    // Ports first: a start that cannot serve fails before it opens a log (and so before the
    // clean-shutdown marker is consumed). Connections that arrive meanwhile wait to be served.
    await broker.bind();
    setPoolErrorHandler((err) => log.error({ err }, 'worker pool error'));
    let loaded = false;
    try {
      if (broker.quorum) {
        await broker.metadata.follow();
        await broker.logManager.loadAll(broker.metadata.topics().map((t) => ({ ...t, partitions: broker.metadata.localPartitions(t) })));
        loaded = true;
        broker.metadata.setLifecycle(broker.replicaManager!.lifecycle(broker.logManager));
        broker.makeMissingLogs();
        // Registered (and its previous life's leaderships and ISR places given up) before it
        // takes any role: the metadata it loaded describes that previous life.
        await broker.joinCluster(broker.quorum);
        await broker.rejoin();
        broker.replicaManager!.start();
      } else {
        await broker.logManager.loadAll(broker.metadata.topics());
      }
      loaded = true;
      await broker.coordinator.load();
      await broker.txnCoordinator.load();
      for (const l of broker.listeners) l.serve();
    } catch (err) {
      await Promise.all(broker.listeners.map((l) => l.close(0)));
      if (!loaded) {
        broker.metadata.stopFollowing();
        brokersInProcess--;
      }
      // The logs were loaded (and recovered if need be), so closing them is a clean shutdown:
      // it puts back the marker loadAll took, and the next start need not rebuild any index.
      if (loaded) await broker.abortStart();
      throw err;
    }
    broker.logManager.startRetention();
    log.info(
      { nodeId, clusterId: broker.metadata.clusterId, storage, bootstrap: broker.bootstrap, accel: accelDescription(), ms: Date.now() - broker.startedAt },
      'samsa broker started',
    );
    return broker;
  }

  // Logs for this broker's replicas that the image names but that were not loaded (created by
  // other brokers while this one loaded its logs).
  private makeMissingLogs(): void {
    for (const t of this.metadata.topics()) {
      const missing = this.metadata.localPartitions(t).filter((p) => !this.logManager.get(t.name, p.partition));
      if (missing.length > 0) this.logManager.partitionsCreated(t, missing);
    }
  }

  // Registers with the quorum and stands for controller. A node id that is live already is
  // refused; on etcd a broker restarted after kill -9 finds its previous life's lease still live,
  // so it retries until that session could have expired (KRaft's broker retries
  // DUPLICATE_BROKER_REGISTRATION the same way) before it gives up.
  private async joinCluster(quorum: MetadataQuorum): Promise<void> {
    const self = this.selfEndpoint();
    const sessionMs =
      this.config.isSet('broker.session.timeout.ms') || quorum.kind === 'etcd' ? Number(this.config.getString('broker.session.timeout.ms') ?? 9000) : 0;
    const deadline = Date.now() + (quorum.kind === 'etcd' ? sessionMs + 2000 : 0);
    let waited = false;
    for (;;) {
      try {
        this.session = await quorum.register({ nodeId: this.nodeId, incarnationId: this.incarnationId, host: self.host, port: self.port, rack: self.rack });
        break;
      } catch (err) {
        if (!(err instanceof DuplicateBrokerError)) throw err;
        if (Date.now() >= deadline) throw new ConfigError(err.message);
        if (!waited)
          this.log.info({ nodeId: this.nodeId, sessionMs }, 'node id still registered (a previous life of this broker?): waiting for that session to expire');
        waited = true;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    this.session.onLost(() => {
      if (!this.closing) this.log.error({ nodeId: this.nodeId }, 'lost the cluster session: the quorum no longer counts this broker as live');
    });
    this.stopCampaign = quorum.campaign(this.nodeId, (isController) => {
      if (isController) this.controller?.activate();
      else this.controller?.deactivate();
    });
  }

  // A broker that starts gives up what the metadata says its previous life held: leaderships
  // that another live in-sync replica can take, and its places in ISRs (KRaft fences a broker's
  // old incarnation the same way). Its log may be behind (memory storage starts empty); it
  // rejoins each ISR once caught up. A partition it alone can lead stays with it.
  private async rejoin(): Promise<void> {
    if (!this.quorum) return;
    const done = await controlledShutdown(this.metadata, this.quorum, {
      maxRetries: this.config.getInt('controlled.shutdown.max.retries'),
      backoffMs: this.config.getLong('controlled.shutdown.retry.backoff.ms'),
      log: this.log,
    }).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'could not give up the previous leaderships');
      return false;
    });
    if (!done) this.log.warn({ nodeId: this.nodeId }, 'rejoined while still leading partitions another replica could lead');
  }

  // Controlled shutdown (controlled.shutdown.enable): leaderships go to other live ISR members
  // while this broker still serves, so clients follow them before it is gone.
  private async handOffLeaderships(): Promise<void> {
    if (!this.quorum || !this.session || !this.config.getBoolean('controlled.shutdown.enable')) return;
    const started = Date.now();
    // A broker in controlled shutdown stops fetching first, so no leader adds it back to an ISR it
    // is leaving (KRaft does not add a broker in controlled shutdown to any ISR).
    await this.replicaManager?.holdFetching(true);
    const done = await controlledShutdown(this.metadata, this.quorum, {
      maxRetries: this.config.getInt('controlled.shutdown.max.retries'),
      backoffMs: this.config.getLong('controlled.shutdown.retry.backoff.ms'),
      log: this.log,
    }).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'controlled shutdown failed');
      return false;
    });
    this.log.info({ nodeId: this.nodeId, complete: done, ms: Date.now() - started }, 'controlled shutdown: leaderships handed off');
  }

  // Leaves the cluster: no longer live, no longer the controller.
  private async leaveCluster(): Promise<void> {
    await this.replicaManager?.shutdown();
    this.stopCampaign?.();
    this.stopCampaign = null;
    this.controller?.deactivate();
    const s = this.session;
    this.session = null;
    await s?.close().catch(() => undefined);
    this.metadata.stopFollowing();
  }

  // What the network layer holds for all connections (see src/network/connection.ts).
  private connectionQuotas: ConnectionQuotas | null = null;
  networkUsage = { requestBudget: new ByteBudget(0), responseBudget: new ByteBudget(0) };

  private async abortStart(): Promise<void> {
    this.closing = true;
    await this.leaveCluster();
    this.coordinator.close();
    this.txnCoordinator.close();
    this.interBroker?.close();
    await this.logManager.close();
    await releasePool();
  }

  // socket.listen.backlog.size when set; else Node's default of 511 rather than Kafka's 50:
  // samsa accepts on the event loop that also serves requests (Kafka has an acceptor thread), so
  // under load its accept queue drains less often, and with 50 new clients saw refused SYNs.
  private listenBacklog(): number {
    return this.config.isSet('socket.listen.backlog.size') ? this.config.getInt('socket.listen.backlog.size') : 511;
  }

  // Binds every listener; Listener.serve() starts serving once the broker has loaded.
  private async bind(): Promise<void> {
    const processor = new RequestProcessor(this.registry, this, this.log);
    const maxRequestBytes = this.config.getInt('socket.request.max.bytes');
    const queuedMaxRequestBytes = this.config.getLong('queued.max.request.bytes');
    // KafkaConfig's rule: the pool must hold at least one request of the largest size.
    if (queuedMaxRequestBytes > 0 && queuedMaxRequestBytes < maxRequestBytes) {
      throw new SamsaError(
        SamsaErrorCode.INVALID_CONFIG,
        `queued.max.request.bytes (${queuedMaxRequestBytes}) must be -1 or at least socket.request.max.bytes (${maxRequestBytes})`,
      );
    }
    if (this.config.getInt('max.connections.per.ip') === 0 && !this.config.getString('max.connections.per.ip.overrides')) {
      throw new SamsaError(
        SamsaErrorCode.INVALID_CONFIG,
        'max.connections.per.ip is 0: set max.connections.per.ip.overrides to the addresses that may connect',
      );
    }
    this.networkUsage = {
      requestBudget: new ByteBudget(queuedMaxRequestBytes),
      responseBudget: new ByteBudget(this.config.getLong('samsa.queued.max.response.bytes')),
    };
    const limits = {
      maxRequestBytes,
      idleMs: this.config.getLong('connections.max.idle.ms'),
      // Received but not yet handled: stop reading past this (one request may be up to 100 MiB).
      maxQueuedRequestBytes: Math.max(maxRequestBytes, 16 * 1024 * 1024),
      // Finished responses not yet sent: start no request past this. Kafka sends one response
      // per connection before it reads the next request; 1 MiB keeps small pipelined responses
      // (Produce acks, Metadata) flowing without waiting on each other, while after any large one
      // (a Fetch of up to fetch.max.bytes) the next request waits until it is sent, as in Kafka.
      maxUnsentResponseBytes: 1024 * 1024,
      ...this.networkUsage,
    };
    this.connectionQuotas = new ConnectionQuotas(this.connectionQuotaConfig(), this.log);
    try {
      for (const l of this.config.brokerListeners()) {
        const listener = new Listener(l.name, l.host, l.port, processor, limits, this.log, this.connectionQuotas, this.listenBacklog());
        await listener.start();
        this.listeners.push(listener);
      }
    } catch (err) {
      await Promise.all(this.listeners.map((l) => l.close(0)));
      throw err;
    }
  }

  private connectionQuotaConfig(): ConnectionQuotaConfig {
    return {
      maxConnections: this.config.getInt('max.connections'),
      maxConnectionsPerIp: this.config.getInt('max.connections.per.ip'),
      overrides: this.config.getString('max.connections.per.ip.overrides') ?? '',
    };
  }

  // The endpoint clients should use: advertised.listeners if set, else the address bound. A
  // wildcard bind (0.0.0.0 or empty) is answered with the address the client connected to.
  advertisedEndpoint(listenerName: string, localAddress?: string): { host: string; port: number } {
    const idx = Math.max(
      0,
      this.listeners.findIndex((l) => l.name === listenerName),
    );
    const bound = this.listeners[idx]?.address ?? { host: '127.0.0.1', port: 0 };
    const adv = this.config.advertisedListeners().find((a) => a.name === listenerName) ?? this.config.advertisedListeners()[idx];
    let host = adv?.host ?? bound.host;
    const port = adv && adv.port !== 0 ? adv.port : bound.port;
    if (host === '' || host === '0.0.0.0' || host === '::') host = localAddress && localAddress !== '::' ? stripV4Mapped(localAddress) : '127.0.0.1';
    return { host, port };
  }

  selfEndpoint(listenerName?: string, localAddress?: string): BrokerEndpoint {
    const { host, port } = this.advertisedEndpoint(listenerName ?? this.listeners[0]?.name ?? 'PLAINTEXT', localAddress);
    const rack = this.config.getString('broker.rack');
    return { nodeId: this.nodeId, host, port, rack: rack ? rack : null };
  }

  // Applies dynamic broker configs that take effect without a restart.
  applyDynamicConfig(): void {
    const level = this.config.getString('samsa.log.level');
    if (level && level !== this.log.level) this.log.level = level;
    this.logManager.brokerConfigChanged(this.metadata.topics());
    void this.connectionQuotas?.reconfigure(this.connectionQuotaConfig());
  }

  get port(): number {
    return this.listeners[0]!.address.port;
  }

  get host(): string {
    return this.advertisedEndpoint(this.listeners[0]!.name).host;
  }

  // host:port for a client's bootstrap.servers.
  get bootstrap(): string {
    const h = this.host;
    return `${h.includes(':') ? `[${h}]` : h}:${this.port}`;
  }

  // An abrupt death in process, as kill -9 would be: every listener and connection is reset at
  // once, queued writes are dropped, nothing is flushed and no clean-shutdown marker is written;
  // the background timers stop and the quorum sees the session expire (not a controlled leave).
  // startBroker on the same data dir then recovers as after a crash. Idempotent.
  kill(): Promise<void> {
    this.closingPromise ??= (async () => {
      this.closing = true;
      for (const l of this.listeners) l.kill();
      // Fetchers stop as a dead process's would; no high-watermark checkpoint is written.
      await this.replicaManager?.shutdown(false);
      this.interBroker?.close();
      this.stopCampaign?.();
      this.stopCampaign = null;
      this.controller?.deactivate();
      const s = this.session;
      this.session = null;
      if (s && this.quorum) {
        const q = this.quorum as unknown as Partial<ExpiringQuorum>;
        if (typeof q.expire === 'function') q.expire(this.nodeId);
        else await s.close().catch(() => undefined);
      }
      this.metadata.stopFollowing();
      this.fetchWaiters.wakeAll();
      this.coordinator.close();
      this.txnCoordinator.close();
      await this.logManager.kill();
      await releasePool();
      this.log.warn({ nodeId: this.nodeId }, 'samsa broker killed');
    })();
    return this.closingPromise;
  }

  // Stops accepting, finishes in-flight requests, flushes, closes. Idempotent.
  close(graceMs = 5000): Promise<void> {
    this.closingPromise ??= (async () => {
      this.closing = true;
      await this.handOffLeaderships();
      await this.leaveCluster();
      this.fetchWaiters.wakeAll();
      this.coordinator.close();
      this.txnCoordinator.close();
      this.interBroker?.close();
      await Promise.all(this.listeners.map((l) => l.close(graceMs)));
      await this.logManager.close();
      await releasePool();
      this.log.info({ nodeId: this.nodeId }, 'samsa broker stopped');
      this.log.flush?.();
    })();
    return this.closingPromise;
  }
}

// The part of a quorum that can end a session as if its lease expired (EmbeddedQuorum).
interface ExpiringQuorum {
  expire(nodeId: number): void;
}

function stripV4Mapped(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  return Broker.start(options);
}
