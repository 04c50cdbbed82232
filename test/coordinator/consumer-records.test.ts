// KIP-848 consumer group records of __consumer_offsets (src/coordinator/consumer/records.ts)
// against bytes laid out by hand from Kafka's ConsumerGroup*Key/Value.json schemas: int16 record
// type and classic strings in keys; int16 version 0, compact strings and arrays and tagged fields
// in values.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeConsumerKey,
  decodeCurrentAssignmentValue,
  decodeGroupEpochValue,
  decodeMemberMetadataValue,
  decodeTargetEpochValue,
  decodeTargetMemberValue,
  encodeConsumerKey,
  encodeCurrentAssignmentValue,
  encodeGroupEpochValue,
  encodeMemberMetadataValue,
  encodeTargetEpochValue,
  encodeTargetMemberValue,
} from '../../src/coordinator/consumer/records.js';
import { RecordFormatError, decodeKey, encodeOffsetCommitKey } from '../../src/coordinator/records.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string) => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]).toString('hex');
const cstr = (s: string) => Buffer.concat([Buffer.from([s.length + 1]), Buffer.from(s)]).toString('hex');
// A topic id: 16 bytes 01..10, "AQIDBAUGBwgJCgsMDQ4PEA" in Kafka's base64.
const TOPIC_ID = Buffer.from([...Array(16).keys()].map((i) => i + 1)).toString('base64url');
const TOPIC_ID_HEX = '0102030405060708090a0b0c0d0e0f10';

test('keys: the record type, then the group (and member) as int16-length strings', () => {
  assert.equal(encodeConsumerKey({ type: 3, group: 'g' }), hex(`0003 ${str('g')}`));
  assert.equal(encodeConsumerKey({ type: 5, group: 'g', memberId: 'm1' }), hex(`0005 ${str('g')} ${str('m1')}`));
  assert.equal(encodeConsumerKey({ type: 6, group: 'g' }), hex(`0006 ${str('g')}`));
  assert.equal(encodeConsumerKey({ type: 7, group: 'g', memberId: 'm1' }), hex(`0007 ${str('g')} ${str('m1')}`));
  assert.equal(encodeConsumerKey({ type: 8, group: 'g', memberId: 'm1' }), hex(`0008 ${str('g')} ${str('m1')}`));
  for (const k of [
    { type: 3, group: 'g' },
    { type: 4, group: 'g' },
    { type: 8, group: 'grp', memberId: 'x' },
    { type: 16, group: 'g', regex: 'a.*' },
  ] as const) {
    assert.equal(decodeConsumerKey(encodeConsumerKey(k)), k);
  }
  // Offset commits, classic groups, share and streams records are not consumer group keys.
  assert.is(decodeConsumerKey(encodeOffsetCommitKey('g', 't', 0)), null);
  assert.is(decodeConsumerKey(hex(`000b ${str('g')}`)), null);
  // The classic decoder leaves them alone.
  assert.equal(decodeKey(encodeConsumerKey({ type: 5, group: 'g', memberId: 'm' })), { type: 'other', version: 5 });
  assert.throws(
    () => decodeConsumerKey(hex('0005 0001 67')),
    (e: unknown) => e instanceof RecordFormatError,
  );
});

test('ConsumerGroupMetadataValue: epoch, MetadataHash as tagged field 0 only when set', () => {
  assert.equal(encodeGroupEpochValue({ epoch: 7, metadataHash: 0 }), hex('0000 00000007 00'));
  const withHash = hex('0000 00000007 01 00 08 0011223344556677');
  assert.equal(encodeGroupEpochValue({ epoch: 7, metadataHash: 0x0011223344556677 }), withHash);
  assert.equal(decodeGroupEpochValue(withHash), { epoch: 7, metadataHash: 0x0011223344556677 });
  // A 64-bit hash (as Kafka computes them) reads as "unknown".
  assert.equal(decodeGroupEpochValue(hex('0000 00000009 01 00 08 f011223344556677')), { epoch: 9, metadataHash: 0 });
  assert.throws(
    () => decodeGroupEpochValue(hex('0001 00000007 00')),
    (e: unknown) => e instanceof RecordFormatError,
  );
});

