// Turns one request frame into a response (or a reasoned close): header, version checks, the
// KIP-511 ApiVersions fallback, the handler call, error responses, and response encoding with
// the right header version. Everything protocol-shaped between the socket and the handlers.
import { Reader, Writer, DecodeError } from '../protocol/primitives/index.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { ResponseHeader } from '../protocol/generated/response-header.js';
import { API_BY_KEY, ApiKey } from '../protocol/generated/api-keys.js';
import { requestHeaderVersion, responseHeaderVersion } from '../protocol/headers.js';
import { ErrorCode, KafkaError } from '../errors.js';
import type { HandlerRegistry } from '../handlers/registry.js';
import type { Handler, RequestContext } from '../handlers/types.js';
import type { BrokerServices } from '../handlers/services.js';
import type { Connection } from './connection.js';
import type { Logger } from '../log.js';

export type Outcome = { kind: 'respond'; chunks: Buffer[] } | { kind: 'none' } | { kind: 'close'; reason: string };

export class RequestProcessor {
  private readonly clientIds = new WeakMap<Connection, string | null>();

  constructor(
    private readonly registry: HandlerRegistry,
    // What handlers receive as ctx.broker: the network layer only passes it on.
    private readonly broker: BrokerServices,
    private readonly log: Logger,
  ) {}

  lastClientId(conn: Connection): string | null {
    return this.clientIds.get(conn) ?? null;
  }

  connectionClosed(_conn: Connection): void {}

  // Starts one request. `released` resolves when the connection may start the next one: with
  // true when the handler calls ctx.release() (early), else with false when it has finished.
  start(frame: Buffer, conn: Connection): { outcome: Promise<Outcome>; released: Promise<boolean> } {
    let release!: (early: boolean) => void;
    const released = new Promise<boolean>((r) => (release = r));
    const outcome = this.processFrame(frame, conn, () => release(true)).then(
      (o) => {
        release(false);
        return o;
      },
      (err: unknown): Outcome => {
        release(false);
        this.log.error({ conn: conn.id, err }, 'internal error while processing a request');
        return { kind: 'close', reason: `internal error: ${(err as Error).message}` };
      },
    );
    return { outcome, released };
  }

  private async processFrame(frame: Buffer, conn: Connection, release: () => void): Promise<Outcome> {
    if (frame.length < 8) return { kind: 'close', reason: `malformed request: frame of ${frame.length} bytes is shorter than a request header` };
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const handler = this.registry.get(apiKey);
    const info = API_BY_KEY.get(apiKey);
    const apiName = info?.name ?? `unknown(${apiKey})`;

    // KIP-511: an ApiVersions request of a version we do not know still gets an answer, in v0
    // form, with UNSUPPORTED_VERSION and our full key list, so the client can pick a version.
    if (apiKey === ApiKey.ApiVersions && handler && apiVersion > handler.maxVersion) {
      this.log.debug({ conn: conn.id, apiVersion }, 'ApiVersions with an unknown version: answering v0 with UNSUPPORTED_VERSION');
      return this.encode(correlationId, apiKey, 0, handler, {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        apiKeys: this.registry.apiVersionsList(),
      });
    }

    const r = new Reader(frame);
    let header;
    try {
      header = RequestHeader.decode(r, requestHeaderVersion(apiKey, apiVersion));
    } catch (err) {
      return { kind: 'close', reason: `malformed request header for ${apiName} v${apiVersion}: ${(err as Error).message}` };
    }
    this.clientIds.set(conn, header.clientId);

    if (!handler) {
      return {
        kind: 'close',
        reason: `unsupported API ${apiName} (key ${apiKey}) v${apiVersion} from client ${JSON.stringify(header.clientId)}: samsa does not serve this API`,
      };
    }
    const ctx: RequestContext = {
      apiKey,
      apiVersion,
      correlationId,
      clientId: header.clientId,
      client: conn.client,
      broker: this.broker,
      log: this.log,
      listener: conn.listener,
      release,
    };
    if (!handler.request.hasVersion(apiVersion)) {
      return {
        kind: 'close',
        reason: `unsupported version ${apiVersion} of ${apiName} (samsa serves ${handler.minVersion}-${handler.maxVersion}) from client ${JSON.stringify(header.clientId)}`,
      };
    }
    let req;
    try {
      req = handler.request.decode(r, apiVersion);
    } catch (err) {
      const why = err instanceof DecodeError ? err.message : String(err);
      return { kind: 'close', reason: `malformed ${apiName} v${apiVersion} request: ${why}` };
    }
    if (r.remaining > 0) {
      this.log.debug({ conn: conn.id, apiName, apiVersion, extra: r.remaining }, 'request has bytes after its last field; ignored');
    }
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      // The codec can read it, so answer in kind: every element gets UNSUPPORTED_VERSION.
      this.log.warn(
        { conn: conn.id, apiName, apiVersion, clientId: header.clientId },
        `unsupported version ${apiVersion} of ${apiName}: answering UNSUPPORTED_VERSION`,
      );
      return this.encode(correlationId, apiKey, apiVersion, handler, handler.errorResponse(req, ErrorCode.UNSUPPORTED_VERSION, ctx));
    }

    let res;
    try {
      res = await handler.handle(req, ctx);
    } catch (err) {
      const code = err instanceof KafkaError ? err.code : ErrorCode.UNKNOWN_SERVER_ERROR;
      if (!(err instanceof KafkaError)) this.log.error({ err, apiName, apiVersion }, `${apiName} handler failed`);
      res = handler.errorResponse(req, code, ctx);
    }
    if (res === null) return { kind: 'none' };
    return this.encode(correlationId, apiKey, apiVersion, handler, res);
  }

  private encode(correlationId: number, apiKey: number, apiVersion: number, handler: Handler, body: unknown): Outcome {
    const w = new Writer(512);
    w.int32(0); // size, patched below
    ResponseHeader.encode(w, responseHeaderVersion(apiKey, apiVersion), { correlationId });
    try {
      handler.response.encode(w, apiVersion, body as never);
    } catch (err) {
      this.log.error({ err, apiKey, apiVersion }, 'could not encode a response');
      return { kind: 'close', reason: `could not encode the ${handler.response.name} v${apiVersion}: ${(err as Error).message}` };
    }
    const total = w.length;
    const chunks = w.finish();
    chunks[0]!.writeInt32BE(total - 4, 0);
    return { kind: 'respond', chunks };
  }
}
