// kafkajs idempotent producer whose batch is retried after it was written (KIP-98). A TCP proxy
// between kafkajs and samsa withholds the response to one Produce request. kafkajs 2.2.4 does
// not bump its epoch or reset its sequences for this: a request timeout
// (KafkaJSRequestTimeoutError) and a closed connection are both retriable, so sendMessages rolls
// the partition's sequence back and resends the same batch (same producer id, epoch and base
// sequence). samsa must answer the resend as Kafka does (a duplicate of one of the last 5 batches:
// the original base offset, nothing appended), so each record is in the log once, at the offset
// it first got. samsa advertises the proxy's port (advertised.listeners), so every kafkajs
// connection goes through it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, createServer, type Server, type Socket } from 'node:net';
import kafkajs from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { FrameDecoder } from '../../src/protocol/frame-decoder.js';
import { Reader } from '../../src/protocol/primitives/index.js';
import { requestHeaderVersion } from '../../src/protocol/headers.js';
import { RequestHeader } from '../../src/protocol/generated/request-header.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';

const { Kafka, logLevel } = kafkajs;
const PRODUCE = 0;

interface SeenProduce {
  correlationId: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: number;
}

const frame = (payload: Buffer): Buffer => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
};

// Forwards bytes both ways unchanged, except the response to the `holdNth` Produce request (1 is
// the first): 'late' keeps it until the response to the resend of the same batch has been
// delivered, then delivers it (kafkajs has given up on that correlation id by then); 'close'
// drops it and closes the client's connection.
class HoldingProxy {
  readonly produces: SeenProduce[] = [];
  heldDelivered = false;
  heldDropped = false;
  target = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly holdNth: number,
    readonly mode: 'late' | 'close',
  ) {
    server.on('connection', (client) => this.pipe(client));
  }

  static async start(holdNth: number, mode: 'late' | 'close'): Promise<HoldingProxy> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return new HoldingProxy(server, holdNth, mode);
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private pipe(client: Socket): void {
    const upstream = connect({ host: '127.0.0.1', port: this.target });
    this.sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    const produceByCorrelation = new Map<number, SeenProduce>();
    let held: { response: Buffer; request: SeenProduce } | null = null;
    const requests = new FrameDecoder(1 << 30);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      for (const f of requests.push(chunk)) {
        if (f.readInt16BE(0) !== PRODUCE) continue;
        const seen = this.parseProduce(f);
        this.produces.push(seen);
        produceByCorrelation.set(seen.correlationId, seen);
      }
    });
    const responses = new FrameDecoder(1 << 30);
    upstream.on('data', (chunk: Buffer) => {
      for (const f of responses.push(chunk)) {
        const request = produceByCorrelation.get(f.readInt32BE(0));
        if (request && this.produces.indexOf(request) === this.holdNth - 1) {
          if (this.mode === 'close') {
            this.heldDropped = true;
            end();
            return;
          }
          held = { response: Buffer.from(f), request };
          continue;
        }
        client.write(frame(f));
        const resendOfHeld = held && request && request.producerId === held.request.producerId && request.baseSequence === held.request.baseSequence;
        if (held && resendOfHeld) {
          client.write(frame(held.response));
          held = null;
          this.heldDelivered = true;
        }
      }
    });
  }

  // Producer fields of the (single) batch of a Produce request.
  private parseProduce(f: Buffer): SeenProduce {
    const apiVersion = f.readInt16BE(2);
    const r = new Reader(f);
    const header = RequestHeader.decode(r, requestHeaderVersion(PRODUCE, apiVersion));
    const req = ProduceRequest.decode(r, apiVersion);
    const batches = req.topicData.flatMap((t) => t.partitionData.map((p) => Buffer.from(p.records as Uint8Array)));
    assert.is(batches.length, 1, 'one partition per Produce request in this test');
    const h = readBatchHeader(batches[0]!, 0);
    return {
      correlationId: header.correlationId,
      producerId: h.producerId,
      producerEpoch: h.producerEpoch,
      baseSequence: h.baseSequence,
      records: h.recordCount,
    };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}