test('ConsumerGroupMemberMetadataValue: nullable and compact strings, topic names, no classic metadata', () => {
  const v = {
    instanceId: null,
    rackId: 'r',
    clientId: 'c',
    clientHost: '/h',
    subscribedTopicNames: ['t1', 't2'],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: 1000,
    serverAssignor: 'uniform',
    classicMember: false,
  };
  const bytes = hex(`0000 00 ${cstr('r')} ${cstr('c')} ${cstr('/h')} 03 ${cstr('t1')} ${cstr('t2')} 00 000003e8 ${cstr('uniform')} 00`);
  assert.equal(encodeMemberMetadataValue(v), bytes);
  assert.equal(decodeMemberMetadataValue(bytes), v);
  // Kafka's ClassicMemberMetadata (tag 0, a present nullable struct) marks a classic-protocol member.
  const classic = hex(`0000 00 00 ${cstr('c')} ${cstr('h')} 01 ${cstr('^t.*')} ffffffff 00 01 00 07 01 00002710 01 00`);
  const d = decodeMemberMetadataValue(classic);
  assert.is(d.classicMember, true);
  assert.is(d.subscribedTopicRegex, '^t.*');
  assert.is(d.rebalanceTimeoutMs, -1);
});

test('target assignment: epoch record and per-member partitions by topic id', () => {
  assert.equal(encodeTargetEpochValue(4), hex('0000 00000004 00'));
  assert.is(decodeTargetEpochValue(hex('0000 00000004 00')), 4);
  // A newer tagged field (an assignment timestamp) is skipped.
  assert.is(decodeTargetEpochValue(hex('0000 00000004 01 00 08 0000018bcfe56800')), 4);
  const bytes = hex(`0000 02 ${TOPIC_ID_HEX} 03 00000000 00000002 00 00`);
  assert.equal(encodeTargetMemberValue([{ topicId: TOPIC_ID, partitions: [0, 2], assignmentEpochs: null }]), bytes);
  assert.equal(decodeTargetMemberValue(bytes), [{ topicId: TOPIC_ID, partitions: [0, 2], assignmentEpochs: null }]);
});

test('ConsumerGroupCurrentMemberAssignmentValue: epochs, state, partitions with KIP-1251 assignment epochs', () => {
  const v = {
    memberEpoch: 5,
    previousMemberEpoch: 4,
    state: 1,
    assigned: [{ topicId: TOPIC_ID, partitions: [0, 1], assignmentEpochs: [3, 5] }],
    pendingRevocation: [{ topicId: TOPIC_ID, partitions: [2], assignmentEpochs: [3] }],
  };
  const bytes = hex(
    `0000 00000005 00000004 01
     02 ${TOPIC_ID_HEX} 03 00000000 00000001 01 00 09 03 00000003 00000005
     02 ${TOPIC_ID_HEX} 02 00000002 01 00 05 02 00000003
     00`,
  );
  assert.equal(encodeCurrentAssignmentValue(v), bytes);
  assert.equal(decodeCurrentAssignmentValue(bytes), v);
  // Written before KIP-1251: no tag, no epochs.
  const old = hex(`0000 00000002 00000001 00 02 ${TOPIC_ID_HEX} 02 00000004 00 01 00`);
  assert.equal(decodeCurrentAssignmentValue(old), {
    memberEpoch: 2,
    previousMemberEpoch: 1,
    state: 0,
    assigned: [{ topicId: TOPIC_ID, partitions: [4], assignmentEpochs: null }],
    pendingRevocation: [],
  });
  assert.throws(
    () => decodeCurrentAssignmentValue(hex('0000 00000002')),
    (e: unknown) => e instanceof RecordFormatError,
  );
});

test.run();
