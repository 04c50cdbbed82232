#!/usr/bin/env node
// Ceiling server for the consume benchmark: the least a broker could do to serve a log. To each
// connection it sends the bytes of FILE... (samsa's segments, in order), read with fs.read into
// fresh CHUNK-byte buffers (a Fetch response's partition_max_bytes, 10 MiB) and written to the
// socket in order, respecting backpressure, with up to DEPTH reads in flight (1 = read, write,
// read...; more = read ahead, as a broker serving several pipelined fetches may); then it closes
// the connection.
// Usage: file-source.mjs CHUNK DEPTH FILE... Prints {"port":N} once listening on 127.0.0.1.
import { createServer } from 'node:net';
import { open } from 'node:fs/promises';

const [chunkArg, depthArg, ...files] = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: file-source.mjs CHUNK_BYTES DEPTH FILE...');
  process.exit(2);
}
const CHUNK = Number(chunkArg);
const DEPTH = Math.max(1, Number(depthArg));

const server = createServer(async (sock) => {
  sock.setNoDelay(true);
  sock.on('error', () => {});
  try {
    for (const file of files) {
      const fh = await open(file, 'r');
      try {
        const { size } = await fh.stat();
        const reads = [];
        let next = 0;
        const issue = () => {
          while (reads.length < DEPTH && next < size) {
            const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - next));
            reads.push(fh.read(buf, 0, buf.length, next).then(({ bytesRead }) => buf.subarray(0, bytesRead)));
            next += buf.length;
          }
        };
        issue();
        while (reads.length > 0) {
          const buf = await reads.shift();
          issue();
          if (!sock.write(buf)) await new Promise((r) => sock.once('drain', r));
        }
      } finally {
        await fh.close();
      }
    }
  } finally {
    sock.end();
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
