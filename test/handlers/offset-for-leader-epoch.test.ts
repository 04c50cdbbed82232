// OffsetForLeaderEpoch (key 23) against a real broker on a real socket, through samsa's protocol
// client for every served version: records are produced under several leader epochs (the
// partition's epoch is raised between produces, as a leader election would), then each epoch's
// end offset is asked for, with Kafka's answers for unknown, older and newer epochs, the
// currentLeaderEpoch fencing of KIP-320 and every kind of replicaId. Fetch's truncation check
// (lastFetchedEpoch, v12+) uses the same lookup and is checked here too.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { OffsetForLeaderEpochRequest } from '../../src/protocol/generated/offset-for-leader-epoch-request.js';
import { OffsetForLeaderEpochResponse } from '../../src/protocol/generated/offset-for-leader-epoch-response.js';
import { DeleteRecordsRequest } from '../../src/protocol/generated/delete-records-request.js';
import { DeleteRecordsResponse } from '../../src/protocol/generated/delete-records-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse } from '../../src/protocol/generated/fetch-response.js';
import { offsetForLeaderEpochHandler } from '../../src/handlers/offset-for-leader-epoch.js';
import type { Input } from '../../src/protocol/primitives/index.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { connectClient, createTopic, fetchAll, produceRaw, withTimeout } from '../data-path/helpers.js';

let broker: Broker;
let conn: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  conn = await connectClient(broker.bootstrap, 'offset-for-leader-epoch-test');
});

test.after(async () => {
  conn?.close();
  await broker?.close();
});

type Ask = { partition: number; leaderEpoch: number; currentLeaderEpoch?: number };

const offsetForLeaderEpoch = (version: number, topics: Array<{ topic: string; partitions: Ask[] }>, replicaId = -1) =>
  withTimeout(
    conn.send(OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, version, {
      replicaId,
      topics: topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })) })),
    }),
    10_000,
    `OffsetForLeaderEpoch v${version}`,
  );

// [partition, errorCode, leaderEpoch, endOffset] per partition of the first topic.
async function ask(version: number, topic: string, partitions: Ask[], replicaId = -1): Promise<number[][]> {
  const res = await offsetForLeaderEpoch(version, [{ topic, partitions }], replicaId);
  assert.is(res.topics.length, 1);
  assert.is(res.topics[0]!.topic, topic);
  return res.topics[0]!.partitions.map((p) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]);
}

// A leader election, as far as this single broker can have one: the partition's epoch rises.
function electLeader(topic: string, partition: number, epoch: number): void {
  broker.metadata.topic(topic)!.partitions[partition]!.leaderEpoch = epoch;
}

async function produce(topic: string, partition: number, records: number): Promise<number> {
  const batch = buildBatch(Array.from({ length: records }, (_, i) => ({ key: null, value: Buffer.from(`r${i}`) })));
  const [r] = await produceRaw(conn, topic, [{ index: partition, records: batch }]);
  assert.is(r!.errorCode, ErrorCode.NONE);
  return r!.baseOffset;
}

// Epoch 0: offsets 0-4, epoch 2: 5-7, epoch 5: 8-9 (log end 10), leader epoch now 5.
async function topicWithEpochs(topic: string): Promise<void> {
  await createTopic(conn, topic, 2);
  await produce(topic, 0, 3);
  await produce(topic, 0, 2);
  electLeader(topic, 0, 2);
  await produce(topic, 0, 3);
  electLeader(topic, 0, 5);
  await produce(topic, 0, 2);
}

test('the broker advertises OffsetForLeaderEpoch v0-v4, every version its codec serves', () => {
  assert.equal(conn.versions.get(23), { minVersion: 0, maxVersion: 4 });
  assert.is(offsetForLeaderEpochHandler.minVersion, OffsetForLeaderEpochRequest.minVersion);
  assert.is(offsetForLeaderEpochHandler.maxVersion, OffsetForLeaderEpochRequest.maxVersion);
});

