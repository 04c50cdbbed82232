// transaction.partition.verification.enable (KIP-890 part 1). On (the default), a transactional
// batch for a partition that is not in the producer's ongoing transaction is INVALID_TXN_STATE
// and nothing is written. Off, samsa skips the check as Kafka's ReplicaManager does: the batch is
// judged by the partition's producer state alone, so it is stored and its transaction is left
// open on the partition (the last stable offset stays before it); TxnOffsetCommit likewise skips
// the check that AddOffsetsToTxn added the group's offsets partition. The setting is dynamic:
// IncrementalAlterConfigs on the broker turns it back on without a restart.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';
import { TxnOffsetCommitRequest } from '../../src/protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/generated/txn-offset-commit-response.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';

let broker: Broker;
let c: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'transaction.partition.verification.enable': false } });
  c = await ClientConnection.connect(broker.host, broker.port);
  await c.negotiate();
  const res = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, { topics: [{ name: 'v', numPartitions: 2, replicationFactor: 1 }], timeoutMs: 5000 });
  assert.is(res.topics[0]!.errorCode, ErrorCode.NONE);
});

test.after(async () => {
  c?.close();
  await broker?.close();
});

async function init(id: string) {
  const r = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: id,
    transactionTimeoutMs: 60000,
    producerId: -1,
    producerEpoch: -1,
  });
  assert.is(r.errorCode, ErrorCode.NONE);
  return r;
}

// A transactional batch for partition `p` of "v", never added with AddPartitionsToTxn.
async function produceUnadded(id: string, pid: number, epoch: number, p: number): Promise<number> {
  const res = await c.send(ProduceRequest, ProduceResponse, 9, {
    acks: -1,
    timeoutMs: 5000,
    transactionalId: id,
    topicData: [
      {
        name: 'v',
        partitionData: [
          {
            index: p,
            records: buildBatch([{ key: null, value: Buffer.from('x') }], { producerId: pid, producerEpoch: epoch, baseSequence: 0, transactional: true }),
          },
        ],
      },
    ],
  });
  return res.responses[0]!.partitionResponses[0]!.errorCode;
}

const partitionLog = (p: number) => broker.logManager.get('v', p)!;

test('off: a transactional write outside the transaction is stored and stays open, as in Kafka', async () => {
  const r = await init('off-tx');
  assert.is(await produceUnadded('off-tx', r.producerId, r.producerEpoch, 0), ErrorCode.NONE);
  assert.is(partitionLog(0).logEndOffset, 1);
  assert.is(partitionLog(0).lastStableOffset, 0);
});

async function txnOffsetCommit(id: string, pid: number, epoch: number): Promise<number> {
  const res = await c.send(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
    transactionalId: id,
    groupId: 'verification-group',
    producerId: pid,
    producerEpoch: epoch,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 'v', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  return res.topics[0]!.partitions[0]!.errorCode;
}

test("off: TxnOffsetCommit without AddOffsetsToTxn is accepted too (Kafka 4's group coordinator skips the check)", async () => {
  const r = await init('off-offsets');
  assert.is(await txnOffsetCommit('off-offsets', r.producerId, r.producerEpoch), ErrorCode.NONE);
  // The producer id and epoch are still checked.
  assert.is(await txnOffsetCommit('off-offsets', r.producerId + 1000, r.producerEpoch), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
});

test('turned on dynamically: the same write is INVALID_TXN_STATE and nothing is written', async () => {
  const res = await c.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    validateOnly: false,
    resources: [
      {
        resourceType: 4,
        resourceName: String(broker.nodeId),
        configs: [{ name: 'transaction.partition.verification.enable', configOperation: 0, value: 'true' }],
      },
    ],
  });
  assert.is(res.responses[0]!.errorCode, ErrorCode.NONE, res.responses[0]!.errorMessage ?? '');
  const r = await init('on-tx');
  assert.is(await produceUnadded('on-tx', r.producerId, r.producerEpoch, 1), ErrorCode.INVALID_TXN_STATE);
  assert.is(partitionLog(1).logEndOffset, 0);
  assert.is(await txnOffsetCommit('on-tx', r.producerId, r.producerEpoch), ErrorCode.INVALID_TXN_STATE);
});

test.run();
