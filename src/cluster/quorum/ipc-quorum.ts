// The metadata quorum of a broker that runs in a child process of `samsa start --brokers N`: the
// parent hosts the EmbeddedQuorum (ipc-quorum-host.ts) and this client reaches it over the
// child's IPC channel. The client keeps a copy of the quorum's log, the live brokers and the
// controller id, which the host pushes as they change, so reads (logEnd, follow, liveBrokers,
// controllerId) are local; append, register and the session's close are requests answered by
// the host. Messages on one channel arrive in order, so the records an append committed reach
// this copy before the append's answer does. When the channel closes (the host is gone), every
// pending request fails with QuorumUnavailableError and the session is lost.
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

// What both ends need of a process's IPC channel (`process` in the child, a ChildProcess in the host).
export interface IpcChannel {
  readonly connected: boolean;
  send(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export type QuorumErrorWire = { kind: 'conflict'; logEnd: number } | { kind: 'duplicate'; nodeId: number } | { kind: 'unavailable'; message: string };

// Host to broker.
export type HostMessage =
  | { q: 'hello'; clusterId: string; logEnd: number; live: BrokerRegistration[]; controllerId: number | null }
  | { q: 'records'; records: MetadataRecord[] }
  | { q: 'brokers'; live: BrokerRegistration[] }
  | { q: 'controller'; nodeId: number | null }
  | { q: 'role'; isController: boolean }
  | { q: 'res'; id: number; ok: true; value: number | null }
  | { q: 'res'; id: number; ok: false; error: QuorumErrorWire };

// Broker to host.
export type BrokerMessage =
  | { q: 'append'; id: number; changes: MetadataChange[]; expectedEnd: number }
  | { q: 'register'; id: number; reg: BrokerRegistration }
  | { q: 'closeSession'; id: number }
  | { q: 'campaign'; nodeId: number }
  | { q: 'resign' };

export function isHostMessage(m: unknown): m is HostMessage {
  return typeof m === 'object' && m !== null && typeof (m as { q?: unknown }).q === 'string';
}

class IpcSession implements BrokerSession {
  private readonly lostCallbacks: Array<() => void> = [];
  ended = false;

  constructor(
    readonly nodeId: number,
    private readonly quorum: IpcQuorum,
  ) {}

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.quorum.request({ q: 'closeSession', id: 0 }).catch(() => undefined);
  }

  onLost(cb: () => void): void {
    this.lostCallbacks.push(cb);
  }

  lost(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cb of this.lostCallbacks) cb();
  }
}

export class IpcQuorum implements MetadataQuorum {
  readonly kind = 'embedded';
  private readonly records: MetadataRecord[] = [];
  private readonly followers = new Set<{ next: number; deliver: (records: readonly MetadataRecord[]) => void }>();
  private live: BrokerRegistration[] = [];
  private controller: number | null = null;
  private readonly brokerWatchers = new Set<(live: readonly BrokerRegistration[]) => void>();
  private roleCallback: ((isController: boolean) => void) | null = null;
  private readonly pending = new Map<number, { resolve: (v: number | null) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private session: IpcSession | null = null;
  private readonly onMessage = (m: unknown) => this.received(m);
  // connect() resolves once the copy of the log reaches the end the hello named.
  private caughtUp: { offset: number; done: () => void } | null = null;

  private checkCaughtUp(): void {
    if (this.caughtUp && this.records.length >= this.caughtUp.offset) {
      const done = this.caughtUp.done;
      this.caughtUp = null;
      done();
    }
  }

  private constructor(
    private readonly channel: IpcChannel,
    readonly clusterId: string,
  ) {
    channel.on('message', this.onMessage);
    channel.on('disconnect', () => this.disconnected());
  }

  // Waits for the host's hello and its log up to the end it named.
  static connect(channel: IpcChannel, timeoutMs = 30_000): Promise<IpcQuorum> {
    return new Promise((resolve, reject) => {
      let quorum: IpcQuorum | null = null;
      const timer = setTimeout(() => finish(new QuorumUnavailableError(`the metadata quorum's host did not answer within ${timeoutMs} ms`)), timeoutMs);
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        channel.off('message', onHello);
        if (err) reject(err);
        else resolve(quorum!);
      };
      const onHello = (m: unknown) => {
        if (!isHostMessage(m)) return;
        if (m.q !== 'hello' || quorum !== null) return;
        quorum = new IpcQuorum(channel, m.clusterId);
        quorum.live = m.live;
        quorum.controller = m.controllerId;
        quorum.caughtUp = { offset: m.logEnd, done: () => finish(null) };
        quorum.checkCaughtUp();
      };
      channel.on('message', onHello);
      channel.on('disconnect', () => finish(new QuorumUnavailableError('the IPC channel to the metadata quorum closed')));
    });
  }

