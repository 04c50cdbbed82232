// Bad record batches through a real samsa broker (in memory), sent with samsa's own client: each
// Produce request carries one corrupted batch for partition 0 and one good batch for partition 1.
// The bad partition gets Kafka's error code for that corruption, the good one is appended in the
// same request, and nothing of the bad batch is ever written (ListOffsets latest unchanged, Fetch
// returns only the good data). Run at Produce v3 (oldest), v8 (first with record errors) and v12.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { computeBatchCrc } from '../../src/protocol/records/stamp.js';
import {
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  MAGIC_OFFSET,
  RECORD_COUNT_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  RECORDS_OFFSET,
} from '../../src/protocol/records/layout.js';
import { connectClient, createTopic, fetchAll, listOffset, produceRaw, LATEST } from './helpers.js';

const TOPIC = 'bad-input';
const MAX_MESSAGE_BYTES = 10_000;
const AFTER_MAX_MS = 60_000; // records may be at most one minute in the future
const BEFORE_MAX_MS = 3_600_000; // and at most one hour in the past

let broker: Broker;
let client: ClientConnection;
const baseline = [Buffer.from('base-0'), Buffer.from('base-1'), Buffer.from('base-2')];
const goodValues: string[] = [];

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  await createTopic(client, TOPIC, 2, {
    'max.message.bytes': String(MAX_MESSAGE_BYTES),
    'message.timestamp.after.max.ms': String(AFTER_MAX_MS),
    'message.timestamp.before.max.ms': String(BEFORE_MAX_MS),
  });
  const [r] = await produceRaw(client, TOPIC, [{ index: 0, records: buildBatch(baseline.map((value) => ({ key: null, value }))) }], { acks: -1 });
  assert.equal([r!.errorCode, r!.baseOffset], [0, 0], 'baseline batch on partition 0');
});

test.after(async () => {
  client?.close();
  await broker?.close();
});

function records(n: number, prefix = 'bad'): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`${prefix}-k${i}`),
    value: Buffer.from(`${prefix}-v${i}`),
    headers: [{ key: 'h', value: Buffer.from('x') }],
  }));
}

function good(): Buffer {
  return buildBatch(records(3));
}

// Rewrites the CRC after an edit, so that the edit itself is what the broker must catch.
function recrc(b: Buffer): Buffer {
  b.writeUInt32BE(computeBatchCrc(b, 0), CRC_OFFSET);
  return b;
}

interface Case {
  name: string;
  make: () => Buffer;
  code: number;
}

