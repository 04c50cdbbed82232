// The metadata quorum of a cluster that lives in one process (startCluster(), and the host of
// `samsa start --brokers N`): the log, the live brokers and the controller are plain fields, an
// append is committed the moment it is made and delivered to every follower at once. Nothing
// outside the process is needed. A broker's session ends when it closes or is killed (the host
// learns of a killed child process from its closed IPC channel), so failover needs no timeout.
// With a directory (`EmbeddedQuorum.open`) the log is kept on disk (quorum-log-file.ts): each
// append is fsynced before it is committed, and the next open finds the log and cluster id again.
import { randomUuid } from '../../protocol/primitives/index.js';
import type { MetadataChange } from '../metadata-store.js';
import { QuorumLogFile } from './quorum-log-file.js';
import {
  DuplicateBrokerError,
  QuorumConflictError,
  QuorumUnavailableError,
  type BrokerRegistration,
  type BrokerSession,
  type MetadataQuorum,
  type MetadataRecord,
} from './quorum.js';

interface Follower {
  next: number;
  deliver: (records: readonly MetadataRecord[]) => void;
}

class EmbeddedSession implements BrokerSession {
  private lostCallbacks: Array<() => void> = [];
  ended = false;

  constructor(
    readonly nodeId: number,
    private readonly quorum: EmbeddedQuorum,
  ) {}

  close(): Promise<void> {
    this.quorum.endSession(this);
    return Promise.resolve();
  }

  onLost(cb: () => void): void {
    this.lostCallbacks.push(cb);
  }

  lost(): void {
    for (const cb of this.lostCallbacks) cb();
  }
}

export class EmbeddedQuorum implements MetadataQuorum {
  readonly kind = 'embedded';
  readonly clusterId: string;
  private readonly records: MetadataRecord[] = [];
  private readonly followers = new Set<Follower>();
  private readonly sessions = new Map<number, { reg: BrokerRegistration; session: EmbeddedSession }>();
  private readonly brokerWatchers = new Set<(live: readonly BrokerRegistration[]) => void>();
  // Campaigners in the order they joined; the first live one is the controller.
  private readonly campaigners: Array<{ nodeId: number; cb: (isController: boolean) => void }> = [];
  private controller: { nodeId: number; cb: (isController: boolean) => void } | null = null;
  private closed = false;
  private readonly controllerWatchers = new Set<(nodeId: number | null) => void>();

  constructor(
    clusterId: string = randomUuid(),
    private readonly file: QuorumLogFile | null = null,
    stored: readonly MetadataRecord[] = [],
  ) {
    this.clusterId = clusterId;
    this.records.push(...stored);
  }

  // A quorum whose log lives in `dir`: the stored one if there is one (its cluster id must be
  // `clusterId` when given), else a new one.
  static open(dir: string, clusterId?: string): EmbeddedQuorum {
    const file = new QuorumLogFile(dir);
    const stored = file.load();
    if (stored) {
      if (clusterId !== undefined && clusterId !== stored.clusterId) {
        throw new QuorumUnavailableError(`the metadata quorum in ${dir} belongs to cluster.id ${stored.clusterId}, not ${clusterId}`);
      }
      return new EmbeddedQuorum(stored.clusterId, file, stored.records);
    }
    const id = clusterId ?? randomUuid();
    file.create(id);
    return new EmbeddedQuorum(id, file);
  }

  logEnd(): number {
    return this.records.length;
  }

  follow(fromOffset: number, deliver: (records: readonly MetadataRecord[]) => void): () => void {
    const f: Follower = { next: fromOffset + 1, deliver };
    this.followers.add(f);
    this.deliverTo(f);
    return () => this.followers.delete(f);
  }

  append(changes: readonly MetadataChange[], expectedEnd: number): Promise<number> {
    if (this.closed) return Promise.reject(new QuorumUnavailableError('the embedded metadata quorum is closed'));
    if (expectedEnd !== this.records.length) return Promise.reject(new QuorumConflictError(this.records.length));
    // A deep copy: the log must not share objects with any broker's image.
    const added = changes.map((change, i) => ({ offset: this.records.length + 1 + i, change: structuredClone(change) }));
    if (this.file) {
      try {
        this.file.append(added);
      } catch (err) {
        return Promise.reject(new QuorumUnavailableError(`could not write the metadata quorum's log: ${(err as Error).message}`));
      }
    }
    this.records.push(...added);
    for (const f of this.followers) this.deliverTo(f);
    return Promise.resolve(this.records.length);
  }

