// kafkajs 2.2.4 admin client against a real samsa broker over a real socket: createTopics
// (validateOnly, partitions, configs, waitForLeaders), listTopics, fetchTopicMetadata,
// describeConfigs (TOPIC and BROKER, synonyms, key filters), alterConfigs, createPartitions,
// deleteTopics, describeCluster, and the errors exactly as kafkajs surfaces them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Admin } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';

// kafkajs is CommonJS; ConfigResourceTypes and ConfigSource are not detectable as named exports.
const { Kafka, logLevel, ConfigResourceTypes, ConfigSource } = kafkajs;

let broker: Broker;
let admin: Admin;
// No retries: an error is reported as the broker answered it, at once.
let noRetry: Admin;
const apiCalls: string[] = [];

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  admin = new Kafka({ clientId: 'kjs', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  noRetry = new Kafka({ clientId: 'kjs-noretry', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  admin.on(admin.events.REQUEST, (e) => apiCalls.push(e.payload.apiName));
  await admin.connect();
  await noRetry.connect();
});

test.after(async () => {
  await admin?.disconnect();
  await noRetry?.disconnect();
  await broker?.close();
});

// The error a kafkajs admin call rejects with.
async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    const value = await p;
    return assert.unreachable(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof assert.Assertion) throw err;
    return err;
  }
}

function entries(resource: { configEntries: Array<{ configName: string }> }): Map<string, any> {
  return new Map(resource.configEntries.map((e) => [e.configName, e]));
}

test('createTopics validateOnly: true and creates nothing', async () => {
  const res = await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kjs-validate', numPartitions: 4 }] });
  assert.is(res, true);
  assert.not.ok((await admin.listTopics()).includes('kjs-validate'));
  assert.is(broker.metadata.topic('kjs-validate'), undefined);
});

test('createTopics with partitions and configEntries; waitForLeaders needs one Metadata round, no LEADER_NOT_AVAILABLE retry', async () => {
  apiCalls.length = 0;
  const res = await admin.createTopics({
    waitForLeaders: true,
    timeout: 10_000,
    topics: [
      {
        topic: 'kjs-topic',
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'compact' },
        ],
      },
      { topic: 'kjs-temp' },
    ],
  });
  assert.is(res, true);
  const createIdx = apiCalls.indexOf('CreateTopics');
  assert.ok(createIdx >= 0, `CreateTopics sent: ${apiCalls.join(',')}`);
  // Leaders are ready when CreateTopics returns, so kafkajs's leader wait is a single Metadata call.
  assert.equal(apiCalls.slice(createIdx + 1), ['Metadata'], `requests after CreateTopics: ${apiCalls.join(',')}`);
});

test('listTopics lists the created topics', async () => {
  const topics = await admin.listTopics();
  assert.equal(topics.filter((t) => t.startsWith('kjs-')).sort(), ['kjs-temp', 'kjs-topic']);
});

test('fetchTopicMetadata: partition counts (kjs-temp got num.partitions=1), leader 1, replicas and isr [1]', async () => {
  const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-topic', 'kjs-temp'] });
  const byName = new Map(topics.map((t) => [t.name, t]));
  const check = (name: string, n: number) => {
    const parts = [...byName.get(name)!.partitions].sort((a, b) => a.partitionId - b.partitionId);
    assert.equal(
      parts.map((p) => ({ id: p.partitionId, err: p.partitionErrorCode, leader: p.leader, replicas: p.replicas, isr: p.isr })),
      Array.from({ length: n }, (_, id) => ({ id, err: 0, leader: 1, replicas: [1], isr: [1] })),
      name,
    );
  };
  check('kjs-topic', 3);
  check('kjs-temp', 1);
});

test('describeConfigs TOPIC: overrides are TOPIC_CONFIG, the rest are defaults', async () => {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic' }] });
  assert.is(resources.length, 1);
  const r = resources[0]!;
  assert.is(r.errorCode, 0);
  assert.is(r.resourceName, 'kjs-topic');
  assert.is(r.resourceType, ConfigResourceTypes.TOPIC);
  const e = entries(r);
  assert.equal(
    [e.get('retention.ms')?.configValue, e.get('retention.ms')?.configSource, e.get('retention.ms')?.isDefault],
    ['3600000', ConfigSource.TOPIC_CONFIG, false],
  );
  assert.equal([e.get('cleanup.policy')?.configValue, e.get('cleanup.policy')?.configSource], ['compact', ConfigSource.TOPIC_CONFIG]);
  assert.equal(
    [e.get('segment.bytes')?.configValue, e.get('segment.bytes')?.configSource, e.get('segment.bytes')?.isDefault],
    ['1073741824', ConfigSource.DEFAULT_CONFIG, true],
  );
  assert.is(e.get('compression.type')?.configValue, 'producer');
  assert.is(e.get('max.message.bytes')?.configValue, '1048588');
  assert.is(e.get('min.insync.replicas')?.configValue, '1');
  assert.is(e.get('retention.ms')?.readOnly, false);
  assert.is(e.get('retention.ms')?.isSensitive, false);
});

