// Issue 11 item 4: one CreateTopics asking for 8,388,609 partitions made the broker unresponsive
// for minutes. Kafka 4 refuses requests adding more than 10,000 partitions with POLICY_VIOLATION
// (KAFKA-17870; ReplicationControlManager.validateTotalNumberOfPartitions for CreateTopics, the
// controller's 10,000-records-per-operation bound for both CreateTopics and CreatePartitions), as
// a whole, before anything is created. kafkajs sends the huge request; samsa's own client the
// cases kafkajs cannot (several topics, validateOnly, the exact messages).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { CreatePartitionsRequest } from '../../src/protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../../src/protocol/generated/create-partitions-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';

let broker: Broker;
let admin: Admin;
let conn: ClientConnection;

const TOO_MANY_PARTITIONS = 'Excessively large number of partitions per request.';
const TOO_MANY_RECORDS = 'Unable to perform excessively large batch operation.';

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'warn' });
  const kafka = new Kafka({ clientId: 'partition-limits', brokers: [`${broker.host}:${broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  admin = kafka.admin();
  await admin.connect();
  conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'partition-limits' });
  await conn.negotiate();
});

test.after(async () => {
  conn?.close();
  await admin?.disconnect();
  await broker?.close();
});

async function createTopics(topics: Array<{ name: string; numPartitions: number }>, validateOnly = false) {
  const res = await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: topics.map((t) => ({ name: t.name, numPartitions: t.numPartitions, replicationFactor: -1, assignments: [], configs: [] })),
    timeoutMs: 30_000,
    validateOnly,
  });
  return res.topics;
}

async function topicNames(): Promise<string[]> {
  const md = await conn.send(MetadataRequest, MetadataResponse, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return md.topics.map((t) => t.name!).sort();
}

test('kafkajs: a CreateTopics for 8,388,609 partitions is refused with POLICY_VIOLATION, nothing created', async () => {
  const rss = process.memoryUsage().rss;
  type KafkaJsError = Error & { type?: string; errors?: Array<{ type?: string; message?: string }> };
  const error = await admin.createTopics({ topics: [{ topic: 'huge', numPartitions: 8_388_609 }] }).then(
    () => null,
    (err: KafkaJsError) => err,
  );
  assert.ok(error, 'the request was refused');
  const inner = error.errors?.[0] ?? error;
  assert.is(inner.type, 'POLICY_VIOLATION', String(inner.message));
  assert.not.ok((await topicNames()).includes('huge'));
  // The refusal comes before any of the partitions is built (samsa's memory, not the client's).
  assert.ok(process.memoryUsage().rss - rss < 200 * 1024 * 1024, 'no partition state was built for the refused request');
});

test('CreateTopics counts every topic of the request: 5,000 + 5,001 is refused as a whole, also with validateOnly', async () => {
  for (const validateOnly of [false, true]) {
    const res = await createTopics(
      [
        { name: 'half-a', numPartitions: 5000 },
        { name: 'half-b', numPartitions: 5001 },
        { name: 'small', numPartitions: 1 },
      ],
      validateOnly,
    );
    assert.equal(
      res.map((t) => [t.name, t.errorCode, t.errorMessage]),
      [
        ['half-a', ErrorCode.POLICY_VIOLATION, TOO_MANY_PARTITIONS],
        ['half-b', ErrorCode.POLICY_VIOLATION, TOO_MANY_PARTITIONS],
        ['small', ErrorCode.POLICY_VIOLATION, TOO_MANY_PARTITIONS],
      ],
    );
  }
  const names = await topicNames();
  for (const n of ['half-a', 'half-b', 'small']) assert.not.ok(names.includes(n), n);
});

test('CreateTopics: exactly 10,000 partitions in one topic is 10,001 metadata records, refused as Kafka does', async () => {
  const res = await createTopics([{ name: 'ten-thousand', numPartitions: 10_000 }]);
  assert.equal([res[0]!.errorCode, res[0]!.errorMessage], [ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS]);
  // The records of topics failing their own validation are not counted (the partitions asked
  // for are): 9,998 + 2 under an invalid name passes, 9,998 + 2 under a valid one does not.
  const ok = await createTopics(
    [
      { name: 'nine-nine-nine-eight', numPartitions: 9_998 },
      { name: 'bad/name', numPartitions: 2 },
    ],
    true,
  );
  assert.equal(
    ok.map((t) => t.errorCode),
    [ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION],
  );
  const over = await createTopics(
    [
      { name: 'nine-nine-nine-eight', numPartitions: 9_998 },
      { name: 'good-name', numPartitions: 2 },
    ],
    true,
  );
  assert.equal(
    over.map((t) => [t.errorCode, t.errorMessage]),
    [
      [ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
      [ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
    ],
  );
  assert.not.ok((await topicNames()).includes('ten-thousand'));
});

test('CreatePartitions adding more than 10,000 partitions is refused as a whole; 10,000 in steps is fine', async () => {
  assert.is((await createTopics([{ name: 'grow', numPartitions: 1 }]))[0]!.errorCode, ErrorCode.NONE);
  assert.is((await createTopics([{ name: 'grow-too', numPartitions: 1 }]))[0]!.errorCode, ErrorCode.NONE);
  const grow = async (topics: Array<{ name: string; count: number }>, validateOnly = false) =>
    (
      await conn.send(CreatePartitionsRequest, CreatePartitionsResponse, 3, {
        topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: null })),
        timeoutMs: 30_000,
        validateOnly,
      })
    ).results.map((r) => [r.name, r.errorCode, r.errorMessage]);

  assert.equal(await grow([{ name: 'grow', count: 8_388_609 }]), [['grow', ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS]]);
  // Summed over the topics of the request, validateOnly or not.
  assert.equal(
    await grow(
      [
        { name: 'grow', count: 6001 },
        { name: 'grow-too', count: 4002 },
      ],
      true,
    ),
    [
      ['grow', ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
      ['grow-too', ErrorCode.POLICY_VIOLATION, TOO_MANY_RECORDS],
    ],
  );
  // A topic that fails its own validation adds nothing to the count.
  assert.equal(
    await grow(
      [
        { name: 'grow', count: 6001 },
        { name: 'no-such-topic', count: 9000 },
      ],
      true,
    ),
    [
      ['grow', ErrorCode.NONE, null],
      ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null],
    ],
  );
  const md = await conn.send(MetadataRequest, MetadataResponse, 12, {
    topics: [{ name: 'grow' }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  assert.is(md.topics[0]!.partitions.length, 1, 'nothing was added by the refused or validate-only requests');
  // Exactly 10,000 new partitions is within the limit.
  assert.equal(await grow([{ name: 'grow', count: 10_001 }]), [['grow', ErrorCode.NONE, null]]);
  const after = await conn.send(MetadataRequest, MetadataResponse, 12, {
    topics: [{ name: 'grow' }],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });
  assert.is(after.topics[0]!.partitions.length, 10_001);
});

test.run();
