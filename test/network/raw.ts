// Raw request frames and sockets for the network tests: a client that writes requests and
// reads (or never reads) what comes back, below samsa's own ClientConnection.
import { connect, type Socket } from 'node:net';
import { Writer, type Input, type MessageCodec } from '../../src/protocol/primitives/index.js';
import { RequestHeader } from '../../src/protocol/generated/request-header.js';
import { requestHeaderVersion } from '../../src/protocol/headers.js';

// One size-prefixed request frame.
export function requestFrame<Req>(codec: MessageCodec<Req>, version: number, correlationId: number, body: Input<Req>, clientId = 'raw'): Buffer {
  const w = new Writer(256);
  w.int32(0);
  RequestHeader.encode(w, requestHeaderVersion(codec.apiKey, version), { requestApiKey: codec.apiKey, requestApiVersion: version, correlationId, clientId });
  codec.encode(w, version, body);
  const total = w.length;
  const buf = Buffer.concat(w.finish());
  buf.writeInt32BE(total - 4, 0);
  return buf;
}

export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Polls `check` until it returns a value (not undefined), or throws after `ms`.
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