test('produced batches carry the leader epoch they were written under', async () => {
  const topic = 'ofle-stamps';
  await topicWithEpochs(topic);
  const all = await fetchAll(conn, topic, 0);
  assert.equal(
    all.batches.map((b) => [b.header.baseOffset, b.header.partitionLeaderEpoch]),
    [
      [0, 0],
      [3, 0],
      [5, 2],
      [8, 5],
    ],
  );
});

for (let version = OffsetForLeaderEpochRequest.minVersion; version <= OffsetForLeaderEpochRequest.maxVersion; version++) {
  test(`OffsetForLeaderEpoch v${version}: each epoch's end offset, as Kafka's leader epoch cache answers`, async () => {
    const topic = `ofle-v${version}`;
    await topicWithEpochs(topic);
    const answers = await ask(version, topic, [
      { partition: 0, leaderEpoch: 0 },
      { partition: 0, leaderEpoch: 1 }, // between epochs: the largest epoch <= 1 is 0
      { partition: 0, leaderEpoch: 2 },
      { partition: 0, leaderEpoch: 4 },
      { partition: 0, leaderEpoch: 5 }, // the current epoch ends at the log end
      { partition: 0, leaderEpoch: 6 }, // newer than any: undefined
      { partition: 0, leaderEpoch: -1 }, // UNDEFINED_EPOCH
      { partition: 1, leaderEpoch: 0 }, // empty partition: the leader's epoch 0 ends at 0
      { partition: 1, leaderEpoch: 1 },
      { partition: 7, leaderEpoch: 0 }, // no such partition
    ]);
    // v0 has no leaderEpoch in the answer: the codec's default -1 comes back.
    const e = (epoch: number) => (version >= 1 ? epoch : -1);
    assert.equal(answers, [
      [0, ErrorCode.NONE, e(0), 5],
      [0, ErrorCode.NONE, e(0), 5],
      [0, ErrorCode.NONE, e(2), 8],
      [0, ErrorCode.NONE, e(2), 8],
      [0, ErrorCode.NONE, e(5), 10],
      [0, ErrorCode.NONE, -1, -1],
      [0, ErrorCode.NONE, -1, -1],
      [1, ErrorCode.NONE, e(0), 0],
      [1, ErrorCode.NONE, -1, -1],
      [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    ]);
    const missing = await ask(version, `${topic}-missing`, [{ partition: 0, leaderEpoch: 0 }]);
    assert.equal(missing, [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1]]);
    if (version >= 2) {
      // KIP-320 fencing by the asker's view of the current leader epoch (5).
      const fenced = await ask(version, topic, [
        { partition: 0, leaderEpoch: 2, currentLeaderEpoch: 5 },
        { partition: 0, leaderEpoch: 2, currentLeaderEpoch: -1 },
        { partition: 0, leaderEpoch: 2, currentLeaderEpoch: 4 },
        { partition: 0, leaderEpoch: 2, currentLeaderEpoch: 6 },
      ]);
      assert.equal(fenced, [
        [0, ErrorCode.NONE, 2, 8],
        [0, ErrorCode.NONE, 2, 8],
        [0, ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
        [0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
      ]);
    }
    if (version >= 3) {
      // A consumer (-1), a follower (its broker id) and a debugging tool (-2) get the same answer.
      for (const replicaId of [-1, broker.nodeId, 2, -2]) {
        assert.equal(await ask(version, topic, [{ partition: 0, leaderEpoch: 2 }], replicaId), [[0, ErrorCode.NONE, 2, 8]], `replicaId ${replicaId}`);
      }
    }
  });
}

test('after DeleteRecords an epoch older than the first one kept ends at the new log start', async () => {
  const topic = 'ofle-deleted';
  await topicWithEpochs(topic);
  const res = await conn.send(DeleteRecordsRequest, DeleteRecordsResponse, 2, {
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 6 }] }],
    timeoutMs: 5000,
  });
  assert.is(res.topics[0]!.partitions[0]!.lowWatermark, 6);
  // Kafka truncates the epoch cache at the start: epoch 2 now begins at 6, epoch 0 is gone.
  assert.equal(
    await ask(4, topic, [
      { partition: 0, leaderEpoch: 0 },
      { partition: 0, leaderEpoch: 2 },
      { partition: 0, leaderEpoch: 5 },
    ]),
    [
      [0, ErrorCode.NONE, 0, 6],
      [0, ErrorCode.NONE, 2, 8],
      [0, ErrorCode.NONE, 5, 10],
    ],
  );
});