test('describeConfigs with configNames and includeSynonyms: only those keys, topic value then broker default', async () => {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: true,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic', configNames: ['retention.ms', 'segment.bytes'] }],
  });
  const e = entries(resources[0]!);
  assert.equal([...e.keys()].sort(), ['retention.ms', 'segment.bytes']);
  const syn = e.get('retention.ms').configSynonyms as Array<{ configName: string; configValue: string; configSource: number }>;
  assert.equal(syn[0], { configName: 'retention.ms', configValue: '3600000', configSource: ConfigSource.TOPIC_CONFIG });
  assert.ok(
    syn.some((s) => s.configName === 'log.retention.hours' && s.configValue === '168' && s.configSource === ConfigSource.DEFAULT_CONFIG),
    `log.retention.hours=168 default synonym in ${JSON.stringify(syn)}`,
  );
  const segSyn = e.get('segment.bytes').configSynonyms as Array<{ configName: string; configValue: string; configSource: number }>;
  assert.equal(segSyn, [{ configName: 'log.segment.bytes', configValue: '1073741824', configSource: ConfigSource.DEFAULT_CONFIG }]);
});

test('describeConfigs BROKER "1" (and a topic in the same call)', async () => {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.BROKER, name: '1' },
      { type: ConfigResourceTypes.TOPIC, name: 'kjs-temp', configNames: ['cleanup.policy'] },
    ],
  });
  const b = resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER)!;
  assert.ok(b, `a BROKER result in ${JSON.stringify(resources.map((r) => [r.resourceType, r.resourceName]))}`);
  assert.is(b.errorCode, 0);
  assert.is(b.resourceName, '1');
  const e = entries(b);
  assert.is(e.get('num.partitions')?.configValue, '1');
  assert.is(e.get('auto.create.topics.enable')?.configValue, 'true');
  assert.is(e.get('log.retention.hours')?.configValue, '168');
  assert.is(e.get('log.retention.hours')?.configSource, ConfigSource.DEFAULT_CONFIG);
  const t = resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC)!;
  assert.equal(
    t.configEntries.map((c) => [c.configName, c.configValue]),
    [['cleanup.policy', 'delete']],
  );
});

test('describeConfigs of a missing topic rejects with UNKNOWN_TOPIC_OR_PARTITION', async () => {
  const err = await rejection(admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-missing' }] }));
  assert.is(err.type ?? err.cause?.type, 'UNKNOWN_TOPIC_OR_PARTITION', String(err));
});

test('alterConfigs replaces the whole override set (cleanup.policy back to its default)', async () => {
  const res = await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic', configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
  });
  assert.equal(
    res.resources.map((r: any) => [r.errorCode, r.resourceType, r.resourceName]),
    [[0, ConfigResourceTypes.TOPIC, 'kjs-topic']],
  );
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic' }] });
  const e = entries(resources[0]!);
  assert.equal([e.get('retention.ms')?.configValue, e.get('retention.ms')?.configSource], ['7200000', ConfigSource.TOPIC_CONFIG]);
  assert.equal([e.get('cleanup.policy')?.configValue, e.get('cleanup.policy')?.configSource], ['delete', ConfigSource.DEFAULT_CONFIG]);
});

test('alterConfigs validateOnly changes nothing; retention.ms=abc rejects with INVALID_CONFIG', async () => {
  await admin.alterConfigs({
    validateOnly: true,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic', configEntries: [{ name: 'retention.ms', value: '1000' }] }],
  });
  const err = await rejection(
    noRetry.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic', configEntries: [{ name: 'retention.ms', value: 'abc' }] }],
    }),
  );
  assert.is(err.type ?? err.cause?.type, 'INVALID_CONFIG', String(err));
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-topic', configNames: ['retention.ms'] }],
  });
  assert.equal(
    resources[0]!.configEntries.map((c) => [c.configName, c.configValue]),
    [['retention.ms', '7200000']],
  );
});

