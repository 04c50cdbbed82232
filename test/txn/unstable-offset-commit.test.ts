// OffsetFetch with require_stable (v7+, KIP-447) while a transaction holds offsets of the group:
// the partition answers UNSTABLE_OFFSET_COMMIT (88) with offset -1 until the transaction ends
// (OffsetMetadataManager.fetchOffsets / fetchAllOffsets); without require_stable it answers the
// last committed offset. After COMMIT the transaction's offset, after ABORT the previous one. The
// pending state is rebuilt from __consumer_offsets after a restart. Raw requests on a real socket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';
import { TxnOffsetCommitRequest } from '../../src/protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/generated/txn-offset-commit-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { OffsetCommitRequest } from '../../src/protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../src/protocol/generated/offset-commit-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';

const UNSTABLE_OFFSET_COMMIT = 88;
const GROUP = 'eos-group';
const TOPIC = 'in';

interface Pid {
  producerId: number;
  producerEpoch: number;
}

// [partition, committedOffset, errorCode] for partitions 0 and 1 of TOPIC, in partition order.
type Answer = Array<[number, number, number]>;

async function connect(b: Broker): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', b.port);
  await c.negotiate();
  return c;
}

async function beginWithOffsets(c: ClientConnection, pid: Pid, offsets: Array<[number, number]>): Promise<void> {
  const add = await c.send(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, { transactionalId: 'tx', ...pid, groupId: GROUP });
  assert.is(add.errorCode, 0);
  const r = await c.send(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
    transactionalId: 'tx',
    groupId: GROUP,
    ...pid,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: TOPIC,
        partitions: offsets.map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          committedMetadata: 'txn',
        })),
      },
    ],
  });
  assert.equal(
    r.topics[0]!.partitions.map((p) => p.errorCode),
    offsets.map(() => 0),
  );
}

async function endTxn(c: ClientConnection, pid: Pid, committed: boolean): Promise<void> {
  const r = await c.send(EndTxnRequest, EndTxnResponse, 3, { transactionalId: 'tx', ...pid, committed });
  assert.is(r.errorCode, 0);
}

// OffsetFetch of partitions 0 and 1 (or, `all`, of every committed partition) at `version`.
async function fetch(b: Broker, c: ClientConnection, version: number, requireStable: boolean, all = false): Promise<Answer> {
  let partitions;
  if (version >= 8) {
    const topicId = b.metadata.topic(TOPIC)!.id;
    const topics = all ? null : [{ name: version >= 10 ? '' : TOPIC, topicId, partitionIndexes: [0, 1] }];
    const r = await c.send(OffsetFetchRequest, OffsetFetchResponse, version, {
      groups: [{ groupId: GROUP, memberId: null, memberEpoch: -1, topics }],
      requireStable,
    });
    const g = r.groups[0]!;
    assert.is(g.errorCode, 0);
    assert.is(g.topics.length, 1);
    assert.is(version >= 10 ? g.topics[0]!.topicId : g.topics[0]!.name, version >= 10 ? topicId : TOPIC);
    partitions = g.topics[0]!.partitions;
  } else {
    const r = await c.send(OffsetFetchRequest, OffsetFetchResponse, version, {
      groupId: GROUP,
      topics: all ? null : [{ name: TOPIC, partitionIndexes: [0, 1] }],
      requireStable,
    });
    assert.is(r.errorCode, 0);
    assert.is(r.topics.length, 1);
    partitions = r.topics[0]!.partitions;
  }
  return partitions.map((p): [number, number, number] => [p.partitionIndex, Number(p.committedOffset), p.errorCode]).sort((x, y) => x[0] - y[0]);
}

// The same answer at v7, v8, v9 and v10, for the partitions asked for and for all of them.
async function expectEverywhere(b: Broker, c: ClientConnection, requireStable: boolean, expected: Answer, why: string): Promise<void> {
  for (const v of [7, 8, 9, 10]) {
    for (const all of [false, true]) assert.equal(await fetch(b, c, v, requireStable, all), expected, `${why} (v${v}${all ? ', all partitions' : ''})`);
  }
}

test('require_stable: UNSTABLE_OFFSET_COMMIT while a transaction holds the offset, then the outcome', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-unstable-'));
  let b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
  let c = await connect(b);
  try {
    const ct = await c.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
      topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 5000,
    });
    assert.is(ct.topics[0]!.errorCode, 0);
    // Plain commits first: partition 0 at 2, partition 1 at 7.
    const oc = await c.send(OffsetCommitRequest, OffsetCommitResponse, 8, {
      groupId: GROUP,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: TOPIC,
          partitions: [
            { partitionIndex: 0, committedOffset: 2, committedLeaderEpoch: -1, committedMetadata: '' },
            { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    });
    assert.equal(
      oc.topics[0]!.partitions.map((p) => p.errorCode),
      [0, 0],
    );
    const init = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
      transactionalId: 'tx',
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    assert.is(init.errorCode, 0);
    const pid = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, 2, 0],
        [1, 7, 0],
      ],
      'no transaction: stable',
    );

    // A transaction commits offset 5 for partition 0: pending.
    await beginWithOffsets(c, pid, [[0, 5]]);
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, -1, UNSTABLE_OFFSET_COMMIT],
        [1, 7, 0],
      ],
      'pending offset, require_stable',
    );
    await expectEverywhere(
      b,
      c,
      false,
      [
        [0, 2, 0],
        [1, 7, 0],
      ],
      'pending offset, without require_stable: the last committed offset',
    );

    // Still pending after a restart: rebuilt from the transactional batch in __consumer_offsets.
    c.close();
    await b.close();
    b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
    c = await connect(b);
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, -1, UNSTABLE_OFFSET_COMMIT],
        [1, 7, 0],
      ],
      'pending offset after a restart',
    );

    await endTxn(c, pid, true);
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, 5, 0],
        [1, 7, 0],
      ],
      'after COMMIT',
    );

    // A second transaction holds partition 1 at 9, and aborts.
    await beginWithOffsets(c, pid, [[1, 9]]);
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, 5, 0],
        [1, -1, UNSTABLE_OFFSET_COMMIT],
      ],
      'second transaction pending',
    );
    await endTxn(c, pid, false);
    await expectEverywhere(
      b,
      c,
      true,
      [
        [0, 5, 0],
        [1, 7, 0],
      ],
      'after ABORT: the previous offset',
    );
    await expectEverywhere(
      b,
      c,
      false,
      [
        [0, 5, 0],
        [1, 7, 0],
      ],
      'after ABORT, without require_stable',
    );
  } finally {
    c.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
