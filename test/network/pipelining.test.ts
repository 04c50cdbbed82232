// Pipelined requests on one connection: Produce releases the connection after its appends, so
// many requests are in flight at once, yet appends keep request order (an idempotent producer's
// sequences stay valid) and responses come back strictly in request order.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';

for (const storage of ['memory', 'disk'] as const) {
  test(`${storage}: 200 pipelined idempotent produces and metadata requests answer in order`, async () => {
    const dir =
      storage === 'disk'
        ? (await import('node:fs')).mkdtempSync((await import('node:path')).join((await import('node:os')).tmpdir(), 'samsa-pipe-'))
        : undefined;
    const broker = await startBroker({ port: 0, logLevel: 'silent', dataDir: dir });
    const c = await ClientConnection.connect('127.0.0.1', broker.port);
    try {
      await c.negotiate();
      await c.send(MetadataRequest, MetadataResponse, 12, { topics: [{ name: 'pipe' }], allowAutoTopicCreation: true });
      const pid = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: null, producerId: -1, producerEpoch: -1 });
      const order: number[] = [];
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        const batch = buildBatch([{ key: null, value: Buffer.from(`v${i}`) }], {
          producerId: pid.producerId,
          producerEpoch: pid.producerEpoch,
          baseSequence: i,
        });
        sends.push(
          c
            .send(ProduceRequest, ProduceResponse, 9, {
              acks: -1,
              timeoutMs: 5000,
              topicData: [{ name: 'pipe', partitionData: [{ index: 0, records: batch }] }],
            })
            .then((r) => {
              const p = r.responses[0]!.partitionResponses[0]!;
              assert.is(p.errorCode, 0, `request ${i}`);
              assert.is(p.baseOffset, i, `request ${i} offset`);
              order.push(i);
            }),
        );
        if (i % 50 === 0) sends.push(c.send(MetadataRequest, MetadataResponse, 12, { topics: null }).then(() => order.push(-1)));
      }
      await Promise.all(sends);
      const produced = order.filter((x) => x >= 0);
      assert.equal(
        produced,
        Array.from({ length: 200 }, (_, i) => i),
        'responses in request order',
      );
    } finally {
      c.close();
      await broker.close();
      if (dir) (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
