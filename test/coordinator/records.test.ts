// __consumer_offsets record formats (src/coordinator/records.ts) against bytes laid out by hand
// from Kafka's JSON schemas, and the group -> partition mapping against Java's String.hashCode
// (reference values computed independently).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  RecordFormatError,
} from '../../src/coordinator/records.js';
import { javaStringHashCode, partitionForGroup } from '../../src/coordinator/offsets-topic.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const str = (s: string) => Buffer.concat([Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)]).toString('hex');

test('OffsetCommitKey: version 1, group, topic, partition', () => {
  const k = encodeOffsetCommitKey('g', 'topic', 7);
  assert.equal(k, hex(`0001 ${str('g')} ${str('topic')} 00000007`));
  assert.equal(decodeKey(k), { type: 'offset', group: 'g', topic: 'topic', partition: 7 });
  // Version 0 keys (written by old brokers) have the same layout.
  assert.equal(decodeKey(hex(`0000 ${str('g')} ${str('t')} 00000001`)), { type: 'offset', group: 'g', topic: 't', partition: 1 });
});

test('GroupMetadataKey: version 2, group; other key versions are not samsa records', () => {
  const k = encodeGroupMetadataKey('my-group');
  assert.equal(k, hex(`0002 ${str('my-group')}`));
  assert.equal(decodeKey(k), { type: 'group', group: 'my-group' });
  assert.equal(decodeKey(hex(`0003 ${str('g')}`)), { type: 'other', version: 3 });
  assert.throws(
    () => decodeKey(hex('0001 0005 6162')),
    (e: unknown) => e instanceof RecordFormatError,
  );
});

test('OffsetCommitValue: v3 as Kafka writes it, v1 with an expire timestamp, v0 and flexible v4 read', () => {
  const v = { offset: 42, leaderEpoch: 3, metadata: 'meta', commitTimestamp: 1700000000000, expireTimestamp: -1 };
  const bytes = encodeOffsetCommitValue(v);
  assert.equal(bytes, hex(`0003 000000000000002a 00000003 ${str('meta')} 0000018bcfe56800`));
  assert.equal(decodeOffsetCommitValue(bytes), v);
  const v1 = { ...v, leaderEpoch: -1, expireTimestamp: 1700000001000 };
  assert.equal(encodeOffsetCommitValue(v1), hex(`0001 000000000000002a ${str('meta')} 0000018bcfe56800 0000018bcfe56be8`));
  assert.equal(decodeOffsetCommitValue(encodeOffsetCommitValue(v1)), v1);
  assert.equal(decodeOffsetCommitValue(hex(`0000 0000000000000005 ${str('')} 0000000000000009`)), {
    offset: 5,
    leaderEpoch: -1,
    metadata: '',
    commitTimestamp: 9,
    expireTimestamp: -1,
  });
  // v4: compact string (length + 1) and an empty tagged-field section.
  assert.equal(decodeOffsetCommitValue(hex('0004 0000000000000005 00000002 03 6869 0000000000000009 00')), {
    offset: 5,
    leaderEpoch: 2,
    metadata: 'hi',
    commitTimestamp: 9,
    expireTimestamp: -1,
  });
  assert.throws(() => decodeOffsetCommitValue(hex('0009 00')), /version 9/);
});

test('GroupMetadataValue: v3 round trip with members, v0 read', () => {
  const v = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 1234,
    members: [
      {
        memberId: 'm1',
        groupInstanceId: 'i1',
        clientId: 'c',
        clientHost: '/127.0.0.1',
        rebalanceTimeout: 300000,
        sessionTimeout: 45000,
        subscription: Buffer.from([0, 1]),
        assignment: Buffer.from([2]),
      },
      {
        memberId: 'm2',
        groupInstanceId: null,
        clientId: 'c',
        clientHost: '/127.0.0.1',
        rebalanceTimeout: 60000,
        sessionTimeout: 30000,
        subscription: Buffer.alloc(0),
        assignment: Buffer.alloc(0),
      },
    ],
  };
  const bytes = encodeGroupMetadataValue(v);
  assert.equal(bytes.subarray(0, 2), hex('0003'));
  assert.equal(decodeGroupMetadataValue(bytes), v);
  const empty = { protocolType: '', generation: 1, protocol: null, leader: null, currentStateTimestamp: -1, members: [] };
  assert.equal(encodeGroupMetadataValue(empty), hex(`0003 0000 00000001 ffff ffff ffffffffffffffff 00000000`));
  const v0 = hex(`0000 ${str('consumer')} 00000002 ${str('range')} ${str('m')} 00000001 ${str('m')} ${str('cid')} ${str('/h')} 00002710 00000001 ab 00000000`);
  assert.equal(decodeGroupMetadataValue(v0), {
    protocolType: 'consumer',
    generation: 2,
    protocol: 'range',
    leader: 'm',
    currentStateTimestamp: -1,
    members: [
      {
        memberId: 'm',
        groupInstanceId: null,
        clientId: 'cid',
        clientHost: '/h',
        rebalanceTimeout: -1,
        sessionTimeout: 10000,
        subscription: Buffer.from([0xab]),
        assignment: Buffer.alloc(0),
      },
    ],
  });
});

test("group partition: abs(Java String.hashCode) % partitions, Kafka's Utils.abs for MIN_VALUE", () => {
  assert.is(javaStringHashCode(''), 0);
  assert.is(javaStringHashCode('hello'), 99162322);
  assert.is(javaStringHashCode('my-group'), -1906497762);
  assert.is(javaStringHashCode('groupé'), -1237460406);
  assert.is(javaStringHashCode('😀grp'), 1276929186, 'UTF-16 code units, surrogates included');
  assert.is(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.is(partitionForGroup('my-group', 50), 12);
  assert.is(partitionForGroup('console-consumer-12345', 50), 6);
  assert.is(partitionForGroup('kjs-group', 50), 14);
  assert.is(partitionForGroup('polygenelubricants', 50), 0);
});

test.run();
