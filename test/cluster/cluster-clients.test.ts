// requires: python-kafka
// More real clients on a 3-broker startCluster: @platformatic/kafka produces acks=all to an RF=3
// topic; a partition's leader is killed; kafka-python (2.0.2) then produces to the new leaders and
// reads every partition back from offset 0: all records, once, in order. (@platformatic/kafka
// 1.35 retries a send on the broker it first chose, so a send in flight across a kill fails in
// the client; its records before the kill are what it contributes here.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Producer } from '@platformatic/kafka';
import { startCluster } from '../../src/index.js';
import { runPythonJson } from '../clients/helpers.js';

const TOPIC = 'many-clients';

async function until<T>(what: string, fn: () => T | null | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('@platformatic/kafka writes, a leader is killed, kafka-python writes to the new leaders and reads everything back', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cluster-clients-'));
  const producer = new Producer({
    clientId: 'plat-cluster',
    bootstrapBrokers: cluster.bootstrap.split(','),
    retries: 10,
    retryDelay: 200,
    timeout: 20_000,
    autocreateTopics: false,
  });
  try {
    const b0 = cluster.broker(0);
    await b0.metadata.createTopicAsync({ name: TOPIC, numPartitions: 3, replicationFactor: 3 });
    await until('every broker sees the topic', () => cluster.brokers().every((b) => b.metadata.topic(TOPIC)));
    const expected: string[][] = [[], [], []];
    const send = async (tag: string) => {
      const messages = Array.from({ length: 12 }, (_, i) => ({ topic: TOPIC, partition: i % 3, value: Buffer.from(`${tag}-${i}`) }));
      await producer.send({ messages, acks: -1 });
      for (const m of messages) expected[m.partition]!.push(m.value.toString());
    };
    await send('before');
    const leader = b0.metadata.topic(TOPIC)!.partitions[0]!.leader;
    await cluster.killBroker(leader);
    const survivor = cluster.brokers()[0]!;
    await until('partition 0 led elsewhere', () => {
      const p = survivor.metadata.topic(TOPIC)!.partitions[0]!;
      return p.leader >= 0 && p.leader !== leader;
    });
    const spec = {
      partitions: 3,
      messages: [0, 1, 2].map((p) => ({ partition: p, key: null, value: Buffer.from(`python-${p}`).toString('hex'), headers: [], timestamp: Date.now() })),
      seeks: [],
      times: [],
    };
    for (const p of [0, 1, 2]) expected[p]!.push(`python-${p}`);
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const live = cluster
      .brokers()
      .map((b) => b.bootstrap)
      .join(',');
    const out = await runPythonJson<{ error?: string; all: Array<{ partition: number; offset: number; value: string | null }> }>('data_kafka_python.py', [
      live,
      TOPIC,
      specPath,
    ]);
    assert.is(out.error, undefined, out.error);
    for (const p of [0, 1, 2]) {
      const got = out.all.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset);
      assert.equal(
        got.map((r) => Buffer.from(r.value ?? '', 'hex').toString()),
        expected[p],
        `partition ${p}: every record once and in order`,
      );
    }
  } finally {
    await producer.close().catch(() => undefined);
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
