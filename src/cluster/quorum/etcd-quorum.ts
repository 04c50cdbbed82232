// The metadata quorum on etcd (`samsa start --cluster etcd://... --cluster-id ID`): brokers on
// several machines share the metadata log, their registrations and the controller election
// through an existing etcd cluster. Keys live under `/samsa/<clusterId>/` (etcd-client.ts).
//
// - append: one etcd transaction that compares log/end with the expected end and puts the
//   records and the new end; so only one of two brokers appending at the same end succeeds.
// - register: brokers/<nodeId> put-if-absent under a lease of the session timeout.
// - campaign: controller put-if-absent under the campaigner's lease; retried when it goes.
// While etcd is unreachable nothing here gives up: sessions, leaderships and the controller stay
// as they are, and appends fail with QuorumUnavailableError until etcd answers again.
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../log.js';
import type { MetadataChange } from '../metadata-store.js';
import {
  DuplicateBrokerError,
  QuorumConflictError,
  QuorumUnavailableError,
  type BrokerRegistration,
  type BrokerSession,
  type MetadataQuorum,
  type MetadataRecord,
} from './quorum.js';
import { createEtcdClient, deadline, errorMessage, EtcdKeys, normalizeEndpoint, prefixEnd } from './etcd-client.js';
import { WatchedRange } from './etcd-watched-range.js';
import { LogFollower } from './etcd-log-follower.js';
import { EtcdBrokerSession, EtcdLease } from './etcd-session.js';
import { ControllerCampaign } from './etcd-campaign.js';

export interface EtcdQuorumOptions {
  endpoints: string[];
  clusterId: string;
  sessionTimeoutMs: number;
  // How long open() (and every later etcd request) waits for an answer; 5 s by default.
  connectTimeoutMs?: number;
  log?: Logger;
}

// etcd's default --max-txn-ops: an append is one transaction of one put per change and the end.
export const MAX_CHANGES_PER_APPEND = 127;

export class EtcdQuorum implements MetadataQuorum {
  readonly kind = 'etcd';
  private closed = false;
  private appendedEnd = 0;
  private readonly followers = new Set<LogFollower>();
  private readonly brokerListeners = new Set<(live: readonly BrokerRegistration[]) => void>();
  private readonly sessions = new Map<number, EtcdBrokerSession>();
  private readonly campaigns = new Set<ControllerCampaign>();
  private brokerList: readonly BrokerRegistration[] = [];

  private constructor(
    readonly clusterId: string,
    private readonly endpoints: readonly string[],
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    private readonly ttlSeconds: number,
    private readonly timeoutMs: number,
    private readonly logEndCache: WatchedRange,
    private readonly brokersCache: WatchedRange,
    private readonly controllerCache: WatchedRange,
    private readonly log?: Logger,
  ) {}

