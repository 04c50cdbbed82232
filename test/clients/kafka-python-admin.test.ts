// requires: python-kafka
// kafka-python 2.0.2 (Debian python3-kafka) KafkaAdminClient against a real samsa broker: topic
// creation with configs, listing, DescribeConfigs, AlterConfigs, CreatePartitions, DeleteTopics,
// and the errors kafka-python raises for Kafka's error codes. The Python side is
// py/kafka_python_admin.py; it runs every step once and prints what each returned or raised.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { runPythonJson } from './helpers.js';

type Step<T = any> = { ok: T } | { error: string; errno: number | null; message: string; trace: string };
interface ConfigEntry {
  value: string | null;
  read_only: boolean;
  source: number;
  sensitive: boolean;
  synonyms: Array<{ config_name: string; config_value: string; config_source: number }>;
}
interface ConfigResult {
  version: number;
  resource_type: number;
  resource_name: string;
  error_code: number;
  error_message: string | null;
  entries: Record<string, ConfigEntry>;
}
interface TopicErrors {
  topic_errors: Array<{ topic: string; error_code: number; error_message?: string | null }>;
}

// DescribeConfigs config_source (v1+).
const SOURCE = { TOPIC: 1, DYNAMIC_BROKER: 2, DYNAMIC_DEFAULT_BROKER: 3, STATIC_BROKER: 4, DEFAULT: 5 };

let broker: Broker;
let r: Record<string, Step>;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  r = await runPythonJson('kafka_python_admin.py', [broker.bootstrap], 120_000);
});

test.after(async () => {
  await broker?.close();
});

function ok<T = any>(name: string): T {
  const s = r[name];
  assert.ok(s, `step ${name} ran`);
  if ('error' in s!) assert.unreachable(`step ${name} raised ${s.error} (errno ${s.errno}): ${s.message} [at ${lastFrame(s.trace)}]`);
  return (s as { ok: T }).ok;
}

// Where in kafka-python a step raised: the last `File ..., line N, in f` of its traceback.
function lastFrame(trace: string): string {
  const frames = trace.match(/File "[^"]+", line \d+, in \w+/g) ?? [];
  return frames[frames.length - 1] ?? '?';
}

function raised(name: string): { error: string; errno: number | null; message: string } {
  const s = r[name];
  assert.ok(s, `step ${name} ran`);
  if ('ok' in s!) assert.unreachable(`step ${name} returned ${JSON.stringify(s.ok)} instead of raising`);
  return s as { error: string; errno: number | null; message: string };
}

test('create_topics creates both topics without error', () => {
  const res = ok<TopicErrors>('create');
  const byTopic = Object.fromEntries(res.topic_errors.map((t) => [t.topic, t.error_code]));
  assert.equal(byTopic, { 'kp-a': 0, 'kp-b': 0 });
});

test('list_topics lists exactly the created topics', () => {
  assert.equal(ok<string[]>('list_after_create'), ['kp-a', 'kp-b']);
});

test('describe_topics shows the partition counts, with this broker as leader and only replica', () => {
  const t =
    ok<Record<string, { error_code: number; partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }> }>>('describe_topics');
  assert.is(t['kp-a']!.error_code, 0);
  assert.equal(t['kp-a']!.partitions, [
    { partition: 0, leader: 1, replicas: [1], isr: [1] },
    { partition: 1, leader: 1, replicas: [1], isr: [1] },
  ]);
  assert.equal(t['kp-b']!.partitions, [{ partition: 0, leader: 1, replicas: [1], isr: [1] }]);
});

test('describe_cluster names broker 1 at the bootstrap address, as controller', () => {
  const c = ok<{ brokers: Array<{ node_id: number; host: string; port: number }>; controller_id: number; cluster_id: string }>('cluster');
  assert.equal(
    c.brokers.map((b) => [b.node_id, `${b.host}:${b.port}`]),
    [[1, broker.bootstrap]],
  );
  assert.is(c.controller_id, 1);
  assert.is(c.cluster_id, broker.metadata.clusterId);
});

