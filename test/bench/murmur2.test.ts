// murmur2 and the keyed-partition rule against Kafka's own test values (clients' UtilsTest
// .testMurmur2) and against kafkajs's Java-compatible murmur2 and DefaultPartitioner.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { murmur2, partitionForKey, toPositive } from '../../src/bench/murmur2.js';
import { KeySpace, weightedCycle } from '../../src/bench/keys.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;
const { Partitioners } = require('kafkajs') as {
  Partitioners: {
    DefaultPartitioner: () => (a: { topic: string; partitionMetadata: { partitionId: number; leader: number }[]; message: { key: Buffer } }) => number;
  };
};

test("Kafka's UtilsTest.testMurmur2 values", () => {
  const cases: [Buffer, number][] = [
    [Buffer.from('21'), -973932308],
    [Buffer.from('foobar'), -790332482],
    [Buffer.from('a-little-bit-long-string'), -985981536],
    [Buffer.from('a-little-bit-longer-string'), -1486304829],
    [Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'), -58897971],
    [Buffer.from('abc'), 479470107],
  ];
  for (const [key, want] of cases) assert.is(murmur2(key), want, key.toString());
});

test('same as kafkajs murmur2 for every length 0..64 and high bytes', () => {
  let x = 12345;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 16) & 0xff;
  for (let len = 0; len <= 64; len++)
    for (let k = 0; k < 20; k++) {
      const key = Buffer.from(Array.from({ length: len }, next));
      assert.is(murmur2(key), kafkajsMurmur2(key) | 0, `${key.toString('hex')}`);
    }
  // A sub-range hashes like the bytes alone.
  const big = Buffer.from('xxkey-42yy');
  assert.is(murmur2(big, 2, 8), murmur2(Buffer.from('key-42')));
});

test("partitionForKey matches kafkajs's DefaultPartitioner (Java's rule)", () => {
  const partitioner = Partitioners.DefaultPartitioner();
  for (const n of [1, 3, 4, 7, 64]) {
    const partitionMetadata = Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 0 }));
    for (let i = 0; i < 500; i++) {
      const key = Buffer.from(`key-${i}`);
      assert.is(partitionForKey(key, n), partitioner({ topic: 't', partitionMetadata, message: { key } }), `key-${i} over ${n}`);
    }
  }
  assert.is(toPositive(-1), 0x7fffffff);
  assert.is(toPositive(-2147483648), 0);
});

test('KeySpace: every key under the partition it hashes to, each exactly once', () => {
  const ks = new KeySpace(1000, 4, Math.random);
  const seen = new Set<number>();
  ks.byPartition.forEach((keys, p) => {
    for (const i of keys) {
      assert.is(partitionForKey(KeySpace.keyBytes(i), 4), p);
      seen.add(i);
    }
  });
  assert.is(seen.size, 1000);
  assert.equal(ks.partitions(), [0, 1, 2, 3]);
  // One key: one partition is written to.
  assert.is(new KeySpace(1, 8, Math.random).partitions().length, 1);
});

test('weightedCycle repeats partitions in proportion to their weights', () => {
  const w = new Map([
    [0, 30],
    [1, 10],
    [2, 0],
  ]);
  const c = weightedCycle([0, 1, 2], (p) => w.get(p)!);
  assert.is(c.filter((p) => p === 0).length, 30);
  assert.is(c.filter((p) => p === 1).length, 10);
  assert.is(c.filter((p) => p === 2).length, 1, 'a weight rounds up to at least one slot');
  assert.ok(c.length <= 1024);
  assert.ok(weightedCycle([5, 6], () => 1_000_000).length <= 1024);
});

test.run();
