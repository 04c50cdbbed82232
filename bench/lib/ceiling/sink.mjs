#!/usr/bin/env node
// Ceiling server for the produce and latency benchmarks: the least a broker could do with the
// bytes. Modes:
//   discard        count the bytes, nothing else
//   append FILE    append every chunk to FILE with fs.writeSync (what a log must at least do)
//   echo           answer every length-prefixed frame with an 8-byte frame: [size 4][correlation id]
// In discard and append modes, when the client half-closes, it answers one JSON line
// {"bytes":N,"ms":T} (T from the first byte to the last write) and closes.
// Prints {"port":N} once listening on 127.0.0.1. Stops on SIGTERM.
import { createServer } from 'node:net';
import { openSync, writeSync, closeSync } from 'node:fs';

const [mode = 'discard', file] = process.argv.slice(2);
if (!['discard', 'append', 'echo'].includes(mode) || (mode === 'append' && !file)) {
  console.error('usage: sink.mjs discard | append FILE | echo');
  process.exit(2);
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
  const fd = mode === 'append' ? openSync(file, 'a') : -1;
  sock.on('data', (chunk) => {
    if (first === 0) first = performance.now();
    if (fd >= 0) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    bytes += chunk.length;
  });
  sock.on('end', () => {
    const ms = performance.now() - first;
    if (fd >= 0) closeSync(fd);
    sock.end(JSON.stringify({ bytes, ms }) + '\n');
  });
  sock.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
