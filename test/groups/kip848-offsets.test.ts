// OffsetCommit and OffsetFetch against a KIP-848 consumer group (Kafka's
// ConsumerGroup.validateOffsetCommit / validateOffsetFetch): the member id and epoch are checked
// (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, UNSUPPORTED_VERSION before OffsetCommit v9), and with
// KIP-1251 assignment epochs a commit at an older member epoch is accepted for partitions the
// member has owned since that epoch. TxnOffsetCommit checks the same, a stale epoch answered as
// ILLEGAL_GENERATION (OffsetMetadataManager.validateTransactionalOffsetCommit). OffsetDelete
// refuses the topics the members subscribe to (GROUP_SUBSCRIBED_TO_TOPIC) and deletes the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';
import { TxnOffsetCommitRequest } from '../../src/protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/generated/txn-offset-commit-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { OffsetDeleteRequest } from '../../src/protocol/generated/offset-delete-request.js';
import { OffsetDeleteResponse } from '../../src/protocol/generated/offset-delete-response.js';
import { commit, connect, createTopic } from '../coordinator/helpers.js';
import { fetchAsMember, hb, joinCg, partsOf } from './kip848-helpers.js';

const TOPIC = 'cg-offsets-topic';
let broker: Broker;
let c: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  c = await connect(broker.bootstrap);
  await createTopic(c, TOPIC, 6);
});

test.after(async () => {
  c.close();
  await broker.close();
});

const at = (partitions: number[], offset = 1) => partitions.map((partition) => ({ topic: TOPIC, partition, offset }));