const CASES: Case[] = [
  {
    name: 'a flipped byte in a record value (CRC no longer matches)',
    make: () => {
      const b = good();
      b[b.length - 5]! ^= 0xff;
      return b;
    },
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'a wrong CRC field',
    make: () => {
      const b = good();
      b.writeUInt32BE((b.readUInt32BE(CRC_OFFSET) + 1) >>> 0, CRC_OFFSET);
      return b;
    },
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'batchLength pointing 100 bytes past the end of the records',
    make: () => {
      const b = good();
      b.writeInt32BE(b.readInt32BE(BATCH_LENGTH_OFFSET) + 100, BATCH_LENGTH_OFFSET);
      return b;
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a 2 GiB batchLength (0x7fffffff)',
    make: () => {
      const b = good();
      b.writeInt32BE(0x7fffffff, BATCH_LENGTH_OFFSET);
      return b;
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a negative batchLength (-1)',
    make: () => {
      const b = good();
      b.writeInt32BE(-1, BATCH_LENGTH_OFFSET);
      return b;
    },
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'a batch cut short (the first 40 bytes only)',
    make: () => good().subarray(0, 40),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'recordCount one more than lastOffsetDelta + 1 (CRC recomputed)',
    make: () => {
      const b = good();
      b.writeInt32BE(4, RECORD_COUNT_OFFSET);
      return recrc(b);
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'recordCount and lastOffsetDelta both claim a record that is not there (CRC recomputed)',
    make: () => {
      const b = good();
      b.writeInt32BE(4, RECORD_COUNT_OFFSET);
      b.writeInt32BE(3, LAST_OFFSET_DELTA_OFFSET);
      return recrc(b);
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'recordCount and lastOffsetDelta both one short, a record left over (CRC recomputed)',
    make: () => {
      const b = good();
      b.writeInt32BE(2, RECORD_COUNT_OFFSET);
      b.writeInt32BE(1, LAST_OFFSET_DELTA_OFFSET);
      return recrc(b);
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'a recordCount that lies, CRC not recomputed',
    make: () => {
      const b = good();
      b.writeInt32BE(7, RECORD_COUNT_OFFSET);
      return b;
    },
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'recordCount 0 with no records (CRC recomputed)',
    make: () => {
      const b = Buffer.from(good().subarray(0, RECORDS_OFFSET));
      b.writeInt32BE(RECORDS_OFFSET - 12, BATCH_LENGTH_OFFSET);
      b.writeInt32BE(0, RECORD_COUNT_OFFSET);
      b.writeInt32BE(-1, LAST_OFFSET_DELTA_OFFSET);
      return recrc(b);
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'magic 0',
    make: () => {
      const b = good();
      b[MAGIC_OFFSET] = 0;
      return b;
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'magic 1',
    make: () => {
      const b = good();
      b[MAGIC_OFFSET] = 1;
      return b;
    },
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'magic 3 (unknown)',
    make: () => {
      const b = good();
      b[MAGIC_OFFSET] = 3;
      return b;
    },
    code: ErrorCode.CORRUPT_MESSAGE,
  },
  {
    name: 'a baseOffset other than 0',
    make: () => buildBatch(records(2), { baseOffset: 42 }),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: 'two batches for one partition',
    make: () => Buffer.concat([good(), good()]),
    code: ErrorCode.INVALID_RECORD,
  },
  {
    name: `a batch larger than max.message.bytes (${MAX_MESSAGE_BYTES})`,
    make: () => buildBatch([{ key: null, value: Buffer.alloc(MAX_MESSAGE_BYTES * 2, 1) }]),
    code: ErrorCode.MESSAGE_TOO_LARGE,
  },
  {
    name: 'timestamps ten minutes in the future (message.timestamp.after.max.ms = 60000)',
    make: () => buildBatch(records(2), { timestamp: Date.now() + 10 * 60_000 }),
    code: ErrorCode.INVALID_TIMESTAMP,
  },
  {
    name: 'timestamps two hours in the past (message.timestamp.before.max.ms = 3600000)',
    make: () => buildBatch(records(2), { timestamp: Date.now() - 2 * 3_600_000 }),
    code: ErrorCode.INVALID_TIMESTAMP,
  },
  {
    name: 'only the second record in the future',
    make: () => {
      const now = Date.now();
      return buildBatch(records(3).map((r, i) => ({ ...r, timestamp: i === 1 ? now + 10 * 60_000 : now })));
    },
    code: ErrorCode.INVALID_TIMESTAMP,
  },
];

const VERSIONS = [3, 8, 12];

for (const v of VERSIONS) {
  for (const c of CASES) {
    test(`Produce v${v}: ${c.name} -> ${c.code} on that partition; the good partition is appended`, async () => {
      const p1Before = (await listOffset(client, TOPIC, 1, LATEST)).offset;
      const value = `good v${v} ${c.name}`;
      const res = await produceRaw(
        client,
        TOPIC,
        [
          { index: 0, records: c.make() },
          { index: 1, records: buildBatch([{ key: Buffer.from('good'), value: Buffer.from(value) }]) },
        ],
        { acks: -1, version: v },
      );
      const bad = res.find((r) => r.index === 0)!;
      const ok = res.find((r) => r.index === 1)!;
      assert.is(bad.errorCode, c.code, `bad partition: got error ${bad.errorCode} (${bad.errorMessage})`);
      assert.is(bad.baseOffset, -1, 'no offset for the rejected batch');
      assert.equal([ok.errorCode, ok.baseOffset], [0, p1Before], 'the good partition in the same request');
      goodValues.push(value);
      assert.is((await listOffset(client, TOPIC, 0, LATEST)).offset, baseline.length, 'partition 0 log end unchanged');
    });
  }
}

test('Produce v8+: an out-of-range timestamp names the offending record in record_errors (batch index 1), as Kafka does', async () => {
  const now = Date.now();
  const batch = buildBatch(records(3).map((r, i) => ({ ...r, timestamp: i === 1 ? now + 10 * 60_000 : now })));
  const [r] = await produceRaw(client, TOPIC, [{ index: 0, records: batch }], { acks: -1, version: 8 });
  assert.is(r!.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.equal(
    r!.recordErrors.map((e) => e.batchIndex),
    [1],
    `record_errors ${JSON.stringify(r!.recordErrors)}`,
  );
});

test('nothing bad was written: partition 0 holds only the baseline, partition 1 exactly the good batches in order', async () => {
  const p0 = await fetchAll(client, TOPIC, 0);
  assert.is(p0.highWatermark, baseline.length);
  assert.equal(
    p0.records.map((r) => [r.offset, r.value!.toString()]),
    baseline.map((b, i) => [i, b.toString()]),
  );
  const p1 = await fetchAll(client, TOPIC, 1);
  assert.is(p1.highWatermark, goodValues.length);
  assert.equal(
    p1.records.map((r) => [r.offset, r.value!.toString()]),
    goodValues.map((v, i) => [i, v]),
  );
});

test('the connection is still usable and a good batch to partition 0 lands right after the baseline', async () => {
  const [r] = await produceRaw(client, TOPIC, [{ index: 0, records: good() }], { acks: 1 });
  assert.equal([r!.errorCode, r!.baseOffset], [0, baseline.length]);
});

test.run();
