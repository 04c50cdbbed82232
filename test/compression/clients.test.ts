// requires: kcat, python-kafka
// Batches that samsa compressed itself are read by real clients: for each codec, batches built
// with buildBatch and compressed with compressBatch (and one rebuilt by recompressBatch from a
// gzip batch, as compression.type conversion does) are produced to a samsa broker with samsa's
// own client; samsa stores them as sent, then kcat (librdkafka 2.0.2), kafka-python 2.0.2 and
// confluent-kafka 1.7.0 (librdkafka) consume them from the beginning without a group and must
// return every record with its key, value, headers and offset.
// kafka-python needs python3-lz4, python3-snappy and python3-zstandard for lz4/snappy/zstd.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';
import { compressBatch, compressBatchSync, recompressBatch, type TargetCodec } from '../../src/compression/index.js';
import { run, PYTHON } from '../clients/helpers.js';
import { connectClient, createTopic, fetchAll, produceRaw } from '../data-path/helpers.js';
import { fileURLToPath } from 'node:url';

const CODECS = [1, 2, 3, 4] as const;
const NAMES = ['', 'gzip', 'snappy', 'lz4', 'zstd'];
const SEP = '\u0001';
const PY_SCRIPT = fileURLToPath(new URL('./py/consume_all.py', import.meta.url));

interface Expected {
  offset: number;
  key: string | null;
  value: string | null;
  headers: Array<[string, string | null]>;
}

let broker: Broker;
let client: ClientConnection;
const expected = new Map<string, Expected[]>();
const topicOf = (codec: number): string => `samsa-compressed-${NAMES[codec]}`;

function records(codec: number, batch: number, n: number, big: boolean): BuildRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 10 === 9 ? null : Buffer.from(`${NAMES[codec]}-b${batch}-k${i}`),
    value: Buffer.from(JSON.stringify({ codec: NAMES[codec], batch, i, user: `user-${(i * 7919) % 1000}`, pad: big ? 'x'.repeat(200 + (i % 500)) : '' })),
    headers:
      i % 3 === 0
        ? [
            { key: 'src', value: Buffer.from('samsa') },
            { key: 'i', value: Buffer.from(String(i)) },
          ]
        : [],
  }));
}

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
  for (const codec of CODECS) {
    const topic = topicOf(codec);
    await createTopic(client, topic, 1);
    // ~90 KiB (several 32 KiB xerial snappy blocks), ~600 KiB (several lz4 frame blocks), and
    // 3 small records rebuilt from a gzip batch by recompressBatch.
    const plans: Array<[BuildRecord[], (b: Buffer) => Promise<Buffer>]> = [
      [records(codec, 0, 300, false), (b) => compressBatch(b, codec as TargetCodec)],
      [records(codec, 1, 1500, true), (b) => compressBatch(b, codec as TargetCodec)],
      [records(codec, 2, 3, false), (b) => recompressBatch(compressBatchSync(b, 1), 0, codec as TargetCodec)],
    ];
    const exp: Expected[] = [];
    const sent: Buffer[] = [];
    for (const [recs, make] of plans) {
      const batch = await make(buildBatch(recs));
      assert.is(batch[22]! & 7, codec);
      const [res] = await produceRaw(client, topic, [{ index: 0, records: batch }]);
      assert.is(res!.errorCode, 0, `produce ${NAMES[codec]}: ${res!.errorMessage}`);
      recs.forEach((r, i) =>
        exp.push({
          offset: res!.baseOffset + i,
          key: r.key && r.key.toString(),
          value: r.value && r.value.toString(),
          headers: (r.headers ?? []).map((h) => [h.key, h.value && h.value.toString()]),
        }),
      );
      sent.push(batch);
    }
    expected.set(topic, exp);
    // samsa stores the batches as sent (only baseOffset and partitionLeaderEpoch stamped).
    const fetched = await fetchAll(client, topic, 0);
    assert.equal(
      fetched.batches.map((b) => b.bytes.subarray(12 + 4 + 1)),
      sent.map((b) => b.subarray(17)),
      `${NAMES[codec]}: stored as sent`,
    );
  }
});

test.after(async () => {
  client?.close();
  await broker?.close();
});

function check(topic: string, got: Expected[], who: string): void {
  const want = expected.get(topic)!;
  assert.is(got.length, want.length, `${who} ${topic}: ${got.length} of ${want.length} records`);
  for (let i = 0; i < want.length; i++) assert.equal(got[i], want[i], `${who} ${topic} record ${i}`);
}

test('kcat (librdkafka 2.0.2) -C -o beginning -e reads every record samsa compressed, each codec', async () => {
  for (const codec of CODECS) {
    const topic = topicOf(codec);
    const r = await run(
      'kcat',
      ['-b', broker.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-Z', '-f', `%o${SEP}%k${SEP}%s${SEP}%h\n`],
      60_000,
    );
    assert.is(r.code, 0, `kcat ${NAMES[codec]}: ${r.stderr}`);
    const got = r.stdout
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l): Expected => {
        const [o, k, v, h] = l.split(SEP);
        // kcat prints a null key as NULL with -Z; headers as k=v,k=v.
        return {
          offset: Number(o),
          key: k === 'NULL' ? null : k!,
          value: v === 'NULL' ? null : v!,
          headers: h ? h.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]) : [],
        };
      });
    check(topic, got, 'kcat');
  }
});

async function python(clientName: string): Promise<Record<string, Array<[number, string | null, string | null, Array<[string, string | null]>]>>> {
  const topics = CODECS.map(topicOf);
  const r = await run(PYTHON, [PY_SCRIPT, clientName, broker.bootstrap, ...topics], 150_000);
  assert.is(r.code, 0, `${clientName}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('kafka-python 2.0.2 (assign + seek, no group) reads every record samsa compressed, each codec', async () => {
  const libs = await run(PYTHON, ['-c', 'import lz4.frame, snappy, zstandard'], 30_000);
  assert.is(libs.code, 0, `kafka-python's codecs are missing: apt-get install python3-lz4 python3-snappy python3-zstandard\n${libs.stderr}`);
  const got = await python('kafka-python');
  for (const codec of CODECS) {
    const topic = topicOf(codec);
    check(
      topic,
      got[topic]!.map(([offset, key, value, headers]) => ({ offset, key, value, headers })),
      'kafka-python',
    );
  }
});

test('confluent-kafka 1.7.0 (librdkafka, assign from the beginning) reads every record samsa compressed, each codec', async () => {
  const got = await python('confluent');
  for (const codec of CODECS) {
    const topic = topicOf(codec);
    check(
      topic,
      got[topic]!.map(([offset, key, value, headers]) => ({ offset, key, value, headers })),
      'confluent-kafka',
    );
  }
});

test.run();
