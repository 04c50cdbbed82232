// A TCP listener (Kafka's `listeners` entry): accepts connections and hands each to a Connection.
// Closing stops accepting, lets every connection finish what it already received, then ends it.
// Connection quotas (connection-quotas.ts): over max.connections.per.ip a connection is closed at
// once; at max.connections it waits, unread, until one closes. Node cannot stop accepting
// without unbinding, so the waiting ones are held here instead of in the kernel's accept queue,
// and, as that queue would, at most socket.listen.backlog.size of them: more are closed.
import { createServer, type Server, type Socket } from 'node:net';
import { Connection, type ConnectionLimits } from './connection.js';
import { clientIp, type ConnectionQuotas } from './connection-quotas.js';
import type { RequestProcessor } from './request-processor.js';
import type { Logger } from '../log.js';
import { SamsaError, SamsaErrorCode } from '../errors.js';

let nextConnectionId = 1;

export class Listener {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private bound: { host: string; port: number } | null = null;
  private readonly waiting = new Set<Socket>();
  // Connections that arrived after start() bound the port but before serve(): the broker binds
  // before it loads its logs (a port in use fails start-up before a log is touched), and they are
  // served once it has loaded, in arrival order.
  private early: Socket[] | null = [];
  private loggedWaiting = false;

  constructor(
    readonly name: string,
    private readonly host: string,
    private readonly port: number,
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly quotas: ConnectionQuotas,
    private readonly backlog: number, // socket.listen.backlog.size
  ) {}

  get address(): { host: string; port: number } {
    if (!this.bound) throw new Error(`listener ${this.name} is not started`);
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<{ host: string; port: number }> {
    // Sockets start paused: one waiting for a slot must not be read.
    const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.arrived(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(
            new SamsaError(SamsaErrorCode.PORT_IN_USE, `port ${this.port} is in use on ${this.host || 'all interfaces'}; pass --port 0 for any free port`),
          );
        } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
          reject(new SamsaError(SamsaErrorCode.INVALID_CONFIG, `cannot listen on ${this.host}:${this.port} (${err.code}): check the host in 'listeners'`));
        } else reject(err);
      };
      server.once('error', onError);
      server.listen({ host: this.host || undefined, port: this.port, backlog: this.backlog }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error({ err, listener: this.name }, 'listener error'));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('unexpected listener address');
    this.bound = { host: this.host, port: addr.port };
    this.log.info({ listener: this.name, host: this.host || '0.0.0.0', port: addr.port }, 'listening');
    return this.bound;
  }

  private arrived(socket: Socket): void {
    if (this.early !== null) {
      this.early.push(socket);
      return;
    }
    if (this.waiting.size === 0 && this.quotas.hasSlot) {
      this.accept(socket);
      return;
    }
    if (this.waiting.size >= this.backlog) {
      this.log.warn(
        { listener: this.name, client: `${socket.remoteAddress}:${socket.remotePort}` },
        `closing connection: max.connections reached and ${this.waiting.size} connections already wait (socket.listen.backlog.size)`,
      );
      socket.destroy();
      return;
    }
    if (!this.loggedWaiting) {
      this.loggedWaiting = true;
      this.log.info({ listener: this.name, connections: this.quotas.count }, 'max.connections reached: new connections wait until one closes');
    }
    this.waiting.add(socket);
    this.quotas.waitForSlot(() => {
      if (!this.waiting.delete(socket)) return; // the listener closed
      if (this.waiting.size === 0) this.loggedWaiting = false;
      if (!socket.destroyed) this.accept(socket);
    });
  }

  private accept(socket: Socket): void {
    const ip = clientIp(socket.remoteAddress);
    if (!this.quotas.tryAdd(ip)) {
      // Kafka's Acceptor logs this line at info.
      this.log.info(
        { listener: this.name },
        `Rejected connection from ${ip}, address already has the configured maximum of ${this.quotas.limitFor(ip)} connections.`,
      );
      socket.destroy();
      return;
    }
    const conn = new Connection(nextConnectionId++, socket, this.processor, this.limits, this.log, {
      name: this.name,
      host: this.host,
      port: this.bound!.port,
    });
    this.connections.add(conn);
    socket.once('close', () => {
      this.connections.delete(conn);
      this.quotas.remove(ip);
    });
    this.log.debug({ conn: conn.id, client: conn.describe() }, 'connection accepted');
  }

  // Starts serving: the connections held since start() first.
  serve(): void {
    const early = this.early ?? [];
    this.early = null;
    for (const s of early) if (!s.destroyed) this.arrived(s);
  }

  // An abrupt stop (Broker.kill): stops accepting and resets every connection at once, with
  // nothing answered or flushed, as the death of the process would.
  kill(): void {
    const server = this.server;
    this.server = null;
    for (const s of this.early ?? []) s.destroy();
    this.early = null;
    for (const s of this.waiting) s.destroy();
    this.waiting.clear();
    for (const c of this.connections) c.kill();
    server?.close();
  }

  async close(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.early ?? []) s.destroy();
    this.early = null;
    for (const s of this.waiting) s.destroy();
    this.waiting.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown(graceMs)));
    await closed;
  }
}
