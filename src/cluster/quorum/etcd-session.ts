// A broker's session on etcd: a lease, kept alive by a keepalive stream, with the broker's
// registration (and, while it is controller, the controller key) put under it.
//
// The session is lost only when etcd says the lease is gone (a keepalive answered with TTL 0):
// etcd3's own Lease also gives up after 2 TTLs without an answer, but an etcd that is merely
// unreachable for a while has not expired the lease (a restarted etcd leader grants every lease a
// full TTL again), and the issue wants brokers to keep serving then. So keepalives are retried
// until etcd answers, whatever it answers.
import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';
import type { Logger } from '../../log.js';
import type { BrokerSession } from './quorum.js';
import { deadline, errorMessage } from './etcd-client.js';

export class EtcdLease {
  private stream: IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse> | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private lastAnswer = Date.now();
  private lastFailure = 0;
  private ended = false;
  private lostCb: ((reason: string) => void) | null = null;

  private constructor(
    private readonly client: Etcd3,
    readonly id: string,
    readonly ttlSeconds: number,
    private readonly timeoutMs: number,
    private readonly log?: Logger,
  ) {}

  static async grant(client: Etcd3, ttlSeconds: number, timeoutMs: number, log?: Logger): Promise<EtcdLease> {
    const res = await client.leaseClient.leaseGrant({ TTL: ttlSeconds }, deadline(timeoutMs));
    // etcd may grant more than asked: at least 1.5 election timeouts (2 s with its defaults).
    const lease = new EtcdLease(client, res.ID, Math.max(ttlSeconds, Number(res.TTL) || 0), timeoutMs, log);
    lease.keepAlive();
    return lease;
  }

  // Called once, when etcd says the lease no longer exists.
  onLost(cb: (reason: string) => void): void {
    this.lostCb = cb;
  }

  // Ends the lease in etcd: its keys are deleted at once.
  async revoke(): Promise<void> {
    this.stop();
    try {
      await this.client.leaseClient.leaseRevoke({ ID: this.id }, deadline(this.timeoutMs));
    } catch (err) {
      // Unreachable etcd: the lease runs out by itself within its TTL.
      this.log?.warn({ lease: this.id, err: errorMessage(err) }, 'could not revoke the etcd lease; it expires by its TTL');
    }
  }

  // Stops the keepalives without telling etcd (the lease then expires), as a crash would.
  stop(): void {
    this.ended = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.retry) clearTimeout(this.retry);
    this.ticker = this.retry = null;
    const s = this.stream;
    this.stream = null;
    if (s) s.cancel();
  }

  private lost(reason: string): void {
    if (this.ended) return;
    this.stop();
    this.log?.warn({ lease: this.id, reason }, 'etcd session lost');
    this.lostCb?.(reason);
  }

  private keepAlive(): void {
    if (this.ended) return;
    // As etcd's Go client: a keepalive every third of the TTL.
    const every = Math.max(200, (this.ttlSeconds * 1000) / 3);
    this.lastAnswer = Date.now();
    this.client.leaseClient.leaseKeepAlive().then(
      (stream) => {
        if (this.ended) return stream.cancel();
        this.stream = stream;
        stream.on('data', (res) => {
          if (res.TTL === '0') return this.lost(`etcd reports lease ${this.id} expired or revoked`);
          if (this.lastFailure > 0) this.log?.info({ lease: this.id }, 'etcd keepalives answered again');
          this.lastFailure = 0;
          this.lastAnswer = Date.now();
        });
        stream.on('error', (err) => this.restart(stream, errorMessage(err)));
        stream.on('end', () => this.restart(stream, 'keepalive stream ended'));
        const tick = () => {
          // No answer for a whole TTL on a stream that looks open: a dead connection; start over.
          if (Date.now() - this.lastAnswer > this.ttlSeconds * 1000 + every) return this.restart(stream, 'no keepalive answer');
          try {
            stream.write({ ID: this.id });
          } catch (err) {
            this.restart(stream, errorMessage(err));
          }
        };
        this.ticker = setInterval(tick, every);
        tick();
      },
      (err) => this.restart(null, errorMessage(err)),
    );
  }

  private restart(stream: IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse> | null, reason: string): void {
    if (this.ended || stream !== this.stream) return;
    if (this.lastFailure === 0) this.log?.warn({ lease: this.id, reason }, 'etcd keepalive failed; retrying until etcd answers');
    this.lastFailure = Date.now();
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.stream = null;
    if (stream) stream.cancel();
    this.retry = setTimeout(() => {
      this.retry = null;
      this.keepAlive();
    }, 250);
  }
}

export class EtcdBrokerSession implements BrokerSession {
  private closed = false;
  private lostCbs: (() => void)[] = [];
  private fired = false;

  constructor(
    readonly nodeId: number,
    readonly incarnationId: string,
    readonly lease: EtcdLease,
    // The etcd revision the registration was created at.
    readonly registeredAt: number,
    private readonly onEnd: (session: EtcdBrokerSession) => void,
  ) {
    lease.onLost(() => this.fireLost());
  }

  // The registration key is gone from etcd (deleted with its lease, which only a revoke or an
  // expiry does): the session is lost now, without waiting for the next keepalive answer.
  registrationGone(): void {
    if (!this.isOpen) return;
    this.lease.stop();
    this.fireLost();
  }

  get isOpen(): boolean {
    return !this.closed && !this.fired;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onEnd(this);
    await this.lease.revoke();
  }

  // Stops keepalives without revoking: the registration stays until the lease expires.
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.onEnd(this);
    this.lease.stop();
  }

  onLost(cb: () => void): void {
    if (this.fired) queueMicrotask(cb);
    else this.lostCbs.push(cb);
  }

  private fireLost(): void {
    if (this.closed || this.fired) return;
    this.fired = true;
    this.onEnd(this);
    for (const cb of this.lostCbs) cb();
  }
}