async function createTopic(port: number, name: string): Promise<void> {
  const c = await ClientConnection.connect('127.0.0.1', port);
  try {
    await c.negotiate();
    const r = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name, numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 });
    assert.is(r.topics[0]!.errorCode, 0);
  } finally {
    c.close();
  }
}

// Every record of partition 0 as [offset, value], read straight from samsa (not through the proxy).
async function logContents(port: number, topic: string): Promise<Array<[number, string]>> {
  const c = await ClientConnection.connect('127.0.0.1', port);
  try {
    await c.negotiate();
    const r = await c.send(FetchRequest, FetchResponse, 12, {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 24,
      sessionEpoch: -1,
      topics: [
        { topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 24, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1 }] },
      ],
    });
    const buf = Buffer.from(r.responses[0]!.partitions[0]!.records as Uint8Array);
    const out: Array<[number, string]> = [];
    for (let p = 0; p < buf.length; p += buf.readInt32BE(p + 8) + 12) {
      iterateRecords(buf, p, (offset, _ts, _k, v) => {
        out.push([offset, String(v)]);
      });
    }
    return out;
  } finally {
    c.close();
  }
}

async function retriedBatch(mode: 'late' | 'close'): Promise<void> {
  // The second Produce request (values m2..m4, sequences 2..4) loses its response.
  const proxy = await HoldingProxy.start(2, mode);
  let broker: Broker | null = null;
  const topic = `retried-${mode}`;
  try {
    broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${proxy.port}` } });
    proxy.target = broker.port;
    await createTopic(broker.port, topic);
    const kafka = new Kafka({ clientId: 'retry', brokers: [`127.0.0.1:${proxy.port}`], requestTimeout: 1000, logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 50, maxRetryTime: 500, retries: 10 } });
    await producer.connect();
    try {
      const send = async (values: string[]) => (await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) }))[0]!;
      assert.is((await send(['m0', 'm1'])).baseOffset, '0');
      const retried = await send(['m2', 'm3', 'm4']);
      assert.is(retried.errorCode, 0);
      assert.is(retried.baseOffset, '2', 'the resend is answered with the original base offset');
      assert.is((await send(['m5'])).baseOffset, '5', 'the resend appended nothing');
    } finally {
      await producer.disconnect();
    }

    // kafkajs sent the second batch twice, unchanged.
    const p = proxy.produces;
    assert.is(p.length, 4, `Produce requests seen: ${JSON.stringify(p)}`);
    const strip = ({ correlationId: _c, ...rest }: SeenProduce) => rest;
    assert.equal(strip(p[1]!), { producerId: p[0]!.producerId, producerEpoch: p[0]!.producerEpoch, baseSequence: 2, records: 3 });
    assert.equal(strip(p[2]!), strip(p[1]!), 'the resend carries the same producer id, epoch and sequence');
    assert.is.not(p[2]!.correlationId, p[1]!.correlationId);
    assert.equal(strip(p[3]!), { ...strip(p[1]!), baseSequence: 5, records: 1 });
    assert.ok(p[0]!.producerId >= 0 && p[0]!.baseSequence === 0);
    if (mode === 'late') assert.ok(proxy.heldDelivered, 'the withheld response reached kafkajs after the resend was answered');
    else assert.ok(proxy.heldDropped, 'the connection was closed instead of answering');

    assert.equal(
      await logContents(broker.port, topic),
      ['m0', 'm1', 'm2', 'm3', 'm4', 'm5'].map((v, i) => [i, v]),
      'each record once, at its original offset',
    );
  } finally {
    await broker?.close();
    await proxy.close();
  }
}

test('a Produce response delayed past requestTimeout: kafkajs resends the batch, samsa answers with the original offset', async () => {
  await retriedBatch('late');
});

test('a Produce response lost with its connection: kafkajs reconnects and resends, samsa answers with the original offset', async () => {
  await retriedBatch('close');
});

test.run();