  private received(m: unknown): void {
    if (!isHostMessage(m)) return;
    switch (m.q) {
      case 'records':
        for (const r of m.records) if (r.offset === this.records.length + 1) this.records.push(r);
        for (const f of this.followers) this.deliverTo(f);
        this.checkCaughtUp();
        break;
      case 'brokers':
        this.live = m.live;
        for (const cb of [...this.brokerWatchers]) cb(this.live);
        break;
      case 'controller':
        this.controller = m.nodeId;
        break;
      case 'role':
        this.roleCallback?.(m.isController);
        break;
      case 'res': {
        const p = this.pending.get(m.id);
        if (!p) break;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.value);
        else p.reject(wireError(m.error));
        break;
      }
      case 'hello':
        break;
    }
  }

  private disconnected(): void {
    if (this.closed) return;
    this.closed = true;
    // Nobody is known live any more: a controlled shutdown now has nobody to hand leaderships to.
    this.live = [];
    for (const p of this.pending.values()) p.reject(new QuorumUnavailableError('the IPC channel to the metadata quorum closed'));
    this.pending.clear();
    this.session?.lost();
    if (this.controller !== null) this.roleCallback?.(false);
  }

  request(msg: BrokerMessage & { id: number }): Promise<number | null> {
    if (this.closed || !this.channel.connected)
      return Promise.reject(new QuorumUnavailableError('the metadata quorum is not reachable (its IPC channel is closed)'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.channel.send({ ...msg, id }, (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(new QuorumUnavailableError(`could not reach the metadata quorum: ${err.message}`));
      });
    });
  }

  logEnd(): number {
    return this.records.length;
  }

  follow(fromOffset: number, deliver: (records: readonly MetadataRecord[]) => void): () => void {
    const f = { next: fromOffset + 1, deliver };
    this.followers.add(f);
    this.deliverTo(f);
    return () => this.followers.delete(f);
  }

  private deliverTo(f: { next: number; deliver: (records: readonly MetadataRecord[]) => void }): void {
    if (f.next > this.records.length) return;
    // Copies: the image must not share objects with this log (as in EmbeddedQuorum).
    const batch = this.records.slice(f.next - 1).map((r) => ({ offset: r.offset, change: structuredClone(r.change) }));
    f.next = this.records.length + 1;
    f.deliver(batch);
  }

  async append(changes: readonly MetadataChange[], expectedEnd: number): Promise<number> {
    return (await this.request({ q: 'append', id: 0, changes: [...changes], expectedEnd }))!;
  }

  async register(reg: BrokerRegistration): Promise<BrokerSession> {
    await this.request({ q: 'register', id: 0, reg });
    this.session = new IpcSession(reg.nodeId, this);
    return this.session;
  }

  liveBrokers(): readonly BrokerRegistration[] {
    return this.live;
  }

  onBrokersChanged(cb: (live: readonly BrokerRegistration[]) => void): () => void {
    this.brokerWatchers.add(cb);
    return () => this.brokerWatchers.delete(cb);
  }

  // One broker per process: one campaign at a time.
  campaign(nodeId: number, cb: (isController: boolean) => void): () => void {
    this.roleCallback = cb;
    if (!this.closed && this.channel.connected) this.channel.send({ q: 'campaign', nodeId } satisfies BrokerMessage);
    return () => {
      if (this.roleCallback !== cb) return;
      this.roleCallback = null;
      if (!this.closed && this.channel.connected) this.channel.send({ q: 'resign' } satisfies BrokerMessage);
    };
  }

  controllerId(): number | null {
    return this.controller;
  }

  close(): Promise<void> {
    this.closed = true;
    this.channel.off('message', this.onMessage);
    for (const p of this.pending.values()) p.reject(new QuorumUnavailableError('the metadata quorum client is closed'));
    this.pending.clear();
    return Promise.resolve();
  }
}

function wireError(e: QuorumErrorWire): Error {
  if (e.kind === 'conflict') return new QuorumConflictError(e.logEnd);
  if (e.kind === 'duplicate') return new DuplicateBrokerError(e.nodeId);
  return new QuorumUnavailableError(e.message);
}