test('a newly elected leader epoch without records yet ends at the log end', async () => {
  const topic = 'ofle-new-epoch';
  await createTopic(conn, topic, 1);
  await produce(topic, 0, 4);
  electLeader(topic, 0, 3);
  assert.equal(
    await ask(4, topic, [
      { partition: 0, leaderEpoch: 0 },
      { partition: 0, leaderEpoch: 2 },
      { partition: 0, leaderEpoch: 3, currentLeaderEpoch: 3 },
      { partition: 0, leaderEpoch: 4 },
    ]),
    [
      [0, ErrorCode.NONE, 0, 4],
      [0, ErrorCode.NONE, 0, 4],
      [0, ErrorCode.NONE, 3, 4],
      [0, ErrorCode.NONE, -1, -1],
    ],
  );
});

test('Fetch v12+ with lastFetchedEpoch: diverging epochs and unknown epochs, as Kafka', async () => {
  const topic = 'ofle-fetch';
  await topicWithEpochs(topic);
  const fetch = async (fetchOffset: number, lastFetchedEpoch: number) => {
    const res = await conn.send(FetchRequest, FetchResponse, 12, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1 << 20,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        { topic, partitions: [{ partition: 0, fetchOffset, lastFetchedEpoch, currentLeaderEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] },
      ],
      forgottenTopicsData: [],
      rackId: '',
    } as Input<FetchRequest>);
    return res.responses[0]!.partitions[0]!;
  };
  // Consistent: epoch 2 ends at 8, so fetching 7 or 8 after it is fine.
  let p = await fetch(8, 2);
  assert.is(p.errorCode, ErrorCode.NONE);
  assert.is(readBatchHeader(p.records as Buffer, 0).baseOffset, 8);
  assert.is(p.divergingEpoch.epoch, -1);
  // The asker read epoch 0 up to offset 7, but epoch 0 ended at 5 here: diverging.
  p = await fetch(7, 0);
  assert.is(p.errorCode, ErrorCode.NONE);
  assert.equal([p.divergingEpoch.epoch, p.divergingEpoch.endOffset], [0, 5]);
  assert.is((p.records as Buffer).length, 0);
  // An epoch between known ones ends with the older one.
  p = await fetch(9, 4);
  assert.equal([p.divergingEpoch.epoch, p.divergingEpoch.endOffset], [2, 8]);
  // An epoch newer than any known cannot be placed: OFFSET_OUT_OF_RANGE (Partition.readRecords).
  p = await fetch(9, 6);
  assert.is(p.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
  assert.is(p.divergingEpoch.epoch, -1);
});

test('errorResponse names every partition with the error and undefined epoch and offset', () => {
  const req = {
    replicaId: -1,
    topics: [
      {
        topic: 'a',
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 },
          { partition: 2, currentLeaderEpoch: 1, leaderEpoch: 1 },
        ],
      },
    ],
  };
  assert.equal(offsetForLeaderEpochHandler.errorResponse(req, ErrorCode.UNKNOWN_SERVER_ERROR, null as never), {
    topics: [
      {
        topic: 'a',
        partitions: [
          { partition: 0, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, leaderEpoch: -1, endOffset: -1 },
          { partition: 2, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, leaderEpoch: -1, endOffset: -1 },
        ],
      },
    ],
  });
});

test.run();
