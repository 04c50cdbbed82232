// A minimal Kafka protocol client over one TCP connection, built on the generated codecs: the
// CLI's admin commands, the tests and the bench talk to any Kafka-compatible broker through it.
// Requests may be pipelined; responses are matched by correlation id.
import { connect, type Socket } from 'node:net';
import { Reader, Writer, type Input, type MessageCodec } from '../protocol/primitives/index.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { ApiVersionsRequest } from '../protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../protocol/generated/api-versions-response.js';
import { requestHeaderVersion, responseHeaderVersion } from '../protocol/headers.js';
import { FrameDecoder } from '../protocol/frame-decoder.js';

interface Pending {
  apiKey: number;
  version: number;
  codec: MessageCodec<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class ClientConnection {
  private correlationId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder(512 * 1024 * 1024);
  private closedError: Error | null = null;
  // The broker's version ranges by API key, after negotiate().
  readonly versions = new Map<number, { minVersion: number; maxVersion: number }>();

  private constructor(
    private readonly socket: Socket,
    readonly clientId: string,
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

  static connect(host: string, port: number, opts: { clientId?: string; timeoutMs?: number } = {}): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`could not connect to ${host}:${port} within ${opts.timeoutMs ?? 10000} ms`));
      }, opts.timeoutMs ?? 10000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(new ClientConnection(socket, opts.clientId ?? 'samsa-cli'));
      });
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        reject(new Error(`cannot connect to ${where}: ${err.code === 'ECONNREFUSED' ? 'connection refused (is a broker running there?)' : err.message}`));
      };
      socket.once('error', onError);
    });
  }

  // ApiVersions handshake; afterwards `pick()` chooses versions both sides speak.
  // A broker that does not know v3 answers UNSUPPORTED_VERSION with a v0 body listing what it
  // does support (KIP-511); then ask again at the highest version it names (or v0).
  async negotiate(): Promise<void> {
    let res = await this.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'samsa', clientSoftwareVersion: '0' }).catch(() => null);
    if (res === null || res.errorCode === 35) {
      const theirs = res?.apiKeys.find((k) => k.apiKey === ApiVersionsRequest.apiKey)?.maxVersion ?? 0;
      res = await this.send(ApiVersionsRequest, ApiVersionsResponse, Math.min(theirs, 2), {});
    }
    if (res.errorCode !== 0) throw new Error(`ApiVersions failed with error ${res.errorCode}`);
    for (const k of res.apiKeys) this.versions.set(k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion });
  }

  // Highest version both the broker and our codec speak, or throws naming the API.
  pick(codec: MessageCodec<unknown>, max = codec.maxVersion): number {
    const theirs = this.versions.get(codec.apiKey);
    if (!theirs) throw new Error(`the broker does not support ${codec.name.replace(/Request$/, '')}`);
    const v = Math.min(theirs.maxVersion, max);
    if (v < Math.max(theirs.minVersion, codec.minVersion)) throw new Error(`no common version of ${codec.name.replace(/Request$/, '')}`);
    return v;
  }

  send<Req, Res>(request: MessageCodec<Req>, response: MessageCodec<Res>, version: number, body: Input<Req>): Promise<Res> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.correlationId++;
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
      this.pending.set(correlationId, {
        apiKey: request.apiKey,
        version,
        codec: response as MessageCodec<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.socket.cork();
      for (const c of chunks) this.socket.write(c);
      this.socket.uncork();
    });
  }

  // Writes raw bytes (bad-input tests).
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const p = this.pending.get(correlationId);
    if (!p) throw new Error(`response with unknown correlation id ${correlationId}`);
    this.pending.delete(correlationId);
    try {
      const r = new Reader(frame);
      ResponseHeader.decode(r, responseHeaderVersion(p.apiKey, p.version));
      p.resolve(p.codec.decode(r, p.version));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  close(): void {
    this.fail(new Error('connection closed'));
    this.socket.destroy();
  }
}
