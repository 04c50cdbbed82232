// A TCP listener (Kafka's `listeners` entry): accepts connections and hands each to a Connection.
// Closing stops accepting, lets every connection finish what it already received, then ends it.
import { createServer, type Server, type Socket } from 'node:net';
import { Connection, type ConnectionLimits } from './connection.js';
import type { RequestProcessor } from './request-processor.js';
import type { Logger } from '../log.js';
import { SamsaError, SamsaErrorCode } from '../errors.js';

let nextConnectionId = 1;

export class Listener {
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private bound: { host: string; port: number } | null = null;

  constructor(
    readonly name: string,
    private readonly host: string,
    private readonly port: number,
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {}

  get address(): { host: string; port: number } {
    if (!this.bound) throw new Error(`listener ${this.name} is not started`);
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') {
          reject(new SamsaError(SamsaErrorCode.PORT_IN_USE, `port ${this.port} is in use on ${this.host || 'all interfaces'}; pass --port 0 for any free port`));
        } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
          reject(new SamsaError(SamsaErrorCode.INVALID_CONFIG, `cannot listen on ${this.host}:${this.port} (${err.code}): check the host in 'listeners'`));
        } else reject(err);
      };
      server.once('error', onError);
      server.listen({ host: this.host || undefined, port: this.port }, () => {
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

  private accept(socket: Socket): void {
    const conn = new Connection(nextConnectionId++, socket, this.processor, this.limits, this.log, {
      name: this.name,
      host: this.host,
      port: this.bound!.port,
    });
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
    this.log.debug({ conn: conn.id, client: conn.describe() }, 'connection accepted');
  }

  async close(graceMs: number): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([...this.connections].map((c) => c.shutdown(graceMs)));
    await closed;
  }
}
