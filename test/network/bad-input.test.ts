// Bad input closes that connection only, with a log line saying why, and the broker keeps serving
// a second client that is mid-conversation. Real broker, real sockets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { createLogger } from '../../src/log.js';
import { ClientConnection } from '../../src/client/connection.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { Reader, Writer } from '../../src/protocol/primitives/index.js';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    cb();
  },
});

let broker: Broker;
let bystander: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logger: createLogger('info', sink) });
  bystander = await ClientConnection.connect('127.0.0.1', broker.port, { clientId: 'bystander' });
  await bystander.negotiate();
});

test.after(async () => {
  bystander.close();
  await broker.close();
});

// Sends bytes on a fresh connection; resolves with whatever came back once the broker closes it.
function sendRaw(bytes: Buffer | Buffer[], opts: { keepOpenMs?: number } = {}): Promise<{ received: Buffer; closedByBroker: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect({ host: '127.0.0.1', port: broker.port });
    const got: Buffer[] = [];
    let done = false;
    const finish = (closedByBroker: boolean) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ received: Buffer.concat(got), closedByBroker });
    };
    s.on('data', (d) => got.push(d));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    s.on('connect', () => {
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) s.write(b);
      setTimeout(() => finish(false), opts.keepOpenMs ?? 2000);
    });
  });
}

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(payload.length);
  return Buffer.concat([b, payload]);
}

function request(apiKey: number, version: number, body: Buffer, correlationId = 7): Buffer {
  const w = new Writer();
  w.int16(apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.nullableString('bad-input-test');
  if (version >= 9 && apiKey === 3) w.uvarint(0); // header v2 tagged fields for flexible Metadata
  return frame(Buffer.concat([w.toBuffer(), body]));
}

async function bystanderStillServed(): Promise<void> {
  const v = bystander.pick(MetadataRequest);
  const res = await bystander.send(MetadataRequest, MetadataResponse, v, { topics: null });
  assert.is(res.brokers.length, 1, 'the other client is still served');
}

function loggedClose(fragment: string): boolean {
  return logLines.some((l) => l.includes('closing connection') && l.includes(fragment));
}

test('random bytes: connection closed, logged, others unaffected', async () => {
  let seed = 99;
  const junk = Buffer.from(Array.from({ length: 4096 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff));
  const r = await sendRaw(junk);
  assert.ok(r.closedByBroker);
  assert.is(r.received.length, 0);
  await bystanderStillServed();
});

test('a length of 2^31-1 is refused at once', async () => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(2 ** 31 - 1);
  const r = await sendRaw(b);
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('socket.request.max.bytes'));
  await bystanderStillServed();
});

test('a truncated request body closes the connection', async () => {
  // Metadata v4 whose topic array claims 5 topics but carries none.
  const body = Buffer.from([0, 0, 0, 5]);
  const r = await sendRaw(request(3, 4, body));
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('malformed Metadata v4 request'));
  await bystanderStillServed();
});

test('a frame shorter than a request header closes the connection', async () => {
  const r = await sendRaw(frame(Buffer.from([0, 3, 0])));
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('shorter than a request header'));
});

test('an unknown API key closes the connection with a log line', async () => {
  const r = await sendRaw(request(999, 0, Buffer.alloc(0)));
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('unsupported API unknown(999)'));
  await bystanderStillServed();
});

test('an unknown version of a known API closes the connection with a log line', async () => {
  const r = await sendRaw(request(3, 99, Buffer.alloc(0)));
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('unsupported version 99 of Metadata'));
  await bystanderStillServed();
});

test('ApiVersions of an unknown version answers v0 with UNSUPPORTED_VERSION and the key list (KIP-511)', async () => {
  const r = await sendRaw(request(18, 99, Buffer.from([1, 2, 3])), { keepOpenMs: 300 });
  assert.ok(r.received.length > 8);
  const rd = new Reader(r.received.subarray(4));
  assert.is(rd.int32(), 7, 'correlation id');
  const res = ApiVersionsResponse.decode(rd, 0);
  assert.is(res.errorCode, 35);
  assert.ok(res.apiKeys.some((k) => k.apiKey === 18 && k.maxVersion >= 3));
  assert.ok(res.apiKeys.some((k) => k.apiKey === 3));
});

test('garbage after a valid request: the request is answered, then the connection closes', async () => {
  const valid = request(18, 0, Buffer.alloc(0), 11);
  const garbage = Buffer.from([0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]);
  const r = await sendRaw([valid, garbage]);
  assert.ok(r.closedByBroker);
  assert.ok(r.received.length > 8, 'the valid request got its response');
  assert.is(r.received.readInt32BE(4), 11);
  await bystanderStillServed();
});

test('a valid request pipelined before a malformed one is answered before the close (issue 11 item 12)', async () => {
  const valid = request(18, 0, Buffer.alloc(0), 21);
  const malformed = request(3, 4, Buffer.from([0, 0, 0, 5]), 22); // 5 topics claimed, none sent
  const r = await sendRaw(Buffer.concat([valid, malformed]));
  assert.ok(r.closedByBroker);
  assert.ok(loggedClose('malformed Metadata v4 request'));
  assert.ok(r.received.length > 8, 'the valid request got its response');
  assert.is(r.received.readInt32BE(4), 21);
  assert.is(r.received.length, 4 + r.received.readInt32BE(0), 'one whole response, nothing for the malformed one');
  await bystanderStillServed();
});

test('pipelined requests are answered in order, across any chunking', async () => {
  const frames = Buffer.concat([1, 2, 3, 4, 5].map((id) => request(18, 0, Buffer.alloc(0), id)));
  const pieces: Buffer[] = [];
  for (let i = 0; i < frames.length; i += 3) pieces.push(frames.subarray(i, i + 3));
  const r = await sendRaw(pieces, { keepOpenMs: 500 });
  const ids: number[] = [];
  for (let off = 0; off < r.received.length;) {
    const size = r.received.readInt32BE(off);
    ids.push(r.received.readInt32BE(off + 4));
    off += 4 + size;
  }
  assert.equal(ids, [1, 2, 3, 4, 5]);
});

test.run();