test('create_topics(validate_only=True) succeeds and creates nothing', () => {
  const res = ok<TopicErrors>('validate_only');
  assert.equal(
    res.topic_errors.map((t) => [t.topic, t.error_code]),
    [['kp-validate', 0]],
  );
  assert.equal(ok<string[]>('list_after_validate_only'), ['kp-a', 'kp-b']);
});

test('describe_configs(topic) returns the override retention.ms and the defaults (cleanup.policy=delete, ...)', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_b');
  assert.is(res!.error_code, 0);
  assert.is(res!.resource_type, 2);
  assert.is(res!.resource_name, 'kp-b');
  const e = res!.entries;
  assert.equal(e['retention.ms'], { value: '3600000', read_only: false, source: SOURCE.TOPIC, sensitive: false, synonyms: [] });
  assert.equal(e['cleanup.policy'], { value: 'delete', read_only: false, source: SOURCE.DEFAULT, sensitive: false, synonyms: [] });
  // Kafka 4.1 answers kafka-python with these defaults (kafka-golden/kafkapython-admin-produce-consume.jsonl).
  assert.is(e['compression.type']?.value, 'producer');
  assert.is(e['max.message.bytes']?.value, '1048588');
  assert.is(e['retention.bytes']?.value, '-1');
  assert.is(e['min.insync.replicas']?.value, '1');
  assert.is(e['message.timestamp.type']?.value, 'CreateTime');
  assert.is(e['segment.bytes']?.value, '1073741824');
  assert.ok(Object.keys(e).length >= 25, `a full topic config set, got ${Object.keys(e).length}: ${Object.keys(e).join(', ')}`);
});

test('describe_configs with a key filter returns only that key', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_b_one_key');
  assert.is(res!.error_code, 0);
  assert.equal(Object.keys(res!.entries), ['retention.ms']);
  assert.is(res!.entries['retention.ms']!.value, '3600000');
});

test('describe_configs(include_synonyms=True) lists the topic override, then the broker default', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_b_synonyms');
  const ret = res!.entries['retention.ms']!;
  assert.is(ret.value, '3600000');
  // Kafka: the topic's own value first, then the default from log.retention.hours (168 h).
  assert.equal(ret.synonyms[0], { config_name: 'retention.ms', config_value: '3600000', config_source: SOURCE.TOPIC });
  assert.ok(
    ret.synonyms.some((s) => s.config_name === 'log.retention.hours' && s.config_value === '168' && s.config_source === SOURCE.DEFAULT),
    `log.retention.hours=168 default synonym in ${JSON.stringify(ret.synonyms)}`,
  );
  const seg = res!.entries['segment.bytes']!;
  assert.ok(
    seg.synonyms.some((s) => s.config_name === 'log.segment.bytes' && s.config_value === '1073741824'),
    `log.segment.bytes synonym in ${JSON.stringify(seg.synonyms)}`,
  );
});

test('describe_configs(broker "1") returns broker configs', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_broker');
  assert.is(res!.error_code, 0);
  assert.is(res!.resource_type, 4);
  assert.is(res!.resource_name, '1');
  const e = res!.entries;
  assert.is(e['num.partitions']?.value, '1');
  assert.is(e['auto.create.topics.enable']?.value, 'true');
  assert.is(e['log.retention.hours']?.value, '168');
  assert.is(e['default.replication.factor']?.value, '1');
});

test('describe_configs(broker "1") shows node.id and broker.id 1, the id the broker answers as', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_broker');
  // Kafka mirrors node.id and broker.id into each other (KafkaConfig.populateSynonyms), so broker 1
  // describes both as 1.
  assert.is(res!.entries['node.id']?.value, '1', 'node.id of broker 1');
  assert.is(res!.entries['broker.id']?.value, '1', 'broker.id of broker 1');
});

test('describe_configs of a missing topic answers UNKNOWN_TOPIC_OR_PARTITION for that resource', () => {
  const [res] = ok<ConfigResult[]>('describe_configs_missing_topic');
  assert.is(res!.error_code, 3);
  assert.equal(res!.entries, {});
});

