// What a handler is: the API it serves, the versions it serves (ApiVersions is derived from these),
// and a function from a decoded request to a response value. A handler never touches a socket.
import type { Input, MessageCodec } from '../protocol/primitives/index.js';
import type { Logger } from '../log.js';
import type { BrokerServices } from './services.js';

export interface ClientInfo {
  readonly connectionId: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  // Recorded from ApiVersions v3+ (KIP-511).
  clientSoftwareName: string | null;
  clientSoftwareVersion: string | null;
}

export interface RequestContext {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly client: ClientInfo;
  // The services a handler may use (src/handlers/services.ts); the Broker in a running samsa.
  readonly broker: BrokerServices;
  readonly log: Logger;
  // The listener the request arrived on, as bound (host, port): Metadata answers with it.
  readonly listener: { readonly name: string; readonly host: string; readonly port: number };
  // Lets the connection start its next request before this one has finished (its response
  // still goes out after this one's). Call it once the request's effects are ordered (Produce:
  // after its appends). Without a call, the next request waits for this handler to finish.
  readonly release: () => void;
}

// `null` from a handler means "no response" (Produce with acks=0).
export type HandlerResult<Res> = Input<Res> | null | Promise<Input<Res> | null>;

export interface Handler<Req = any, Res = any> {
  readonly request: MessageCodec<Req>;
  readonly response: MessageCodec<Res>;
  readonly minVersion: number;
  readonly maxVersion: number;
  // What ApiVersions reports as the minimum, when it must differ from what is served (see
  // produce.ts: Kafka 4 lists Produce v0-v2 it no longer serves, for librdkafka's sake).
  readonly advertisedMinVersion?: number;
  handle(req: Req, ctx: RequestContext): HandlerResult<Res>;
  // The response that reports `errorCode` for everything the request asked about, used when the
  // handler fails unexpectedly or the version is not served (Kafka's getErrorResponse).
  errorResponse(req: Req, errorCode: number, ctx: RequestContext): Input<Res>;
}

export function defineHandler<Req, Res>(h: Handler<Req, Res>): Handler<Req, Res> {
  if (h.minVersion < h.request.minVersion || h.maxVersion > h.request.maxVersion) {
    throw new Error(`${h.request.name}: handler versions ${h.minVersion}-${h.maxVersion} outside the codec's ${h.request.minVersion}-${h.request.maxVersion}`);
  }
  return h;
}
