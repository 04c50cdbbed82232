#!/usr/bin/env node
// Loads a built samsa-native .node file in this process and checks a few answers against
// JavaScript computed here: the binary loads on this OS / libc / CPU (Node-API symbols resolved,
// whatever mechanism the platform uses) and computes CRC-32C right. Needs nothing but node, so
// it runs in bare node:*-alpine / -slim containers and on every runner of the build matrix.
// Usage: node scripts/smoke-native.mjs <file.node>
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: smoke-native.mjs <file.node>');
  process.exit(2);
}

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit: slow and obviously right.
function crc32c(buf) {
  let crc = 0xffffffff;
  for (const byte of buf) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const require = createRequire(import.meta.url);
const addon = require(resolve(file));
const problems = [];
for (const fn of ['crc32c', 'scanBatches', 'stampBatch', 'setLogAppendTime']) {
  if (typeof addon[fn] !== 'function') problems.push(`${fn} is not exported`);
}
const check = (name, buf) => {
  const got = addon.crc32c(buf) >>> 0;
  const want = crc32c(buf);
  if (got !== want) problems.push(`crc32c(${name}) = ${got.toString(16)}, expected ${want.toString(16)}`);
};
// The check value of the CRC-32C catalogue.
if (addon.crc32c(Buffer.from('123456789')) >>> 0 !== 0xe3069283) problems.push('crc32c("123456789") is not e3069283');
let seed = 0x9e3779b9;
const random = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    b[i] = seed & 0xff;
  }
  return b;
};
for (const n of [0, 1, 7, 8, 63, 64, 1000, 4096 + 3, 65536 + 17]) check(`${n} random bytes`, random(n));
// Unaligned views, through every lane of the interleaved paths.
const big = random(200_003);
for (const start of [1, 3, 5, 7]) check(`a view at offset ${start}`, big.subarray(start, big.length - start));

console.log(
  `${file}: loaded; version ${addon.version}, crc32c ${addon.crc32cImplementation}, scan layout ${addon.scanLayout}; node ${process.version} ${process.platform}-${process.arch}`,
);
for (const p of problems) console.log(`  problem: ${p}`);
process.exitCode = problems.length === 0 ? 0 : 1;
