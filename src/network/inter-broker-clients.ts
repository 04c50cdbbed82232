// This broker's connections to the other brokers of its cluster (Kafka's NetworkClient for
// inter-broker requests): one per node id, opened on first use, dropped on any failure (the next
// request opens a new one). Each request has a deadline, so a broker that stops answering fails
// the request instead of holding it. Requests may be pipelined; answers match by correlation id.
// The wire work is samsa's own ClientConnection (src/client/connection.ts, which imports only
// protocol/), as for the replica fetchers.
import type { Input, MessageCodec } from '../protocol/primitives/index.js';
import { ClientConnection } from '../client/connection.js';

const REQUEST_TIMEOUT_MS = 10_000;

export interface BrokerAddress {
  host: string;
  port: number;
}

export class InterBrokerClients {
  private readonly conns = new Map<number, Promise<ClientConnection>>();
  private closed = false;

  constructor(
    // The address of a live broker, or undefined.
    private readonly addressOf: (nodeId: number) => BrokerAddress | undefined,
    // The client id this broker names itself with (src/cluster/inter-broker.ts).
    private readonly clientId: () => string,
  ) {}

  async send<Req, Res>(nodeId: number, request: MessageCodec<Req>, response: MessageCodec<Res>, version: number, body: Input<Req>): Promise<Res> {
    if (this.closed) throw new Error('this broker is stopping');
    const conn = await this.connection(nodeId);
    // A broker that stops answering fails the request (and the connection) at the deadline.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        conn.close();
        reject(new Error(`no answer to ${request.name} from broker ${nodeId} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
    });
    try {
      return await Promise.race([conn.send(request, response, version, body), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private connection(nodeId: number): Promise<ClientConnection> {
    const existing = this.conns.get(nodeId);
    if (existing) {
      return existing.then((c) => {
        if (!c.closed) return c;
        if (this.conns.get(nodeId) === existing) this.conns.delete(nodeId);
        return this.connection(nodeId);
      });
    }
    const a = this.addressOf(nodeId);
    if (!a) return Promise.reject(new Error(`broker ${nodeId} is not live`));
    const p = ClientConnection.connect(a.host, a.port, { clientId: this.clientId(), timeoutMs: REQUEST_TIMEOUT_MS }).then(
      (conn) => {
        if (this.closed) conn.close();
        return conn;
      },
      (err: unknown) => {
        throw new Error(`broker ${nodeId}: ${(err as Error).message}`);
      },
    );
    this.conns.set(nodeId, p);
    p.catch(() => {
      if (this.conns.get(nodeId) === p) this.conns.delete(nodeId);
    });
    return p;
  }

  close(): void {
    this.closed = true;
    for (const p of this.conns.values())
      void p.then(
        (c) => c.close(),
        () => undefined,
      );
    this.conns.clear();
  }
}
