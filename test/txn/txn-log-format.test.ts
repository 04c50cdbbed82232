// The `__transaction_state` records byte for byte against layouts written out by hand from
// Kafka's TransactionLogKey.json (v0) and TransactionLogValue.json (v0, and v1 for reading), in
// transaction-coordinator/src/main/resources/common/message/ of apache/kafka. samsa writes key v0
// and value v0, as Kafka does while transaction.version is 0. State bytes are Kafka's
// TransactionState ids (Empty 0, Ongoing 1, PrepareCommit 2, PrepareAbort 3, CompleteCommit 4,
// CompleteAbort 5, Dead 6, PrepareEpochFence 7).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, TRANSACTION_STATE_TOPIC, TxnState } from '../../src/txn/txn-log.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';

const hex = (...parts: string[]) => Buffer.from(parts.join('').replace(/\s+/g, ''), 'hex');

// Shared field values and their big-endian bytes.
const PRODUCER_ID = 1000; // int64 00 00 00 00 00 00 03 e8
const LAST_UPDATE = 1_700_000_000_000; // int64 00 00 01 8b cf e5 68 00
const START = 1_699_999_999_000; // int64 00 00 01 8b cf e5 64 18

test('TransactionLogKey v0: int16 version 0, transactionalId string', () => {
  const expected = hex(
    '0000', // version 0
    '0004',
    '74782d31', // "tx-1": int16 length, UTF-8
  );
  assert.equal(encodeTxnKey('tx-1'), expected);
  assert.is(decodeTxnKey(expected), 'tx-1');
  assert.is(decodeTxnKey(hex('0001 0004 74782d31')), null, 'an unknown key version');
  assert.is(decodeTxnKey(hex('0000 0009 74782d31')), null, 'a truncated key');
});

test('TransactionLogValue v0, Ongoing: partitions grouped by topic', () => {
  const value = {
    producerId: PRODUCER_ID,
    producerEpoch: 3,
    timeoutMs: 60000,
    state: TxnState.Ongoing,
    partitions: [
      { topic: 'a', partition: 0 },
      { topic: 'b', partition: 2 },
      { topic: 'a', partition: 1 },
    ],
    lastUpdateMs: LAST_UPDATE,
    startMs: START,
  };
  const expected = hex(
    '0000', // version 0
    '00000000000003e8', // ProducerId int64
    '0003', // ProducerEpoch int16
    '0000ea60', // TransactionTimeoutMs int32 (60000)
    '01', // TransactionStatus int8: Ongoing
    '00000002', // TransactionPartitions: int32 count, 2 topics
    '0001 61',
    '00000002 00000000 00000001', // "a": PartitionIds [0, 1]
    '0001 62',
    '00000001 00000002', // "b": PartitionIds [2]
    '0000018bcfe56800', // TransactionLastUpdateTimestampMs int64
    '0000018bcfe56418', // TransactionStartTimestampMs int64
  );
  assert.equal(encodeTxnValue(value), expected);
  assert.equal(decodeTxnValue(expected), {
    ...value,
    partitions: [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 2 },
    ],
  });
});

test('TransactionLogValue v0: Empty has a null partition list, CompleteCommit an empty one', () => {
  const empty = { producerId: PRODUCER_ID, producerEpoch: 0, timeoutMs: 60000, state: TxnState.Empty, partitions: [], lastUpdateMs: LAST_UPDATE, startMs: -1 };
  const emptyBytes = hex('0000', '00000000000003e8', '0000', '0000ea60', '00', 'ffffffff', '0000018bcfe56800', 'ffffffffffffffff');
  assert.equal(encodeTxnValue(empty), emptyBytes);
  assert.equal(decodeTxnValue(emptyBytes), empty);
  const done = { ...empty, producerEpoch: 1, state: TxnState.CompleteCommit, startMs: START };
  const doneBytes = hex('0000', '00000000000003e8', '0001', '0000ea60', '04', '00000000', '0000018bcfe56800', '0000018bcfe56418');
  assert.equal(encodeTxnValue(done), doneBytes);
  assert.equal(decodeTxnValue(doneBytes), done);
  assert.equal(encodeTxnValue({ ...done, state: TxnState.PrepareAbort }).subarray(16, 17), hex('03'));
  assert.equal(encodeTxnValue({ ...done, state: TxnState.CompleteAbort }).subarray(16, 17), hex('05'));
  assert.equal(encodeTxnValue({ ...done, state: TxnState.PrepareCommit }).subarray(16, 17), hex('02'));
});