  static async open(opts: EtcdQuorumOptions): Promise<EtcdQuorum> {
    if (opts.endpoints.length === 0) throw new QuorumUnavailableError('no etcd endpoint given');
    if (!/^[A-Za-z0-9._-]+$/.test(opts.clusterId))
      throw new Error(`invalid cluster id ${JSON.stringify(opts.clusterId)}: use letters, digits, '.', '_' and '-'`);
    const endpoints = opts.endpoints.map(normalizeEndpoint);
    const timeoutMs = opts.connectTimeoutMs ?? 5000;
    // etcd leases count whole seconds, at least 1.
    const ttlSeconds = Math.max(1, Math.ceil(opts.sessionTimeoutMs / 1000));
    const keys = new EtcdKeys(opts.clusterId);
    const client = createEtcdClient(endpoints);
    // The caches report changes from their first read on; the quorum listens once it exists.
    const ready: { quorum?: EtcdQuorum } = {};
    const changed = {
      brokers: () => ready.quorum?.brokersChanged(),
      controller: () => ready.quorum?.controllerChanged(),
    };
    const logEndCache = new WatchedRange(client, keys.logEnd, `${keys.logEnd}\0`, () => {}, timeoutMs, opts.log);
    const brokersCache = new WatchedRange(client, keys.brokersPrefix, prefixEnd(keys.brokersPrefix), () => changed.brokers(), timeoutMs, opts.log);
    const controllerCache = new WatchedRange(client, keys.controller, `${keys.controller}\0`, () => changed.controller(), timeoutMs, opts.log);
    let timer: NodeJS.Timeout | undefined;
    try {
      // The first reads answer whether etcd is there; the timer also covers a hung connect.
      await Promise.race([
        Promise.all([logEndCache.open(), brokersCache.open(), controllerCache.open()]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      await Promise.all([logEndCache.close(), brokersCache.close(), controllerCache.close()]);
      client.close();
      throw new QuorumUnavailableError(`cannot reach etcd at ${endpoints.join(', ')}: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
    }
    const quorum = new EtcdQuorum(opts.clusterId, endpoints, client, keys, ttlSeconds, timeoutMs, logEndCache, brokersCache, controllerCache, opts.log);
    ready.quorum = quorum;
    quorum.brokersChanged();
    opts.log?.info({ endpoints, clusterId: opts.clusterId }, 'metadata quorum on etcd');
    return quorum;
  }

  logEnd(): number {
    const kv = this.logEndCache.get(this.keys.logEnd);
    return Math.max(kv ? Number(kv.value.toString()) : 0, this.appendedEnd);
  }

  follow(fromOffset: number, deliver: (records: readonly MetadataRecord[]) => void): () => void {
    this.checkOpen();
    const f = new LogFollower(this.client, this.keys, fromOffset, deliver, this.timeoutMs, this.log);
    this.followers.add(f);
    return () => {
      this.followers.delete(f);
      f.stop();
    };
  }

  async append(changes: readonly MetadataChange[], expectedEnd: number): Promise<number> {
    this.checkOpen();
    if (changes.length > MAX_CHANGES_PER_APPEND) {
      throw new RangeError(
        `cannot append ${changes.length} metadata changes at once: etcd takes at most ${MAX_CHANGES_PER_APPEND + 1} operations per transaction (--max-txn-ops)`,
      );
    }
    const newEnd = expectedEnd + changes.length;
    const puts = changes.map((c, i) => this.client.put(this.keys.record(expectedEnd + 1 + i)).value(JSON.stringify(c)));
    puts.push(this.client.put(this.keys.logEnd).value(String(newEnd)));
    const txn = expectedEnd === 0 ? this.client.if(this.keys.logEnd, 'Create', '==', 0) : this.client.if(this.keys.logEnd, 'Value', '==', String(expectedEnd));
    let res;
    try {
      res = await txn
        .then(...puts)
        .else(this.client.get(this.keys.logEnd))
        .options(deadline(this.timeoutMs))
        .commit();
    } catch (err) {
      // The outcome is unknown (the commit may have happened): the caller catches up and sees.
      throw this.unavailable(err);
    }
    if (!res.succeeded) {
      // Also what an append sees if etcd3 retried it after a dropped connection and the first
      // attempt had committed: the caller catches up and finds the change made, as if by another.
      const kv = res.responses[0]?.response_range?.kvs[0];
      const actual = kv ? Number(kv.value.toString()) : 0;
      this.appendedEnd = Math.max(this.appendedEnd, actual);
      throw new QuorumConflictError(actual);
    }
    this.appendedEnd = Math.max(this.appendedEnd, newEnd);
    return newEnd;
  }

  async register(reg: BrokerRegistration): Promise<BrokerSession> {
    this.checkOpen();
    const existing = this.sessions.get(reg.nodeId);
    if (existing?.isOpen) throw new DuplicateBrokerError(reg.nodeId);
    let lease: EtcdLease;
    try {
      lease = await EtcdLease.grant(this.client, this.ttlSeconds, this.timeoutMs, this.log);
    } catch (err) {
      throw this.unavailable(err);
    }
    const key = this.keys.broker(reg.nodeId);
    let created: boolean;
    let revision: number;
    try {
      const res = await this.client
        .if(key, 'Create', '==', 0)
        .then(this.client.put(key).value(JSON.stringify(reg)).lease(lease.id))
        .else(this.client.get(key))
        .options(deadline(this.timeoutMs))
        .commit();
      created = res.succeeded;
      revision = Number(res.header.revision);
      // etcd3 retries a request whose connection dropped: the key under our own (new, unique)
      // lease is our first attempt's, committed before its answer was lost.
      const kv = res.responses[0]?.response_range?.kvs[0];
      if (!created && kv?.lease === lease.id) {
        created = true;
        revision = Number(kv.mod_revision);
      }
    } catch (err) {
      await lease.revoke();
      throw this.unavailable(err);
    }
    if (!created) {
      await lease.revoke();
      throw new DuplicateBrokerError(reg.nodeId);
    }
    const session = new EtcdBrokerSession(reg.nodeId, reg.incarnationId, lease, revision, (s) => this.sessionEnded(s));
    this.sessions.set(reg.nodeId, session);
    this.log?.info({ nodeId: reg.nodeId, lease: lease.id, ttlSeconds: lease.ttlSeconds }, 'broker registered in etcd');
    for (const c of this.campaigns) c.sessionChanged();
    return session;
  }

  liveBrokers(): readonly BrokerRegistration[] {
    return this.brokerList;
  }

  onBrokersChanged(cb: (live: readonly BrokerRegistration[]) => void): () => void {
    this.brokerListeners.add(cb);
    return () => this.brokerListeners.delete(cb);
  }

  campaign(nodeId: number, cb: (isController: boolean) => void): () => void {
    this.checkOpen();
    const c = new ControllerCampaign(nodeId, cb, {
      client: this.client,
      key: this.keys.controller,
      cache: this.controllerCache,
      session: () => this.sessions.get(nodeId),
      timeoutMs: this.timeoutMs,
      log: this.log,
    });
    this.campaigns.add(c);
    c.sessionChanged();
    return () => {
      this.campaigns.delete(c);
      void c.stop();
    };
  }

  controllerId(): number | null {
    const kv = this.controllerCache.get(this.keys.controller);
    if (!kv) return null;
    try {
      const v = JSON.parse(kv.value.toString()) as { nodeId?: unknown };
      return typeof v.nodeId === 'number' ? v.nodeId : null;
    } catch {
      return null;
    }
  }

  // Ends every session (revoking its lease frees its registration and the controller key), stops
  // the watches and closes the client.
  async close(): Promise<void> {
    if (this.closed) return;
    // No separate resignation: revoking the lease deletes the controller key with the rest.
    for (const c of this.campaigns) c.abandon();
    this.campaigns.clear();
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.shutdown();
  }

  // As a crashed process: stops keepalives and closes the client without revoking anything, so
  // this node's registration and controller key stay in etcd until their lease expires. For
  // tests and for killing a broker abruptly.
  abandon(): void {
    if (this.closed) return;
    for (const c of this.campaigns) c.abandon();
    this.campaigns.clear();
    for (const s of [...this.sessions.values()]) s.abandon();
    this.shutdown();
  }

  private shutdown(): void {
    this.closed = true;
    for (const f of this.followers) f.stop();
    this.followers.clear();
    this.brokerListeners.clear();
    void Promise.all([this.logEndCache.close(), this.brokersCache.close(), this.controllerCache.close()]).finally(() => this.client.close());
  }

  private sessionEnded(s: EtcdBrokerSession): void {
    if (this.sessions.get(s.nodeId) === s) this.sessions.delete(s.nodeId);
    for (const c of this.campaigns) c.sessionChanged();
  }

  private brokersChanged(): void {
    for (const s of [...this.sessions.values()]) {
      const key = this.keys.broker(s.nodeId);
      // Only a state at least as new as the registration says anything about it.
      if (this.brokersCache.revisionOf(key) < s.registeredAt) continue;
      if (this.brokersCache.get(key)?.lease !== s.lease.id) {
        this.log?.warn({ nodeId: s.nodeId, lease: s.lease.id }, 'broker registration gone from etcd: session lost');
        s.registrationGone();
      }
    }
    const list: BrokerRegistration[] = [];
    for (const [, kv] of this.brokersCache.live()) {
      try {
        list.push(JSON.parse(kv.value.toString()) as BrokerRegistration);
      } catch {
        this.log?.warn({ value: kv.value.toString() }, 'unreadable broker registration in etcd');
      }
    }
    list.sort((a, b) => a.nodeId - b.nodeId);
    const same = list.length === this.brokerList.length && list.every((b, i) => JSON.stringify(b) === JSON.stringify(this.brokerList[i]));
    if (same) return;
    this.brokerList = list;
    for (const cb of [...this.brokerListeners]) cb(list);
  }

  private controllerChanged(): void {
    for (const c of this.campaigns) c.controllerChanged();
  }

  private checkOpen(): void {
    if (this.closed) throw new QuorumUnavailableError('the etcd metadata quorum is closed');
  }

  private unavailable(err: unknown): Error {
    if (err instanceof QuorumUnavailableError || err instanceof DuplicateBrokerError) return err;
    return new QuorumUnavailableError(`etcd at ${this.endpoints.join(', ')} did not answer: ${errorMessage(err)}`);
  }
}