test('OffsetFetch v9 as a member: unknown member, stale epoch, current epoch, and no member at all', async () => {
  const j = await joinCg(c, 'fetch-g', 'm', [TOPIC]);
  assert.equal(await commit(c, 'fetch-g', j.memberEpoch, 'm', at([0], 42)), [0]);
  const asked = [{ name: TOPIC, partitionIndexes: [0] }];
  assert.is((await fetchAsMember(c, 'fetch-g', 'nobody', j.memberEpoch, asked)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is((await fetchAsMember(c, 'fetch-g', 'm', j.memberEpoch + 1, asked)).errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  assert.is((await fetchAsMember(c, 'fetch-g', 'm', 0, asked)).errorCode, ErrorCode.STALE_MEMBER_EPOCH);
  const ok = await fetchAsMember(c, 'fetch-g', 'm', j.memberEpoch, asked);
  assert.is(ok.errorCode, 0);
  assert.is(ok.offsets.get(`${TOPIC}:0`), 42);
  // Admin tools: no member id, epoch -1.
  assert.is((await fetchAsMember(c, 'fetch-g', null, -1, asked)).offsets.get(`${TOPIC}:0`), 42);
  // A member id with epoch -1 is still a member check.
  assert.is((await fetchAsMember(c, 'fetch-g', 'nobody', -1, asked)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('OffsetCommit: member checks, v8 refused, commits without a member only while the group is empty', async () => {
  const j = await joinCg(c, 'commit-g', 'm', [TOPIC]);
  const e = j.memberEpoch;
  assert.equal(await commit(c, 'commit-g', e, 'ghost', at([0])), [ErrorCode.UNKNOWN_MEMBER_ID]);
  assert.equal(await commit(c, 'commit-g', e + 1, 'm', at([0])), [ErrorCode.STALE_MEMBER_EPOCH], 'a newer epoch');
  assert.equal(await commit(c, 'commit-g', e, 'm', at([0]), { version: 8 }), [ErrorCode.UNSUPPORTED_VERSION]);
  assert.equal(await commit(c, 'commit-g', -1, '', at([0])), [ErrorCode.UNKNOWN_MEMBER_ID], 'the group has members');
  assert.equal(await commit(c, 'commit-g', e, 'm', at([0, 1])), [0, 0]);
  assert.is((await hb(c, { groupId: 'commit-g', memberId: 'm', memberEpoch: -1 })).errorCode, 0);
  assert.equal(await commit(c, 'commit-g', -1, '', at([0])), [0], 'an empty group takes commits from outside');
});

test('KIP-1251: an older member epoch commits the partitions owned since that epoch, nothing else', async () => {
  const g = 'epochs-g';
  const a1 = await joinCg(c, g, 'a', [TOPIC]); // epoch 1, all six partitions
  const topicId = a1.assignment!.topicPartitions[0]!.topicId;
  assert.is((await joinCg(c, g, 'b', [TOPIC])).memberEpoch, 2);
  const keep = partsOf((await hb(c, { groupId: g, memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId, partitions: [0, 1, 2, 3, 4, 5] }] })).assignment);
  const gone = [0, 1, 2, 3, 4, 5].filter((p) => !keep.includes(p));
  assert.is((await hb(c, { groupId: g, memberId: 'a', memberEpoch: 1, topicPartitions: [{ topicId, partitions: keep }] })).memberEpoch, 2);
  const b = await hb(c, { groupId: g, memberId: 'b', memberEpoch: 2, topicPartitions: [] });
  assert.equal(partsOf(b.assignment), gone);
  // a is at epoch 2; its partitions were assigned at epoch 1: a commit at epoch 1 (its answer at
  // epoch 2 not yet seen) goes through for them.
  assert.equal(await commit(c, g, 1, 'a', at(keep)), [0, 0, 0]);
  // Not for a partition it gave up: the whole commit is refused.
  assert.equal(await commit(c, g, 1, 'a', at([keep[0]!, gone[0]!])), [ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);
  // b got its partitions at epoch 2: epoch 1 is too old for them, epoch 2 is current.
  assert.equal(await commit(c, g, 1, 'b', at([gone[0]!])), [ErrorCode.STALE_MEMBER_EPOCH]);
  assert.equal(await commit(c, g, 2, 'b', at(gone)), [0, 0, 0]);
});

test('OffsetDelete on a consumer group with members: subscribed topics refused, others deleted', async () => {
  await createTopic(c, 'cg-offsets-other', 1);
  const j = await joinCg(c, 'del-g', 'm', [TOPIC]);
  assert.equal(await commit(c, 'del-g', j.memberEpoch, 'm', [...at([0], 3), { topic: 'cg-offsets-other', partition: 0, offset: 4 }]), [0, 0]);
  const r = await c.send(OffsetDeleteRequest, OffsetDeleteResponse, 0, {
    groupId: 'del-g',
    topics: [
      { name: TOPIC, partitions: [{ partitionIndex: 0 }] },
      { name: 'cg-offsets-other', partitions: [{ partitionIndex: 0 }] },
    ],
  });
  assert.is(r.errorCode, 0);
  assert.equal(
    r.topics.map((t) => [t.name, t.partitions[0]!.errorCode]),
    [
      [TOPIC, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC],
      ['cg-offsets-other', 0],
    ],
  );
  const left = await fetchAsMember(c, 'del-g', null, -1, [
    { name: TOPIC, partitionIndexes: [0] },
    { name: 'cg-offsets-other', partitionIndexes: [0] },
  ]);
  assert.equal([...left.offsets.values()], [3, -1]);
});

test('TxnOffsetCommit to a consumer group: member and epoch checked, no classic group appears', async () => {
  const g = 'txn-g';
  const j = await joinCg(c, g, 'm', [TOPIC]);
  const init = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, {
    transactionalId: 'tx-cg',
    transactionTimeoutMs: 60_000,
    producerId: -1,
    producerEpoch: -1,
  });
  assert.is(init.errorCode, 0);
  const pid = { transactionalId: 'tx-cg', producerId: init.producerId, producerEpoch: init.producerEpoch };
  assert.is((await c.send(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, { ...pid, groupId: g })).errorCode, 0);
  const txnCommit = async (memberId: string, generationId: number) => {
    const r = await c.send(TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
      ...pid,
      groupId: g,
      generationId,
      memberId,
      groupInstanceId: null,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    });
    return r.topics[0]!.partitions[0]!.errorCode;
  };
  assert.is(await txnCommit('ghost', j.memberEpoch), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.is(await txnCommit('m', j.memberEpoch + 1), ErrorCode.ILLEGAL_GENERATION);
  assert.is(await txnCommit('', -1), ErrorCode.UNKNOWN_MEMBER_ID, 'the group has members');
  assert.is(await txnCommit('m', j.memberEpoch), 0);
  assert.is((await c.send(EndTxnRequest, EndTxnResponse, 3, { ...pid, committed: true })).errorCode, 0);
  const listed = (await c.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: [], typesFilter: [] })).groups.filter((x) => x.groupId === g);
  assert.equal(
    listed.map((x) => x.groupType),
    ['consumer'],
  );
  assert.is((await fetchAsMember(c, g, 'm', j.memberEpoch, [{ name: TOPIC, partitionIndexes: [0] }])).offsets.get(`${TOPIC}:0`), 9);
});

test.run();
