// max.connections, max.connections.per.ip and max.connections.per.ip.overrides, counted across
// every listener of the broker, as Kafka's ConnectionQuotas: a connection from an address that
// already has its maximum is closed at once with a log line; when the broker has max.connections,
// accepting waits until one closes (Acceptor.waitForConnectionSlot). All three are dynamic.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import type { Logger } from '../log.js';
import { parseIpOverrides } from '../config/ip-overrides.js';

export { parseIpOverrides };

export interface ConnectionQuotaConfig {
  maxConnections: number;
  maxConnectionsPerIp: number;
  overrides: string; // "host:count,ip:count"
}

// Kafka counts per InetAddress: an IPv4 client on a dual-stack socket is its IPv4 address.
export function clientIp(remoteAddress: string | undefined): string {
  const a = (remoteAddress ?? '').toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

export class ConnectionQuotas {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private maxConnections: number;
  private maxPerIp: number;
  private overrides = new Map<string, number>();
  private readonly slotWaiters: Array<() => void> = [];
  private generation = 0;

  constructor(
    config: ConnectionQuotaConfig,
    private readonly log: Logger,
  ) {
    this.maxConnections = config.maxConnections;
    this.maxPerIp = config.maxConnectionsPerIp;
    const parsed = parseIpOverrides(config.overrides);
    if (typeof parsed !== 'string') for (const [host, count] of parsed) if (isIP(host)) this.overrides.set(clientIp(host), count);
    void this.reconfigure(config);
  }

  get count(): number {
    return this.total;
  }

  // Applies new limits (dynamic broker configs). Host names in the overrides are resolved, as
  // Kafka resolves them (InetAddress.getByName) when the config is applied.
  async reconfigure(config: ConnectionQuotaConfig): Promise<void> {
    const gen = ++this.generation;
    this.maxConnections = config.maxConnections;
    this.maxPerIp = config.maxConnectionsPerIp;
    this.wakeSlotWaiters();
    const parsed = parseIpOverrides(config.overrides);
    const resolved = new Map<string, number>();
    if (typeof parsed !== 'string') {
      for (const [host, count] of parsed) {
        if (isIP(host)) {
          resolved.set(clientIp(host), count);
          continue;
        }
        try {
          for (const a of await lookup(host, { all: true })) resolved.set(clientIp(a.address), count);
        } catch (err) {
          this.log.warn({ host, err: (err as Error).message }, 'max.connections.per.ip.overrides: cannot resolve host; its override is not applied');
        }
      }
    }
    if (gen !== this.generation) return; // a later change won
    this.overrides = resolved;
    this.wakeSlotWaiters();
  }

  limitFor(ip: string): number {
    return this.overrides.get(ip) ?? this.maxPerIp;
  }

  // True when the broker has room for one more connection.
  get hasSlot(): boolean {
    return this.total < this.maxConnections;
  }

  // Calls `fn` once there is a slot, waiters in arrival order.
  waitForSlot(fn: () => void): void {
    this.slotWaiters.push(fn);
    this.wakeSlotWaiters();
  }

  // Counts a new connection from `ip`; false (nothing counted) when that address is at its limit.
  tryAdd(ip: string): boolean {
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.limitFor(ip)) return false;
    this.perIp.set(ip, n + 1);
    this.total++;
    return true;
  }

  remove(ip: string): void {
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
    this.total--;
    this.wakeSlotWaiters();
  }

  private wakeSlotWaiters(): void {
    // A waiter refused per IP, or whose client is gone, takes no slot: the next one may.
    while (this.slotWaiters.length > 0 && this.hasSlot) this.slotWaiters.shift()!();
  }
}
