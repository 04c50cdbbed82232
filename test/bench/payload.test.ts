// samsa bench's prepared batches: --batch-size bounds the record batch as the Java producer's
// batch.size does (as many records as fit, at least one), exactly, so setting it to
// max.message.bytes never draws MESSAGE_TOO_LARGE.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Payload } from '../../src/bench/payload.js';
import type { BenchConfig } from '../../src/bench/types.js';

async function batches(recordSize: BenchConfig['recordSize'], batchSize: number, keyCardinality = 0) {
  const cfg = { topic: 't', recordSize, keyCardinality, batchSize, compression: 'none' } as BenchConfig;
  const payload = new Payload(cfg, 12, 1, 4);
  const partitions = payload.sendablePartitions([0, 1, 2, 3]);
  await payload.prepare(partitions);
  const out = [];
  for (const p of partitions) for (let i = 0; i < 8; i++) out.push(await payload.take(p));
  return out;
}

for (const [name, size, batchSize, keys] of [
  ['100 B records, 16 KiB', { min: 100, max: 100 }, 16384, 0],
  ['100 B records, 1 MiB (offset deltas take 3 bytes)', { min: 100, max: 100 }, 1048576, 0],
  ['1 KiB records, 1 MiB', { min: 1024, max: 1024 }, 1048576, 0],
  ['keyed records of 10-5000 B, 64 KiB', { min: 10, max: 5000 }, 65536, 1000],
] as const) {
  test(`a batch never exceeds --batch-size and is nearly full: ${name}`, async () => {
    for (const b of await batches(size, batchSize, keys)) {
      assert.ok(b.batchBytes <= batchSize, `batch of ${b.batchBytes} bytes > ${batchSize}`);
      // Not full only by less than one more record could take.
      assert.ok(b.batchBytes > batchSize - (size.max + 20 + (keys ? 10 : 0)), `batch of ${b.batchBytes} bytes is not full (${batchSize})`);
    }
  });
}

test('one record larger than --batch-size still makes a batch of one', async () => {
  for (const b of await batches({ min: 4000, max: 4000 }, 1024)) {
    assert.is(b.records, 1);
    assert.ok(b.batchBytes > 1024);
  }
});

test('records above 1 MiB are as large as asked (values are cut from letters that hold them whole)', async () => {
  for (const b of await batches({ min: 2_000_000, max: 2_000_000 }, 16384)) {
    assert.is(b.records, 1);
    // 61-byte batch header + a record of 13 bytes of framing (length, attributes, deltas, lengths) and the value.
    assert.is(b.batchBytes, 2_000_074);
  }
});

test.run();
