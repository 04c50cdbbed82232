#!/usr/bin/env node
// Ceiling server for the produce, latency and e2e benchmarks: the least a broker could do with
// the bytes. Modes:
//   discard        count the bytes, nothing else
//   append FILE    append every chunk to FILE with fs.writeSync (what a log must at least do)
//   echo           answer every length-prefixed frame with an 8-byte frame: [size 4][correlation id]
//   ack [FILE]     append every chunk to FILE (if given), then answer every frame that chunk
//                  completed with an 8-byte frame [size 4][correlation id], one socket write per
//                  chunk; frames are never copied, only their 12-byte heads are read
//   relay [FILE]   append every chunk to FILE (if given) and write the same bytes back to the
//                  socket: a producer's frames come back as a consumer would receive them (e2e)
// In discard and append modes, when the client half-closes, it answers one JSON line
// {"bytes":N,"ms":T} (T from the first byte to the last write) and closes.
// Prints {"port":N} once listening on 127.0.0.1. Stops on SIGTERM.
import { createServer } from 'node:net';
import { openSync, writeSync, closeSync } from 'node:fs';

const [mode = 'discard', file] = process.argv.slice(2);
if (!['discard', 'append', 'echo', 'ack', 'relay'].includes(mode) || (mode === 'append' && !file)) {
  console.error('usage: sink.mjs discard | append FILE | echo | ack [FILE] | relay [FILE]');
  process.exit(2);
}

function appendAll(fd, chunk) {
  let done = 0;
  while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
}

const server = createServer((sock) => {
  sock.setNoDelay(true);
  let bytes = 0;
  let first = 0;
  if (mode === 'echo') {
    let pending = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      let out = null;
      let n = 0;
      while (buf.length - off >= 4) {
        const size = buf.readInt32BE(off);
        if (buf.length - off - 4 < size) break;
        if (!out) out = Buffer.allocUnsafe(8 * 64);
        if (n * 8 === out.length) {
          sock.write(out);
          out = Buffer.allocUnsafe(8 * 64);
          n = 0;
        }
        out.writeInt32BE(4, n * 8);
        out.writeInt32BE(buf.readInt32BE(off + 8), n * 8 + 4); // correlation id
        n++;
        off += 4 + size;
      }
      if (out && n > 0) sock.write(out.subarray(0, n * 8));
      pending = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
    });
    sock.on('error', () => {});
    return;
  }
  const fd = (mode === 'append' || mode === 'ack' || mode === 'relay') && file ? openSync(file, 'a') : -1;
  sock.on('close', () => {
    if (fd >= 0 && mode !== 'append') closeSync(fd);
  });
  sock.on('error', () => {});
  if (mode === 'relay') {
    sock.on('data', (chunk) => {
      if (fd >= 0) appendAll(fd, chunk);
      sock.write(chunk);
    });
    return;
  }
  if (mode === 'ack') {
    // Frame boundaries from the heads only: [size 4][api key 2][api version 2][correlation id 4].
    const head = Buffer.alloc(12);
    let headLen = 0;
    let left = 0; // bytes of the current frame after its head still to come
    let corr = 0;
    sock.on('data', (chunk) => {
      if (fd >= 0) appendAll(fd, chunk);
      const acks = [];
      let off = 0;
      while (off < chunk.length) {
        if (left > 0) {
          const take = Math.min(left, chunk.length - off);
          left -= take;
          off += take;
          if (left === 0) acks.push(corr);
          continue;
        }
        const take = Math.min(12 - headLen, chunk.length - off);
        chunk.copy(head, headLen, off, off + take);
        headLen += take;
        off += take;
        if (headLen === 12) {
          headLen = 0;
          corr = head.readInt32BE(8);
          left = head.readInt32BE(0) - 8;
          if (left <= 0) acks.push(corr);
        }
      }
      if (acks.length === 0) return;
      const out = Buffer.allocUnsafe(8 * acks.length);
      for (let i = 0; i < acks.length; i++) {
        out.writeInt32BE(4, 8 * i);
        out.writeInt32BE(acks[i], 8 * i + 4);
      }
      sock.write(out);
    });
    return;
  }
  sock.on('data', (chunk) => {
    if (first === 0) first = performance.now();
    if (fd >= 0) appendAll(fd, chunk);
    bytes += chunk.length;
  });
  sock.on('end', () => {
    const ms = performance.now() - first;
    if (fd >= 0) closeSync(fd);
    sock.end(JSON.stringify({ bytes, ms }) + '\n');
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
