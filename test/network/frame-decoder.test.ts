// Frames survive any TCP chunking: every split of a stream of frames yields the same frames.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FrameDecoder, FrameTooLargeError } from '../../src/protocol/frame-decoder.js';

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

const payloads = [Buffer.from('a'), Buffer.alloc(0), Buffer.alloc(300, 7), Buffer.from('hello world'), Buffer.alloc(70000, 1)];
const stream = Buffer.concat(payloads.map(frame));

test('one chunk with several frames', () => {
  const got = new FrameDecoder(1 << 20).push(stream);
  assert.equal(
    got.map((b) => b.toString('hex')),
    payloads.map((b) => b.toString('hex')),
  );
});

test('every chunk size from 1 byte up', () => {
  for (const size of [1, 2, 3, 4, 5, 7, 64, 299, 301, 4096, 65536]) {
    const d = new FrameDecoder(1 << 20);
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...d.push(stream.subarray(i, i + size)));
    assert.is(got.length, payloads.length, `chunk size ${size}`);
    got.forEach((g, i) => assert.ok(g.equals(payloads[i]!), `frame ${i} at chunk size ${size}`));
    assert.is(d.bufferedBytes, 0);
  }
});

test('random splits', () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) + 1;
  for (let round = 0; round < 50; round++) {
    const d = new FrameDecoder(1 << 20);
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length;) {
      const n = rnd();
      got.push(...d.push(stream.subarray(i, i + n)));
      i += n;
    }
    assert.equal(
      got.map((b) => b.length),
      payloads.map((b) => b.length),
    );
  }
});

test('a frame within one chunk is a view, not a copy', () => {
  const chunk = frame(Buffer.from('zero-copy'));
  const [f] = new FrameDecoder(100).push(chunk);
  assert.is(f!.buffer, chunk.buffer);
});

test('a size above the limit or below zero is refused', () => {
  const big = Buffer.alloc(4);
  big.writeInt32BE(2 ** 31 - 1);
  const d1 = new FrameDecoder(100 * 1024 * 1024);
  assert.equal(d1.push(big), []);
  assert.ok(d1.error instanceof FrameTooLargeError);
  assert.is(d1.error!.size, 2 ** 31 - 1);
  const neg = Buffer.alloc(4);
  neg.writeInt32BE(-5);
  const d2 = new FrameDecoder(100);
  d2.push(neg);
  assert.ok(d2.error instanceof FrameTooLargeError);
  // Split across chunks too.
  const d = new FrameDecoder(100);
  d.push(Buffer.from([0x00, 0x00]));
  d.push(Buffer.from([0x01, 0x00]));
  assert.ok(d.error instanceof FrameTooLargeError);
});

test('frames before a bad size prefix are still returned', () => {
  const bad = Buffer.alloc(4);
  bad.writeInt32BE(1 << 30);
  const d = new FrameDecoder(1000);
  const got = d.push(Buffer.concat([frame(Buffer.from('first')), bad, Buffer.from('junk')]));
  assert.equal(got.map(String), ['first']);
  assert.ok(d.error);
  assert.equal(d.push(frame(Buffer.from('after'))), [], 'nothing is framed after the error');
});

test.run();