test('alter_configs replaces the topic overrides; describe_configs shows the new values', () => {
  const res = ok<{ resources: Array<{ error_code: number; resource_type: number; resource_name: string }> }>('alter_configs');
  assert.equal(
    res.resources.map((x) => [x.error_code, x.resource_type, x.resource_name]),
    [[0, 2, 'kp-b']],
  );
  const [after] = ok<ConfigResult[]>('describe_configs_b_after_alter');
  assert.equal([after!.entries['retention.ms']!.value, after!.entries['retention.ms']!.source], ['7200000', SOURCE.TOPIC]);
  assert.equal([after!.entries['cleanup.policy']!.value, after!.entries['cleanup.policy']!.source], ['compact', SOURCE.TOPIC]);
});

test('alter_configs with retention.ms=abc answers INVALID_CONFIG and changes nothing', () => {
  const res = ok<{ resources: Array<{ error_code: number; error_message: string | null; resource_name: string }> }>('alter_configs_invalid');
  assert.is(res.resources[0]!.error_code, 40);
  assert.is(res.resources[0]!.error_message, 'Invalid value abc for configuration retention.ms: Not a number of type LONG');
  const unknown = ok<{ resources: Array<{ error_code: number; error_message: string | null }> }>('alter_configs_unknown_key');
  assert.is(unknown.resources[0]!.error_code, 40, `unknown config key: ${JSON.stringify(unknown.resources[0])}`);
  const [after] = ok<ConfigResult[]>('describe_configs_b_after_invalid_alter');
  assert.is(after!.entries['retention.ms']!.value, '7200000');
  assert.is(after!.entries['cleanup.policy']!.value, 'compact');
});

test('create_partitions grows kp-a from 2 to 4 partitions', () => {
  const res = ok<TopicErrors>('create_partitions');
  assert.equal(
    res.topic_errors.map((t) => [t.topic, t.error_code]),
    [['kp-a', 0]],
  );
  const after = ok<Record<string, { partitions: Array<{ partition: number; leader: number }> }>>('describe_topics_after_partitions');
  assert.equal(
    after['kp-a']!.partitions.map((p) => [p.partition, p.leader]),
    [
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ],
  );
});

test('create_partitions to fewer partitions raises InvalidPartitionsError; to a missing topic UnknownTopicOrPartitionError', () => {
  const shrink = raised('create_partitions_shrink');
  assert.is(shrink.error, 'InvalidPartitionsError');
  assert.is(shrink.errno, 37);
  const missing = raised('create_partitions_missing_topic');
  assert.is(missing.error, 'UnknownTopicOrPartitionError');
  assert.is(missing.errno, 3);
});

test('create_topics of an existing topic raises TopicAlreadyExistsError', () => {
  const e = raised('create_existing');
  assert.is(e.error, 'TopicAlreadyExistsError');
  assert.is(e.errno, 36);
});

test('create_topics with an invalid name raises InvalidTopicError', () => {
  const e = raised('create_invalid_name');
  assert.is(e.error, 'InvalidTopicError');
  assert.is(e.errno, 17);
});

test('create_topics with replication factor 3 on one broker raises InvalidReplicationFactorError', () => {
  const e = raised('create_rf3');
  assert.is(e.error, 'InvalidReplicationFactorError');
  assert.is(e.errno, 38);
});

test('create_topics with retention.ms=abc raises InvalidConfigurationError; with 0 partitions InvalidPartitionsError', () => {
  const cfg = raised('create_invalid_config');
  assert.is(cfg.error, 'InvalidConfigurationError');
  assert.is(cfg.errno, 40);
  const zero = raised('create_zero_partitions');
  assert.is(zero.error, 'InvalidPartitionsError');
  assert.is(zero.errno, 37);
  assert.is(broker.metadata.topic('kp-badcfg'), undefined);
  assert.is(broker.metadata.topic('kp-zero'), undefined);
});

test('delete_topics removes kp-a; deleting a missing topic raises UnknownTopicOrPartitionError', () => {
  const res = ok<{ topic_error_codes: Array<{ topic: string; error_code: number }> }>('delete');
  assert.equal(
    res.topic_error_codes.map((t) => [t.topic, t.error_code]),
    [['kp-a', 0]],
  );
  assert.equal(ok<string[]>('list_after_delete'), ['kp-b']);
  const e = raised('delete_missing');
  assert.is(e.error, 'UnknownTopicOrPartitionError');
  assert.is(e.errno, 3);
});

test.run();
