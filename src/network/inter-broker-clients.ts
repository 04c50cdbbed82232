// This broker's connections to the other brokers of its cluster (Kafka's NetworkClient for
// inter-broker requests): one per node id, opened on first use, dropped on any failure (the next
// request opens a new one). Each request has a deadline, so a broker that stops answering fails
// the request instead of holding it. Requests may be pipelined; answers match by correlation id.
// (samsa's ClientConnection in src/client/ does the same for tools; it sits above this folder.)
import { connect, type Socket } from 'node:net';
import { Reader, Writer, type Input, type MessageCodec } from '../protocol/primitives/index.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { requestHeaderVersion, responseHeaderVersion } from '../protocol/headers.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';

const REQUEST_TIMEOUT_MS = 10_000;

export interface BrokerAddress {
  host: string;
  port: number;
}

interface Pending {
  apiKey: number;
  version: number;
  codec: MessageCodec<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class BrokerConnection {
  private nextCorrelationId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder(512 * 1024 * 1024);
  failed: Error | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly clientId: string,
    private readonly onClosed: () => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
      } catch (err) {
        this.fail(err as Error);
      }
    });
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  send<Req, Res>(request: MessageCodec<Req>, response: MessageCodec<Res>, version: number, body: Input<Req>): Promise<Res> {
    if (this.failed) return Promise.reject(this.failed);
    const correlationId = this.nextCorrelationId++;
    const w = new Writer(256);
    w.int32(0);
    RequestHeader.encode(w, requestHeaderVersion(request.apiKey, version), {
      requestApiKey: request.apiKey,
      requestApiVersion: version,
      correlationId,
      clientId: this.clientId,
    });
    request.encode(w, version, body);
    const total = w.length;
    const chunks = w.finish();
    chunks[0]!.writeInt32BE(total - 4, 0);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error(`no answer to ${request.name} within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
      this.pending.set(correlationId, {
        apiKey: request.apiKey,
        version,
        codec: response as MessageCodec<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
      });
      this.socket.cork();
      for (const c of chunks) this.socket.write(c);
      this.socket.uncork();
    });
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) throw new Error(`response with unknown correlation id ${correlationId}`);
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    try {
      const r = new Reader(frame);
      ResponseHeader.decode(r, responseHeaderVersion(p.apiKey, p.version));
      p.resolve(p.codec.decode(r, p.version));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.onClosed();
  }
}

export class InterBrokerClients {
  private readonly conns = new Map<number, Promise<BrokerConnection>>();
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
    return conn.send(request, response, version, body);
  }

  private connection(nodeId: number): Promise<BrokerConnection> {
    const existing = this.conns.get(nodeId);
    if (existing) return existing;
    const a = this.addressOf(nodeId);
    if (!a) return Promise.reject(new Error(`broker ${nodeId} is not live`));
    const p = new Promise<BrokerConnection>((resolve, reject) => {
      const socket = connect({ host: a.host, port: a.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to broker ${nodeId} at ${a.host}:${a.port} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to broker ${nodeId} at ${a.host}:${a.port}: ${err.message}`));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        const conn = new BrokerConnection(socket, this.clientId(), () => {
          if (this.conns.get(nodeId) === p) this.conns.delete(nodeId);
        });
        if (this.closed) conn.fail(new Error('this broker is stopping'));
        resolve(conn);
      });
    });
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
        (c) => c.fail(new Error('this broker is stopping')),
        () => undefined,
      );
    this.conns.clear();
  }
}
