// requires: python-kafka
// confluent-kafka (librdkafka, Debian's /usr/bin/python3) transactions against a real broker:
// init, begin, produce, commit, abort; a second producer with the same transactional.id fences
// the first. Then bad input through samsa's own client: Kafka's error code each, log unchanged.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { waitFor } from '../groups/helpers.js';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { AddPartitionsToTxnRequest } from '../../src/protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../../src/protocol/generated/add-partitions-to-txn-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';

const PY = String.raw`
import sys, json
from confluent_kafka import Producer, Consumer, KafkaException, KafkaError
bs = sys.argv[1]
def producer():
    return Producer({'bootstrap.servers': bs, 'transactional.id': 'py-tx', 'linger.ms': 5})
p = producer()
p.init_transactions(20)
p.begin_transaction()
for i in range(5): p.produce('py', value=('c%d' % i).encode(), partition=i % 2)
p.commit_transaction(20)
p.begin_transaction()
for i in range(3): p.produce('py', value=('a%d' % i).encode(), partition=i % 2)
p.flush(10)
p.abort_transaction(20)
# Fencing: a second producer with the same transactional.id.
p.begin_transaction()
p.produce('py', value=b'zombie', partition=0)
p.flush(10)
p2 = producer()
p2.init_transactions(20)
fenced = None
try:
    p.produce('py', value=b'zombie2', partition=0)
    p.flush(5)
    p.commit_transaction(10)
    fenced = 'no error'
except KafkaException as e:
    fenced = e.args[0].name()
p2.begin_transaction()
p2.produce('py', value=b'p2', partition=1)
p2.commit_transaction(20)
def read(isolation):
    c = Consumer({'bootstrap.servers': bs, 'group.id': 'g-' + isolation, 'auto.offset.reset': 'earliest', 'isolation.level': isolation, 'enable.auto.commit': False})
    c.subscribe(['py'])
    out = []
    import time
    end = time.time() + 6
    while time.time() < end:
        m = c.poll(0.2)
        if m is None or m.error(): continue
        out.append(m.value().decode())
    c.close()
    return sorted(out)
print(json.dumps({'fenced': fenced, 'committed': read('read_committed'), 'uncommitted': read('read_uncommitted')}))
`;

function python(bootstrap: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', PY, bootstrap], { timeout: 90_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`python failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

test('confluent-kafka: commit, abort, fencing by a second producer', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  try {
    const c = await ClientConnection.connect('127.0.0.1', broker.port);
    await c.negotiate();
    await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'py', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5000 });
    c.close();
    const out = JSON.parse((await python(broker.bootstrap)).trim().split('\n').pop()!) as { fenced: string; committed: string[]; uncommitted: string[] };
    assert.ok(
      ['_FENCED', 'PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', '_INCONSISTENT'].includes(out.fenced) || /FENCED|EPOCH/.test(out.fenced),
      `fenced: ${out.fenced}`,
    );
    assert.equal(out.committed, ['c0', 'c1', 'c2', 'c3', 'c4', 'p2']);
    for (const v of ['c0', 'c1', 'c2', 'c3', 'c4', 'p2', 'a0', 'a1', 'a2', 'zombie']) assert.ok(out.uncommitted.includes(v), `read_uncommitted sees ${v}`);
  } finally {
    await broker.close();
  }
});

async function setup(): Promise<{ broker: Broker; c: ClientConnection }> {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  await c.negotiate();
  await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'bad', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 });
  return { broker, c };
}

const init = (c: ClientConnection, id: string, timeout = 60000) =>
  c.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId: id, transactionTimeoutMs: timeout, producerId: -1, producerEpoch: -1 });
const addPartitions = (c: ClientConnection, id: string, pid: number, epoch: number) =>
  c.send(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
    v3AndBelowTransactionalId: id,
    v3AndBelowProducerId: pid,
    v3AndBelowProducerEpoch: epoch,
    v3AndBelowTopics: [{ name: 'bad', partitions: [0] }],
    transactions: [],
  });
const produceTxn = (c: ClientConnection, pid: number, epoch: number, seq: number) =>
  c.send(ProduceRequest, ProduceResponse, 9, {
    acks: -1,
    timeoutMs: 5000,
    transactionalId: 'x',
    topicData: [
      {
        name: 'bad',
        partitionData: [
          {
            index: 0,
            records: buildBatch([{ key: null, value: Buffer.from('v') }], { producerId: pid, producerEpoch: epoch, baseSequence: seq, transactional: true }),
          },
        ],
      },
    ],
  });

