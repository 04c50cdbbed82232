// Request frames encoded once and sent many times (samsa bench and the bench/ suite): the whole
// frame is built with the generated codec, and each send copies only the 12-byte head (size, api
// key, version, correlation id) to patch the correlation id, so the generator costs a small
// allocation and two socket writes per request whatever the request's size.
import { Writer, type Input, type MessageCodec } from '../protocol/primitives/index.js';
import { RequestHeader } from '../protocol/generated/request-header.js';
import { requestHeaderVersion } from '../protocol/headers.js';

export const BENCH_CLIENT_ID = 'samsa-bench';

/** A whole request frame (size prefix included) with correlation id 0. */
export function encodeRequest<T>(codec: MessageCodec<T>, version: number, body: Input<T>, clientId = BENCH_CLIENT_ID): Buffer {
  const w = new Writer(1024);
  w.int32(0);
  RequestHeader.encode(w, requestHeaderVersion(codec.apiKey, version), { requestApiKey: codec.apiKey, requestApiVersion: version, correlationId: 0, clientId });
  codec.encode(w, version, body);
  const total = w.length;
  const frame = Buffer.concat(w.finish(), total);
  frame.writeInt32BE(total - 4, 0);
  return frame;
}

/**
 * A frame sent many times. The first 12 bytes (size, api key, version, correlation id) are copied
 * per send into a fresh buffer, the rest is the same Buffer every time: a queued socket write
 * never sees a patched correlation id.
 */
export class FrameTemplate {
  readonly body: Buffer;
  readonly head: Buffer;
  constructor(readonly frame: Buffer) {
    this.head = frame.subarray(0, 12);
    this.body = frame.subarray(12);
  }
  get length(): number {
    return this.frame.length;
  }
  parts(correlationId: number): [Buffer, Buffer] {
    const h = Buffer.allocUnsafe(12);
    this.head.copy(h, 0);
    h.writeInt32BE(correlationId, 8);
    return [h, this.body];
  }
}
