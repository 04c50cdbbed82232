// A live copy of the etcd keys in [start, end): read once at a revision, then kept up to date by
// a watch from the next revision. After the watch reconnects (etcd restarted, connection lost) or
// is cancelled (history compacted) the range is read again: etcd3 resumes a watch from the
// revision of its last response, which can skip events that were still in flight. Every key keeps
// the revision it was last changed at, so a replayed older event never undoes a newer read.
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '../../log.js';
import { deadline, errorMessage, sleep } from './etcd-client.js';

export interface KeyState {
  value: Buffer;
  // The lease the key was put under ("0": none).
  lease: string;
}

interface Entry {
  modRevision: number;
  kv: KeyState | null; // null: deleted at modRevision
}

export class WatchedRange {
  private readonly entries = new Map<string, Entry>();
  private watcher: Watcher | null = null;
  private closed = false;
  private resyncing = false;
  private resyncAgain = false;

  constructor(
    private readonly client: Etcd3,
    private readonly start: string,
    private readonly end: string,
    private readonly onChange: () => void,
    private readonly timeoutMs: number,
    private readonly log?: Logger,
  ) {}

  // The first read: rejects if etcd does not answer in time.
  async open(): Promise<void> {
    const rev = await this.read();
    this.watch(rev + 1);
  }

  get(key: string): KeyState | null {
    return this.entries.get(key)?.kv ?? null;
  }
  // The revision `key` was last put or deleted at, as far as this copy knows (0: never seen).
  revisionOf(key: string): number {
    return this.entries.get(key)?.modRevision ?? 0;
  }
  *live(): Iterable<[string, KeyState]> {
    for (const [k, e] of this.entries) if (e.kv !== null) yield [k, e.kv];
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.watcher;
    this.watcher = null;
    if (w) await w.cancel().catch(() => {});
  }

  // Reads the whole range and applies it; resolves with the revision read at.
  private async read(): Promise<number> {
    const res = await this.client.getAll().inRange({ start: this.start, end: this.end }).options(deadline(this.timeoutMs)).exec();
    const rev = Number(res.header.revision);
    let changed = false;
    const seen = new Set<string>();
    for (const kv of res.kvs) {
      const key = kv.key.toString();
      seen.add(key);
      changed = this.apply(key, Number(kv.mod_revision), { value: kv.value, lease: kv.lease }) || changed;
    }
    for (const [key, e] of this.entries) {
      if (!seen.has(key) && e.kv !== null && e.modRevision <= rev) changed = this.apply(key, rev, null) || changed;
    }
    if (changed) this.onChange();
    return rev;
  }

  private apply(key: string, modRevision: number, kv: KeyState | null): boolean {
    const e = this.entries.get(key);
    if (e && e.modRevision >= modRevision) return false;
    this.entries.set(key, { modRevision, kv });
    return true;
  }

  private watch(fromRevision: number): void {
    if (this.closed) return;
    const w = this.client.watch().inRange({ start: this.start, end: this.end }).startRevision(String(fromRevision)).watcher();
    this.watcher = w;
    let disconnected = false;
    w.on('data', (res: IWatchResponse) => {
      if (this.closed) return;
      let changed = false;
      for (const ev of res.events) {
        const kv: IKeyValue = ev.kv;
        changed = this.apply(kv.key.toString(), Number(kv.mod_revision), ev.type === 'Delete' ? null : { value: kv.value, lease: kv.lease }) || changed;
      }
      if (changed) this.onChange();
    });
    w.on('disconnected', (err) => {
      if (this.closed) return;
      if (!disconnected) this.log?.warn({ range: this.start, err: errorMessage(err) }, 'etcd watch disconnected; reconnecting');
      disconnected = true;
    });
    w.on('connected', () => {
      if (!disconnected || this.closed) return;
      disconnected = false;
      this.log?.info({ range: this.start }, 'etcd watch reconnected');
      void this.resync();
    });
    // Cancelled by etcd (its history compacted past our revision): read again, watch anew.
    w.on('error', (err) => {
      if (this.closed) return;
      this.log?.warn({ range: this.start, err: errorMessage(err) }, 'etcd watch cancelled; reading again');
      if (this.watcher === w) this.watcher = null;
      void this.resync();
    });
  }

  // Reads the range again (and watches anew from there if the watch was cancelled).
  private async resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.resyncing = true;
    try {
      for (;;) {
        if (this.closed) return;
        this.resyncAgain = false;
        try {
          const rev = await this.read();
          if (!this.watcher) this.watch(rev + 1);
          if (!this.resyncAgain) return;
        } catch (err) {
          this.log?.debug({ range: this.start, err: errorMessage(err) }, 'etcd read failed; retrying');
          await sleep(500);
        }
      }
    } finally {
      this.resyncing = false;
    }
  }
}