test('alterConfigs BROKER "1": a dynamic broker config shows as DYNAMIC_BROKER_CONFIG', async () => {
  const res = await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configEntries: [{ name: 'log.retention.ms', value: '86400000' }] }],
  });
  assert.equal(
    res.resources.map((r: any) => [r.errorCode, r.resourceName]),
    [[0, '1']],
  );
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['log.retention.ms'] }],
  });
  const e = entries(resources[0]!);
  assert.equal([e.get('log.retention.ms')?.configValue, e.get('log.retention.ms')?.configSource], ['86400000', ConfigSource.DYNAMIC_BROKER_CONFIG]);
});

test('createPartitions grows kjs-topic to 5; validateOnly and shrinking do not', async () => {
  await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-topic', count: 5 }] });
  let { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-topic'] });
  assert.equal(topics[0]!.partitions.map((p) => p.partitionId).sort(), [0, 1, 2, 3, 4]);
  assert.ok(topics[0]!.partitions.every((p) => p.leader === 1));
  await admin.createPartitions({ validateOnly: true, topicPartitions: [{ topic: 'kjs-topic', count: 9 }] });
  const err = await rejection(noRetry.createPartitions({ topicPartitions: [{ topic: 'kjs-topic', count: 2 }] }));
  assert.is(err.type ?? err.cause?.type, 'INVALID_PARTITIONS', String(err));
  ({ topics } = await admin.fetchTopicMetadata({ topics: ['kjs-topic'] }));
  assert.is(topics[0]!.partitions.length, 5);
});

test('createTopics of an existing topic: kafkajs returns false (TOPIC_ALREADY_EXISTS)', async () => {
  apiCalls.length = 0;
  const res = await admin.createTopics({ topics: [{ topic: 'kjs-topic', numPartitions: 1 }] });
  assert.is(res, false);
  assert.ok(apiCalls.includes('CreateTopics'), `CreateTopics was sent: ${apiCalls.join(',')}`);
});

test('createTopics errors come back per topic in a KafkaJSAggregateError', async () => {
  const rf = await rejection(noRetry.createTopics({ waitForLeaders: false, topics: [{ topic: 'kjs-rf3', replicationFactor: 3 }] }));
  assert.is(rf.name, 'KafkaJSAggregateError', String(rf));
  assert.equal(
    rf.errors.map((e: any) => [e.topic, e.type]),
    [['kjs-rf3', 'INVALID_REPLICATION_FACTOR']],
  );

  const mixed = await rejection(
    noRetry.createTopics({
      waitForLeaders: false,
      topics: [
        { topic: 'kjs-topic' },
        { topic: 'bad name!' },
        { topic: 'kjs-badcfg', configEntries: [{ name: 'retention.ms', value: 'abc' }] },
        { topic: 'kjs-zero', numPartitions: 0 },
        { topic: 'kjs-ok' },
      ],
    }),
  );
  assert.is(mixed.name, 'KafkaJSAggregateError', String(mixed));
  assert.equal(mixed.errors.map((e: any) => [e.topic, e.type]).sort(), [
    ['bad name!', 'INVALID_TOPIC_EXCEPTION'],
    ['kjs-badcfg', 'INVALID_CONFIG'],
    ['kjs-topic', 'TOPIC_ALREADY_EXISTS'],
    ['kjs-zero', 'INVALID_PARTITIONS'],
  ]);
  // Each topic stands on its own: the valid one in the same request was created.
  assert.ok((await admin.listTopics()).includes('kjs-ok'));
  assert.is(broker.metadata.topic('kjs-badcfg'), undefined);
});

test('deleteTopics removes kjs-temp; a missing topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  await admin.deleteTopics({ topics: ['kjs-temp'] });
  const topics = await admin.listTopics();
  assert.not.ok(topics.includes('kjs-temp'));
  assert.ok(topics.includes('kjs-topic'));
  const err = await rejection(noRetry.deleteTopics({ topics: ['kjs-missing'] }));
  assert.is(err.type ?? err.cause?.type, 'UNKNOWN_TOPIC_OR_PARTITION', String(err));
});

test('describeCluster: broker 1 at the bootstrap address, controller 1, the cluster id', async () => {
  const c = await admin.describeCluster();
  assert.equal(
    c.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`),
    [`1@${broker.bootstrap}`],
  );
  assert.is(c.controller, 1);
  assert.is(c.clusterId, broker.metadata.clusterId);
});

test.run();
