// requires: ckjs
// KIP-467 with a real client: librdkafka 2.15 (@confluentinc/kafka-javascript) produces one
// batch of keyed and keyless records to a compacted topic. Kafka refuses the batch and names every
// keyless record in record_errors; librdkafka then fails exactly those with INVALID_RECORD and the
// keyed ones with its local _INVALID_DIFFERENT_RECORD ("an invalid record in the same batch caused
// the failure of this message too"). When only the first keyless record was named, librdkafka
// blamed the other keyless ones on it. Plain and lz4 batches; nothing is stored.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ckjs } from '../groups/ckjs-helpers.js';
import { connectClient, createTopic, listOffset, withTimeout, LATEST } from './helpers.js';

const INVALID_RECORD = 87;
const INVALID_DIFFERENT_RECORD = -138; // librdkafka's RD_KAFKA_RESP_ERR__INVALID_DIFFERENT_RECORD
const COUNT = 10;
const keyless = (i: number) => i % 3 === 1;

let broker: Broker;
let client: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  client = await connectClient(broker.bootstrap);
});

test.after(async () => {
  client?.close();
  await broker?.close();
});

interface Report {
  i: number;
  code: number;
}

// Sends COUNT records in one batch (linger) and resolves with every delivery report.
function produceBatch(topic: string, codec: string): Promise<Report[]> {
  return new Promise((resolve, reject) => {
    const p = new ckjs.Producer({
      'bootstrap.servers': broker.bootstrap,
      'linger.ms': 200,
      'compression.codec': codec,
      'message.timeout.ms': 15_000,
      'enable.idempotence': false,
      dr_cb: true,
    });
    const reports: Report[] = [];
    p.on('delivery-report', (err: { code: number } | null, r: { opaque: number }) => {
      reports.push({ i: r.opaque, code: err ? err.code : 0 });
      if (reports.length === COUNT) {
        p.disconnect();
        resolve(reports.sort((a, b) => a.i - b.i));
      }
    });
    p.on('event.error', reject);
    p.setPollInterval(20);
    p.on('ready', () => {
      for (let i = 0; i < COUNT; i++) p.produce(topic, 0, Buffer.from(`value-${i}`), keyless(i) ? null : Buffer.from(`key-${i}`), null, i);
    });
    p.connect();
  });
}

for (const codec of ['none', 'lz4']) {
  test(`${codec}: only the keyless records fail with INVALID_RECORD`, async () => {
    const topic = `compacted-${codec}`;
    await createTopic(client, topic, 1, { 'cleanup.policy': 'compact' });
    const reports = await withTimeout(produceBatch(topic, codec), 30_000, 'delivery reports');
    assert.equal(
      reports.map((r) => [r.i, r.code]),
      Array.from({ length: COUNT }, (_, i) => [i, keyless(i) ? INVALID_RECORD : INVALID_DIFFERENT_RECORD]),
    );
    assert.is((await listOffset(client, topic, 0, LATEST)).offset, 0, 'the batch was refused whole, as Kafka refuses it');
  });
}

test.run();