test('bad input: Kafka error codes, log unchanged', async () => {
  const { broker, c } = await setup();
  try {
    const log = broker.logManager.get('bad', 0)!;
    // transaction.max.timeout.ms
    assert.is((await init(c, 'bad-tx', 900_001)).errorCode, 50); // INVALID_TRANSACTION_TIMEOUT
    // EndTxn for an unknown transactional id
    const end = await c.send(EndTxnRequest, EndTxnResponse, 3, { transactionalId: 'nobody', producerId: 5, producerEpoch: 0, committed: true });
    assert.is(end.errorCode, 49); // INVALID_PRODUCER_ID_MAPPING
    const r = await init(c, 'bad-tx');
    assert.is(r.errorCode, 0);
    // A transactional produce to a partition outside the transaction (KIP-890 verification).
    assert.is((await produceTxn(c, r.producerId, r.producerEpoch, 0)).responses[0]!.partitionResponses[0]!.errorCode, 48); // INVALID_TXN_STATE
    // EndTxn with no transaction ongoing
    assert.is(
      (await c.send(EndTxnRequest, EndTxnResponse, 3, { transactionalId: 'bad-tx', producerId: r.producerId, producerEpoch: r.producerEpoch, committed: true }))
        .errorCode,
      48,
    );
    // AddPartitions for an id that was never initialised
    const ap = await addPartitions(c, 'never', 77, 0);
    assert.is(ap.resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, 49);
    // Verify-only (v4) for a partition not in the transaction
    const v = await c.send(AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 4, {
      transactions: [
        { transactionalId: 'bad-tx', producerId: r.producerId, producerEpoch: r.producerEpoch, verifyOnly: true, topics: [{ name: 'bad', partitions: [0] }] },
      ],
      v3AndBelowTransactionalId: '',
      v3AndBelowProducerId: 0,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: [],
    });
    assert.is(v.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode, 48);
    assert.is(log.logEndOffset, 0, 'nothing was written');
    // An old epoch: a second InitProducerId bumps the epoch, the first one is fenced.
    const r2 = await init(c, 'bad-tx');
    assert.is(r2.producerId, r.producerId);
    assert.is(r2.producerEpoch, r.producerEpoch + 1);
    assert.is((await addPartitions(c, 'bad-tx', r.producerId, r.producerEpoch)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, 90); // PRODUCER_FENCED
    assert.is(
      (
        await c.send(EndTxnRequest, EndTxnResponse, 3, {
          transactionalId: 'bad-tx',
          producerId: r.producerId,
          producerEpoch: r.producerEpoch,
          committed: false,
        })
      ).errorCode,
      90,
    );
    assert.is(
      (
        await c.send(EndTxnRequest, EndTxnResponse, 1, {
          transactionalId: 'bad-tx',
          producerId: r.producerId,
          producerEpoch: r.producerEpoch,
          committed: false,
        })
      ).errorCode,
      47,
    ); // v<2: INVALID_PRODUCER_EPOCH
    assert.is(log.logEndOffset, 0, 'nothing was written');
    // The current epoch works; an old-epoch produce inside it is rejected.
    assert.is((await addPartitions(c, 'bad-tx', r2.producerId, r2.producerEpoch)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, 0);
    assert.is((await produceTxn(c, r2.producerId, r2.producerEpoch, 0)).responses[0]!.partitionResponses[0]!.errorCode, 0);
    assert.is((await produceTxn(c, r.producerId, r.producerEpoch, 1)).responses[0]!.partitionResponses[0]!.errorCode, 47);
    assert.is(log.logEndOffset, 1);
    assert.is(log.lastStableOffset, 0);
    // Fencing an ongoing transaction aborts it first.
    const r3 = await init(c, 'bad-tx');
    assert.is(r3.errorCode, 0);
    assert.is(log.logEndOffset, 2, 'the abort marker');
    assert.is(log.lastStableOffset, 2);
    assert.is(log.abortedTxns.entries.length, 1);
  } finally {
    c.close();
    await broker.close();
  }
});

test('transaction timeout aborts and fences', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 50 } });
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  await c.negotiate();
  try {
    await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'bad', numPartitions: 1, replicationFactor: 1 }], timeoutMs: 5000 });
    const r = await init(c, 'slow', 200);
    assert.is((await addPartitions(c, 'slow', r.producerId, r.producerEpoch)).resultsByTopicV3AndBelow[0]!.resultsByPartition[0]!.partitionErrorCode, 0);
    assert.is((await produceTxn(c, r.producerId, r.producerEpoch, 0)).responses[0]!.partitionResponses[0]!.errorCode, 0);
    // Its 200 ms timeout runs out; the next cleanup pass (every 50 ms) aborts it.
    const log = broker.logManager.get('bad', 0)!;
    await waitFor(
      () => log.abortedTxns.entries.length > 0,
      10_000,
      () => 'the timed out transaction was aborted',
    );
    assert.is(log.lastStableOffset, log.highWatermark);
    assert.is(log.abortedTxns.entries.length, 1);
    assert.is(
      (await c.send(EndTxnRequest, EndTxnResponse, 3, { transactionalId: 'slow', producerId: r.producerId, producerEpoch: r.producerEpoch, committed: true }))
        .errorCode,
      90,
    );
  } finally {
    c.close();
    await broker.close();
  }
});

test.run();