test('TransactionLogValue v1 (flexible, KIP-890 tagged fields) is read, unknown versions are not', () => {
  const v1 = hex(
    '0001', // version 1
    '00000000000003e8', // ProducerId
    '0003', // ProducerEpoch
    '0000ea60', // TransactionTimeoutMs
    '02', // TransactionStatus: PrepareCommit
    '02', // compact array: 1 topic
    '02 61',
    '03 00000000 00000001',
    '00', // "a": compact string, compact [0, 1], no tagged fields
    '0000018bcfe56800', // TransactionLastUpdateTimestampMs
    '0000018bcfe56418', // TransactionStartTimestampMs
    '02', // 2 tagged fields:
    '00 08 00000000000003e7', // tag 0 PreviousProducerId = 999
    '02 02 0002', // tag 2 ClientTransactionVersion = 2
  );
  const value = {
    producerId: PRODUCER_ID,
    producerEpoch: 3,
    timeoutMs: 60000,
    state: TxnState.PrepareCommit,
    partitions: [
      { topic: 'a', partition: 0 },
      { topic: 'a', partition: 1 },
    ],
    lastUpdateMs: LAST_UPDATE,
    startMs: START,
  };
  assert.equal(decodeTxnValue(v1), value);
  // Written as v1 with default tagged fields: the 15-byte tagged section above becomes '00'.
  assert.equal(encodeTxnValue(value, 1), Buffer.concat([v1.subarray(0, v1.length - 15), hex('00')]));
  assert.is(decodeTxnValue(hex('0002', '00000000000003e8')), null, 'an unknown value version');
  assert.is(decodeTxnValue(v1.subarray(0, 20)), null, 'a truncated value');
});

test('a broker writes these records to __transaction_state in a plain batch', async () => {
  const broker = await startBroker({ port: 0, logLevel: 'silent' });
  const c = await ClientConnection.connect('127.0.0.1', broker.port);
  try {
    await c.negotiate();
    const before = Date.now();
    const init = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
      transactionalId: 'tx-1',
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.is(init.errorCode, 0);
    const add = await c.send(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, {
      transactionalId: 'tx-1',
      producerId: init.producerId,
      producerEpoch: init.producerEpoch,
      groupId: 'g',
    });
    assert.is(add.errorCode, 0);
    const after = Date.now();

    // Kafka's partitionFor: Utils.abs("tx-1".hashCode()) % 50; "tx-1".hashCode() is 3572520.
    const partition = broker.txnCoordinator.stateLog.partitionFor('tx-1');
    assert.is(partition, 3572520 % 50);
    const log = broker.logManager.get(TRANSACTION_STATE_TOPIC, partition)!;
    const chunk = await log.read(0, 1 << 20, true);
    const records: Array<{ key: Buffer; value: Buffer }> = [];
    for (const buf of chunk.buffers) {
      for (let p = 0; p < buf.length; p += buf.readInt32BE(p + 8) + 12) {
        const h = readBatchHeader(buf, p);
        assert.equal([h.magic, h.compression, h.isTransactional, h.isControl, h.producerId, h.timestampType], [2, 0, false, false, -1, 'CreateTime']);
        iterateRecords(buf, p, (_o, _t, key, value) => {
          records.push({ key: Buffer.from(key!), value: Buffer.from(value!) });
        });
      }
    }
    assert.is(records.length, 2, 'Empty after InitProducerId, then Ongoing');
    for (const r of records) assert.equal(r.key, hex('0000 0004 74782d31'));
    const pid = hex(init.producerId.toString(16).padStart(16, '0'));
    const timestamps = (v: Buffer) => [Number(v.readBigInt64BE(v.length - 16)), Number(v.readBigInt64BE(v.length - 8))];
    const [emptyRecord, ongoingRecord] = records.map((r) => r.value);
    assert.equal(emptyRecord!.subarray(0, -16), Buffer.concat([hex('0000'), pid, hex('0000', '0000ea60', '00', 'ffffffff')]));
    const [emptyUpdate, emptyStart] = timestamps(emptyRecord!);
    assert.ok(emptyUpdate! >= before && emptyUpdate! <= after);
    assert.is(emptyStart, -1);
    // The group's __consumer_offsets partition is the transaction's only partition.
    const offsetsPartition = broker.coordinator.topic.partitionFor('g');
    const offsetsPartitionBytes = offsetsPartition.toString(16).padStart(8, '0');
    assert.equal(
      ongoingRecord!.subarray(0, -16),
      Buffer.concat([
        hex('0000'),
        pid,
        hex('0000', '0000ea60', '01', '00000001', '0012', Buffer.from('__consumer_offsets').toString('hex'), '00000001', offsetsPartitionBytes),
      ]),
    );
    const [ongoingUpdate, ongoingStart] = timestamps(ongoingRecord!);
    assert.ok(ongoingStart! >= before && ongoingStart! <= ongoingUpdate! && ongoingUpdate! <= after);
  } finally {
    c.close();
    await broker.close();
  }
});

test.run();