  private deliverTo(f: Follower): void {
    if (f.next > this.records.length) return;
    const batch = this.records.slice(f.next - 1).map((r) => ({ offset: r.offset, change: structuredClone(r.change) }));
    f.next = this.records.length + 1;
    f.deliver(batch);
  }

  register(reg: BrokerRegistration): Promise<BrokerSession> {
    if (this.closed) return Promise.reject(new QuorumUnavailableError('the embedded metadata quorum is closed'));
    if (this.sessions.has(reg.nodeId)) return Promise.reject(new DuplicateBrokerError(reg.nodeId));
    const session = new EmbeddedSession(reg.nodeId, this);
    this.sessions.set(reg.nodeId, { reg: { ...reg }, session });
    this.brokersChanged();
    this.electController();
    return Promise.resolve(session);
  }

  // Ends a session: by close() (a stop) or by the host when the broker died (`expire`).
  endSession(session: EmbeddedSession, lost = false): void {
    if (session.ended) return;
    session.ended = true;
    if (this.sessions.get(session.nodeId)?.session === session) this.sessions.delete(session.nodeId);
    this.dropCampaigner(session.nodeId);
    this.brokersChanged();
    if (lost) session.lost();
  }

  // The host saw the broker die (killed in process, or its child process exited).
  expire(nodeId: number): void {
    const s = this.sessions.get(nodeId);
    if (s) this.endSession(s.session, true);
  }

  liveBrokers(): readonly BrokerRegistration[] {
    return [...this.sessions.values()].map((s) => s.reg).sort((a, b) => a.nodeId - b.nodeId);
  }

  onBrokersChanged(cb: (live: readonly BrokerRegistration[]) => void): () => void {
    this.brokerWatchers.add(cb);
    return () => this.brokerWatchers.delete(cb);
  }

  private brokersChanged(): void {
    const live = this.liveBrokers();
    for (const cb of [...this.brokerWatchers]) cb(live);
  }

  campaign(nodeId: number, cb: (isController: boolean) => void): () => void {
    const entry = { nodeId, cb };
    this.campaigners.push(entry);
    this.electController();
    return () => this.dropCampaigner(nodeId, entry);
  }

  private dropCampaigner(nodeId: number, only?: { nodeId: number; cb: (isController: boolean) => void }): void {
    for (let i = this.campaigners.length - 1; i >= 0; i--) {
      const c = this.campaigners[i];
      if (c && c.nodeId === nodeId && (only === undefined || c === only)) this.campaigners.splice(i, 1);
    }
    if (this.controller && this.controller.nodeId === nodeId && (only === undefined || this.controller === only)) {
      const was = this.controller;
      this.controller = null;
      was.cb(false);
      this.controllerChanged();
    }
    this.electController();
  }

  // The first campaigner that is a live broker becomes the controller.
  private electController(): void {
    if (this.controller !== null || this.closed) return;
    const next = this.campaigners.find((c) => this.sessions.has(c.nodeId));
    if (!next) return;
    this.controller = next;
    next.cb(true);
    this.controllerChanged();
  }

  // Called with the controller's node id (null: none) whenever it changes (the IPC host tells
  // its brokers).
  onControllerChanged(cb: (nodeId: number | null) => void): () => void {
    this.controllerWatchers.add(cb);
    return () => this.controllerWatchers.delete(cb);
  }

  private controllerChanged(): void {
    for (const cb of [...this.controllerWatchers]) cb(this.controllerId());
  }

  controllerId(): number | null {
    return this.controller?.nodeId ?? null;
  }

  close(): Promise<void> {
    this.closed = true;
    this.followers.clear();
    this.brokerWatchers.clear();
    this.controllerWatchers.clear();
    return Promise.resolve();
  }
}
