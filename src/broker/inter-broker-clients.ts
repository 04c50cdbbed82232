// This broker's connections to the other brokers of its cluster, one per node id, opened on
// first use and dropped on any failure (the next request opens a new one). Each request has a
// deadline, so a broker that stops answering fails the request instead of holding it.
import { ClientConnection } from '../client/connection.js';
import type { ClusterMetadata } from '../cluster/cluster-metadata.js';
import type { Input, MessageCodec } from '../protocol/primitives/index.js';

const REQUEST_TIMEOUT_MS = 10_000;

export class InterBrokerClients {
  private readonly conns = new Map<number, Promise<ClientConnection>>();
  private closed = false;

  constructor(
    private readonly metadata: ClusterMetadata,
    private readonly clientId: () => string,
  ) {}

  async send<Req, Res>(nodeId: number, request: MessageCodec<Req>, response: MessageCodec<Res>, version: number, body: Input<Req>): Promise<Res> {
    if (this.closed) throw new Error('this broker is stopping');
    const conn = await this.connection(nodeId);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        conn.send(request, response, version, body),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`broker ${nodeId} did not answer ${request.name} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.drop(nodeId, conn);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(nodeId: number): Promise<ClientConnection> {
    const existing = this.conns.get(nodeId);
    if (existing) return existing;
    const b = this.metadata.brokers().find((e) => e.nodeId === nodeId);
    if (!b) return Promise.reject(new Error(`broker ${nodeId} is not live`));
    const p = ClientConnection.connect(b.host, b.port, { clientId: this.clientId(), timeoutMs: REQUEST_TIMEOUT_MS });
    this.conns.set(nodeId, p);
    p.then(
      (c) => {
        if (this.closed) c.close();
      },
      () => {
        if (this.conns.get(nodeId) === p) this.conns.delete(nodeId);
      },
    );
    return p;
  }

  private drop(nodeId: number, conn: ClientConnection): void {
    conn.close();
    const p = this.conns.get(nodeId);
    if (p) void p.then((c) => c === conn && this.conns.get(nodeId) === p && this.conns.delete(nodeId), () => undefined);
  }

  close(): void {
    this.closed = true;
    for (const p of this.conns.values()) void p.then((c) => c.close(), () => undefined);
    this.conns.clear();
  }
}
