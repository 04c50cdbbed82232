// One node's part in the controller election on etcd. The `controller` key is created (only if
// absent) under the campaigner's session lease, so it goes when that session ends or expires; then
// the others, who watch the key, try again. Whoever's create succeeds is the controller.
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../../log.js';
import { deadline, errorMessage } from './etcd-client.js';
import type { EtcdBrokerSession } from './etcd-session.js';
import type { WatchedRange } from './etcd-watched-range.js';

export interface CampaignContext {
  client: Etcd3;
  key: string;
  cache: WatchedRange;
  // The node's current session, if it is registered.
  session: () => EtcdBrokerSession | undefined;
  timeoutMs: number;
  log?: Logger;
}

export class ControllerCampaign {
  private isController = false;
  // While controller: the lease the key is under, and the revision it was created at.
  private heldUnder: string | null = null;
  private wonAt = 0;
  // After a lost attempt: the revision of the key that beat us, until the cache has seen it.
  private beatenAt = 0;
  private trying = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly nodeId: number,
    private readonly cb: (isController: boolean) => void,
    private readonly ctx: CampaignContext,
  ) {}

  // The node registered, or its session ended: a controller without its session is no longer one.
  sessionChanged(): void {
    const s = this.ctx.session();
    if (this.isController && (!s || !s.isOpen || s.lease.id !== this.heldUnder)) this.lose('session ended');
    this.maybeTry();
  }

  controllerChanged(): void {
    if (this.isController) {
      // The cache may not have seen our own create yet: only a state at least as new counts.
      if (this.ctx.cache.revisionOf(this.ctx.key) >= this.wonAt) {
        const kv = this.ctx.cache.get(this.ctx.key);
        if (!kv || kv.lease !== this.heldUnder) this.lose('controller key gone');
      }
    }
    this.maybeTry();
  }

  // Resigns: deletes the key if it is still ours. No callback after this.
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (!this.isController || this.heldUnder === null) return;
    const lease = this.heldUnder;
    this.isController = false;
    this.heldUnder = null;
    const { client, key } = this.ctx;
    try {
      await client.if(key, 'Lease', '==', lease).then(client.delete().key(key)).options(deadline(this.ctx.timeoutMs)).commit();
    } catch (err) {
      this.ctx.log?.warn({ nodeId: this.nodeId, err: errorMessage(err) }, 'could not resign as controller in etcd; the key goes with the session');
    }
  }

  abandon(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private lose(why: string): void {
    this.isController = false;
    this.heldUnder = null;
    this.ctx.log?.info({ nodeId: this.nodeId, why }, 'no longer the controller');
    if (!this.stopped) this.cb(false);
  }

  private maybeTry(): void {
    if (this.stopped || this.isController || this.trying || this.retryTimer) return;
    const s = this.ctx.session();
    if (!s?.isOpen) return;
    // Someone else holds the key: wait for its deletion (the watch calls controllerChanged). A
    // key under our own lease is from an attempt whose answer was lost: tryOnce claims it.
    const held = this.ctx.cache.get(this.ctx.key);
    if ((held && held.lease !== s.lease.id) || this.ctx.cache.revisionOf(this.ctx.key) < this.beatenAt) return;
    void this.tryOnce(s);
  }

  private async tryOnce(s: EtcdBrokerSession): Promise<void> {
    this.trying = true;
    const { client, key } = this.ctx;
    try {
      const res = await client
        .if(key, 'Create', '==', 0)
        .then(
          client
            .put(key)
            .value(JSON.stringify({ nodeId: this.nodeId }))
            .lease(s.lease.id),
        )
        .else(client.get(key))
        .options(deadline(this.ctx.timeoutMs))
        .commit();
      let wonAt = Number(res.header.revision);
      if (!res.succeeded) {
        const kv = res.responses[0]?.response_range?.kvs[0];
        // Our own key: an earlier attempt committed but its answer was lost (etcd went away).
        if (kv && kv.lease === s.lease.id) wonAt = Number(kv.mod_revision);
        else {
          // Another got there first. Try again once the cache has seen its key (and its deletion).
          this.beatenAt = kv ? Number(kv.mod_revision) : wonAt;
          setImmediate(() => this.maybeTry());
          return;
        }
      }
      if (this.stopped || !s.isOpen) {
        await client
          .if(key, 'Lease', '==', s.lease.id)
          .then(client.delete().key(key))
          .commit()
          .catch(() => {});
        return;
      }
      this.isController = true;
      this.heldUnder = s.lease.id;
      this.wonAt = wonAt;
      this.ctx.log?.info({ nodeId: this.nodeId }, 'elected controller');
      this.cb(true);
    } catch (err) {
      this.ctx.log?.debug({ nodeId: this.nodeId, err: errorMessage(err) }, 'controller election attempt failed; retrying');
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.maybeTry();
      }, 500);
    } finally {
      this.trying = false;
    }
  }
}
