// A batch whose header maxTimestamp is Long.MAX must never stop samsa from starting (issue 11,
// item 1). samsa runs as a child process in disk mode:
// 1. a data dir holding such a batch (as an older samsa stored it: an idempotent batch with a
//    valid CRC, appended to the active segment) survives kill -9: the index rebuild, the
//    producer-state replay and the snapshots written afterwards take the value, and every batch
//    is served as stored; a clean stop and another kill -9 restart fine too;
// 2. such a batch produced now is accepted with the records' own maxTimestamp (Kafka's
//    LogValidator), and the data dir restarts after kill -9.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { computeBatchCrc } from '../../src/protocol/records/stamp.js';
import { CRC_OFFSET, MAX_TIMESTAMP_OFFSET, PRODUCER_ID_OFFSET } from '../../src/protocol/records/layout.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { SamsaProcess, connectClient, createTopic, fetchAll, freePort, listOffset, produceRaw, LATEST } from './helpers.js';

const TOPIC = 'poison';
const LONG_MAX = 2n ** 63n - 1n;
let dir: string;
let port: number;
let samsa: SamsaProcess | null = null;
let client: ClientConnection | null = null;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-poison-'));
  port = await freePort();
});

test.after(async () => {
  client?.close();
  if (samsa) await samsa.stop('SIGKILL').catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<ClientConnection> {
  client?.close();
  samsa = new SamsaProcess(port, dir);
  await samsa.ready();
  client = await connectClient(samsa.bootstrap);
  return client;
}

function recs(prefix: string, n: number): BuildRecord[] {
  const t = Date.now();
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`${prefix}-${i}`), value: Buffer.from(`${prefix}-value-${i}`), timestamp: t + i }));
}

async function produceOk(c: ClientConnection, batch: Buffer, expectedOffset: number, what: string): Promise<void> {
  const [r] = await produceRaw(c, TOPIC, [{ index: 0, records: batch }], { acks: -1 });
  assert.equal([r!.errorCode, r!.errorMessage, r!.baseOffset], [0, null, expectedOffset], what);
}

async function keys(c: ClientConnection): Promise<string[]> {
  return (await fetchAll(c, TOPIC, 0)).records.map((r) => r.key!.toString());
}

test('a stored batch with maxTimestamp Long.MAX: restarts after kill -9 and a clean stop, serves everything', async () => {
  let c = await start();
  await createTopic(c, TOPIC, 1);
  await produceOk(c, buildBatch(recs('before', 3)), 0, 'first batch');
  await samsa!.stop('SIGKILL');

  // What an older samsa stored: offsets 3-4 stamped, an idempotent producer, Long.MAX in the header.
  const poisoned = buildBatch(recs('poisoned', 2), { baseOffset: 3, producerId: 4242, producerEpoch: 0, baseSequence: 0, partitionLeaderEpoch: 0 });
  poisoned.writeBigInt64BE(LONG_MAX, MAX_TIMESTAMP_OFFSET);
  poisoned.writeUInt32BE(computeBatchCrc(poisoned, 0), CRC_OFFSET);
  const logDir = join(dir, `${TOPIC}-0`);
  const segment = join(
    logDir,
    readdirSync(logDir)
      .filter((f) => f.endsWith('.log'))
      .sort()[0]!,
  );
  const sizeBefore = statSync(segment).size;
  appendFileSync(segment, poisoned);

  c = await start(); // rebuilds the active segment's indexes and replays the producer's batch
  assert.equal(await keys(c), ['before-0', 'before-1', 'before-2', 'poisoned-0', 'poisoned-1'], 'every batch is served after the restart');
  assert.is(statSync(segment).size, sizeBefore + poisoned.length, 'the stored batch was kept');
  const served = (await fetchAll(c, TOPIC, 0)).batches[1]!;
  assert.is(served.header.maxTimestamp, 2 ** 63, 'served as stored');
  await produceOk(c, buildBatch(recs('after', 2)), 5, 'append after the poisoned batch');

  // A clean stop writes the producer snapshot and the indexes; then kill -9 twice more.
  await samsa!.stop('SIGTERM');
  c = await start();
  await produceOk(c, buildBatch(recs('clean', 1)), 7, 'after a clean restart');
  await samsa!.stop('SIGKILL');
  c = await start();
  assert.equal((await keys(c)).length, 8);
  assert.is((await listOffset(c, TOPIC, 0, LATEST)).offset, 8);
  assert.not.match(samsa!.output, /RangeError/);
});

test("produced now, such a batch is stored with its records' maxTimestamp and the data dir restarts", async () => {
  let c = client!;
  const t = Date.now();
  const batch = buildBatch(recs('new-poison', 3));
  batch.writeBigInt64BE(LONG_MAX, MAX_TIMESTAMP_OFFSET);
  batch.writeUInt32BE(computeBatchCrc(batch, 0), CRC_OFFSET);
  await produceOk(c, batch, 8, 'Long.MAX header, valid records');
  await samsa!.stop('SIGKILL');
  c = await start();
  const last = (await fetchAll(c, TOPIC, 0, { from: 8 })).batches[0]!;
  assert.ok(last.header.maxTimestamp >= t && last.header.maxTimestamp < t + 60_000, `the records' timestamp, got ${last.header.maxTimestamp}`);
  assert.is((await listOffset(c, TOPIC, 0, LATEST)).offset, 11);
});

test('an idempotent batch from producer id Long.MAX: a clean stop writes its snapshot and exits 0', async () => {
  // Found by the fuzz soak: the producer snapshot written at a clean stop (and at a roll) threw on
  // the id, which reads back as 2^63, so the stop failed with exit 1.
  let c = client!;
  const batch = buildBatch(recs('max-producer', 2), { producerId: Number(LONG_MAX), producerEpoch: 0, baseSequence: 0 });
  batch.writeBigInt64BE(LONG_MAX, PRODUCER_ID_OFFSET); // exactly Long.MAX on the wire
  batch.writeUInt32BE(computeBatchCrc(batch, 0), CRC_OFFSET);
  await produceOk(c, batch, 11, 'producer id Long.MAX');
  const stopped = await samsa!.stop('SIGTERM');
  assert.equal(stopped, { code: 0, signal: null }, `clean stop: ${samsa!.output.slice(-2000)}`);
  c = await start();
  assert.is((await listOffset(c, TOPIC, 0, LATEST)).offset, 13);
  assert.not.match(samsa!.output, /RangeError/);
});

test.run();
