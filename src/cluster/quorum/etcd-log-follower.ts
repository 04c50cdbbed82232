// follow() on etcd: read the records that exist after `fromOffset` (in pages, at one revision),
// then watch the log prefix from the next revision. Records from the read and from the watch go
// through one buffer keyed by offset, and leave it only in offset order from the next one due, so
// nothing is delivered twice or past a gap. After the watch reconnects, is cancelled, or shows a
// gap (a record after a missing one), the records from the next offset due are read again.
import type { Etcd3, IWatchResponse, Watcher } from 'etcd3';
import type { Logger } from '../../log.js';
import type { MetadataChange } from '../metadata-store.js';
import type { MetadataRecord } from './quorum.js';
import { deadline, errorMessage, sleep, type EtcdKeys } from './etcd-client.js';

const PAGE = 256;

export class LogFollower {
  private next: number;
  private readonly pending = new Map<number, MetadataChange>();
  private watcher: Watcher | null = null;
  private stopped = false;
  private reading = false;
  private readAgain = false;

  constructor(
    private readonly client: Etcd3,
    private readonly keys: EtcdKeys,
    fromOffset: number,
    private readonly deliver: (records: readonly MetadataRecord[]) => void,
    private readonly timeoutMs: number,
    private readonly log?: Logger,
  ) {
    this.next = fromOffset + 1;
    void this.catchUp();
  }

  stop(): void {
    this.stopped = true;
    this.pending.clear();
    const w = this.watcher;
    this.watcher = null;
    if (w) void w.cancel().catch(() => {});
  }

  // Reads every record from `next` on; resolves with the revision read at.
  private async read(): Promise<number> {
    let start = this.keys.record(this.next);
    let revision = 0;
    for (;;) {
      const q = this.client.getAll().inRange({ start, end: this.keys.recordsEnd }).limit(PAGE);
      if (revision > 0) q.revision(revision);
      const res = await q.options(deadline(this.timeoutMs)).exec();
      if (revision === 0) revision = Number(res.header.revision);
      for (const kv of res.kvs) this.add(kv.key.toString(), kv.value);
      const last = res.kvs.at(-1);
      if (!res.more || last === undefined) return revision;
      // The next page starts right after the last key of this one.
      start = `${last.key.toString()}\0`;
    }
  }

  private add(key: string, value: Buffer): void {
    const offset = this.keys.offsetOf(key);
    if (offset === null || offset < this.next || this.pending.has(offset)) return;
    try {
      this.pending.set(offset, JSON.parse(value.toString()) as MetadataChange);
    } catch (err) {
      // Not written by samsa: the log stops here rather than skip a change.
      this.log?.error({ key, err: errorMessage(err) }, 'unreadable metadata record in etcd');
    }
  }

  private flush(): void {
    if (this.stopped) return;
    const out: MetadataRecord[] = [];
    for (let change = this.pending.get(this.next); change !== undefined; change = this.pending.get(this.next)) {
      this.pending.delete(this.next);
      out.push({ offset: this.next, change });
      this.next++;
    }
    if (out.length > 0) this.deliver(out);
    // Records after a missing one: the missing one was committed before them, go and read it.
    if (this.pending.size > 0) void this.catchUp();
  }

  private watch(fromRevision: number): void {
    if (this.stopped) return;
    const w = this.client.watch().prefix(this.keys.logPrefix).startRevision(String(fromRevision)).watcher();
    this.watcher = w;
    let disconnected = false;
    w.on('data', (res: IWatchResponse) => {
      if (this.stopped) return;
      for (const ev of res.events) if (ev.type === 'Put') this.add(ev.kv.key.toString(), ev.kv.value);
      this.flush();
    });
    w.on('disconnected', (err) => {
      if (this.stopped) return;
      if (!disconnected) this.log?.warn({ err: errorMessage(err) }, 'etcd metadata log watch disconnected; reconnecting');
      disconnected = true;
    });
    w.on('connected', () => {
      if (!disconnected || this.stopped) return;
      disconnected = false;
      void this.catchUp();
    });
    w.on('error', (err) => {
      if (this.stopped) return;
      this.log?.warn({ err: errorMessage(err) }, 'etcd metadata log watch cancelled; reading again');
      if (this.watcher === w) this.watcher = null;
      void this.catchUp();
    });
  }

  // Reads from the next offset due (retrying until etcd answers), then watches from there if no
  // watch is running.
  private async catchUp(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      for (;;) {
        if (this.stopped) return;
        this.readAgain = false;
        try {
          const rev = await this.read();
          if (this.stopped) return;
          this.flush();
          if (!this.watcher) this.watch(rev + 1);
          if (!this.readAgain) return;
          await sleep(100);
        } catch (err) {
          this.log?.debug({ err: errorMessage(err) }, 'etcd metadata log read failed; retrying');
          await sleep(500);
        }
      }
    } finally {
      this.reading = false;
    }
  }
}
