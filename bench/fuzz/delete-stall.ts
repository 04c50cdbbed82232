// The fuzz soak's stall alone (issue 11): DeleteTopics of one topic with thousands of partitions
// on a disk broker, while fresh clients (connect, ApiVersions, Metadata) arrive every 50 ms.
// Reports, for the CreateTopics that makes the topic and for the DeleteTopics, how long the event
// loop was held at most and how fresh clients fared. Bounded: one create, one delete.
//   node --import tsx bench/fuzz/delete-stall.ts [--partitions 8000]
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { DeleteTopicsRequest } from '../../src/protocol/generated/delete-topics-request.js';
import { DeleteTopicsResponse } from '../../src/protocol/generated/delete-topics-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';

const { values: a } = parseArgs({ options: { partitions: { type: 'string', default: '8000' } } });
const partitions = Number(a.partitions); // at most 9,999: Kafka 4's limit per request

const dataDir = mkdtempSync(join(tmpdir(), 'samsa-delete-stall-'));
const broker = await startBroker({ port: 0, dataDir, logLevel: 'warn' });
const conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'delete-stall' });
await conn.negotiate();
const create = async (name: string, n: number) => {
  const r = await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: [{ name, numPartitions: n, replicationFactor: -1, assignments: [], configs: [] }],
    timeoutMs: 120_000,
    validateOnly: false,
  });
  if (r.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${name}: error ${r.topics[0]!.errorCode}`);
};
await create('small', 1);

// While `work` runs: the longest stretch the event loop (the broker's, which this process shares)
// was held, and fresh clients (connect, ApiVersions, Metadata) one after another, 50 ms apart.
async function during(label: string, work: () => Promise<string>): Promise<void> {
  let last = performance.now();
  let maxGap = 0;
  const gaps = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const probeMs: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const t0 = performance.now();
      const c = await ClientConnection.connect(broker.host, broker.port, { clientId: 'fresh' });
      await c.negotiate();
      await c.send(MetadataRequest, MetadataResponse, 12, {
        topics: [{ name: 'small' }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      });
      c.close();
      probeMs.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const t = performance.now();
  const what = await work();
  const ms = performance.now() - t;
  probing = false;
  await prober;
  clearInterval(gaps);
  probeMs.sort((x, y) => x - y);
  console.log(`${label}: ${what}, ${ms.toFixed(0)} ms in all`);
  console.log(
    `  event loop held at most ${maxGap.toFixed(0)} ms; fresh clients meanwhile: ${probeMs.length}, slowest ${(probeMs.at(-1) ?? NaN).toFixed(0)} ms, median ${(probeMs[probeMs.length >> 1] ?? NaN).toFixed(0)} ms`,
  );
}

const left = () => readdirSync(dataDir).filter((n) => n.startsWith('big-')).length;
await during(`CreateTopics 'big', ${partitions} partitions`, async () => {
  await create('big', partitions);
  return 'answered';
});
await during(`DeleteTopics 'big'`, async () => {
  const t = performance.now();
  const res = await conn.send(DeleteTopicsRequest, DeleteTopicsResponse, 6, { topics: [{ name: 'big', topicId: ZERO_UUID }], timeoutMs: 120_000 });
  const answered = `answered in ${(performance.now() - t).toFixed(0)} ms (error ${res.responses[0]!.errorCode}) with ${left()} directories left`;
  while (left() > 0) await new Promise((r) => setTimeout(r, 20));
  return `${answered}, all gone after ${(performance.now() - t).toFixed(0)} ms`;
});
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
conn.close();
await broker.close();
rmSync(dataDir, { recursive: true, force: true });
