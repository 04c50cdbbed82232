// CRC-32C: published check values, agreement with a bit-at-a-time reference on every length and
// alignment, streaming through `init`, and the CRC stored in every record batch that real clients
// sent to a real Kafka 4.1 broker (../shared/kafka-golden).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GOLDEN_DIR, goldenTest } from '../golden-captures.js';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { CODECS, HEADERS } from '../../src/protocol/generated/index.js';
import { Reader } from '../../src/protocol/primitives/index.js';
import { requestHeaderVersion } from '../../src/protocol/headers.js';

function reference(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

test('check values', () => {
  assert.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.is(crc32c(Buffer.alloc(32)), 0x8a9136aa);
  assert.is(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  // RFC 3720 B.4: 32 bytes ascending / descending.
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  assert.is(crc32c(Buffer.alloc(0)), 0);
});

test('slicing-by-8 equals the bitwise reference for every length 0..300 and offsets 0..8', () => {
  const data = Uint8Array.from({ length: 320 }, (_, i) => (i * 151 + 7) & 0xff);
  for (let off = 0; off <= 8; off++) {
    for (let len = 0; off + len <= 308 && len <= 300; len++) {
      assert.is(crc32c(data, off, off + len), reference(data.subarray(off, off + len)), `off ${off} len ${len}`);
    }
  }
});

test('init continues a running checksum; results are unsigned', () => {
  const b = Buffer.from('The quick brown fox jumps over the lazy dog, again and again and again');
  for (let k = 0; k <= b.length; k++) {
    assert.is(crc32c(b, k, b.length, crc32c(b, 0, k)), crc32c(b));
  }
  const r = crc32c(Buffer.from('123456789'));
  assert.ok(r > 0x7fffffff && Number.isInteger(r));
});

test('out-of-range bounds are clamped, never thrown', () => {
  const b = Buffer.from('123456789');
  assert.is(crc32c(b, -5, 100), 0xe3069283);
  assert.is(crc32c(b, 5, 2), 0);
});

goldenTest(test, 'the CRC stored in every golden Produce batch matches', () => {
  let batches = 0;
  for (const file of readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(GOLDEN_DIR, file), 'utf8').split('\n')) {
      if (!line) continue;
      const f = JSON.parse(line);
      if (f.dir !== 'request' || f.apiKey !== 0) continue;
      const r = new Reader(Buffer.from(f.hex, 'hex'));
      HEADERS.RequestHeader.decode(r, requestHeaderVersion(0, f.apiVersion));
      const req = CODECS.get(0)!.request.decode(r, f.apiVersion);
      for (const t of req.topicData) {
        for (const p of t.partitionData) {
          const rec: Buffer = p.records;
          for (let pos = 0; pos < rec.length;) {
            const size = rec.readInt32BE(pos + 8) + 12;
            assert.is(crc32c(rec, pos + 21, pos + size), rec.readUInt32BE(pos + 17), `${file} batch at ${pos}`);
            pos += size;
            batches++;
          }
        }
      }
    }
  }
  assert.ok(batches >= 20, `found ${batches} golden batches`);
});

test.run();
