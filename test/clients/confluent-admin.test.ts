// requires: python-kafka
// confluent-kafka-python 1.7.0 (librdkafka 2.0.2, Debian python3-confluent-kafka) AdminClient
// against a real samsa broker: create_topics (also validate_only), list_topics, describe_configs
// for a topic and for broker "1", alter_configs (1.7.0 has no incremental_alter_configs),
// create_partitions, delete_topics, and the KafkaError codes librdkafka hands back in the futures.
// The Python side is py/confluent_admin.py; it runs every step once and prints what each returned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { runPythonJson } from './helpers.js';

type Step<T = any> = { ok: T } | { error: string; code: number | null; message: string; trace?: string };
interface Entry {
  value: string | null;
  source: string;
  is_default: boolean;
  is_read_only: boolean;
  is_sensitive: boolean;
  synonyms: Array<[string, string | null, string]>;
}
interface Metadata {
  cluster_id: string;
  controller_id: number;
  brokers: Array<[number, string, number]>;
  topics: Record<string, { error: string | null; partitions: Array<[number, number, number[], number[]]> }>;
}

let broker: Broker;
let r: Record<string, Step>;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  r = await runPythonJson('confluent_admin.py', [broker.bootstrap], 150_000);
});

test.after(async () => {
  await broker?.close();
});

function ok<T = any>(name: string): T {
  const s = r[name];
  assert.ok(s, `step ${name} ran`);
  if ('error' in s!)
    assert.unreachable(
      `step ${name} failed with ${s.error} (${s.code}): ${s.message}${s.trace ? ` [${s.trace.trim().split('\n').slice(-3).join(' | ')}]` : ''}`,
    );
  return (s as { ok: T }).ok;
}

function failed(name: string): { error: string; code: number | null; message: string } {
  const s = r[name];
  assert.ok(s, `step ${name} ran`);
  if ('ok' in s!) assert.unreachable(`step ${name} returned ${JSON.stringify(s.ok)} instead of failing`);
  return s as { error: string; code: number | null; message: string };
}

function partitions(n: number): Array<[number, number, number[], number[]]> {
  return Array.from({ length: n }, (_, i) => [i, 1, [1], [1]] as [number, number, number[], number[]]);
}

test('create_topics: both futures resolve to None (success)', () => {
  assert.equal(ok('create'), { 'cf-a': null, 'cf-b': null });
});

test('list_topics: broker 1 at the bootstrap address, controller 1, cluster id, topics with partitions and leaders', () => {
  const md = ok<Metadata>('metadata');
  const [host, port] = [broker.bootstrap.slice(0, broker.bootstrap.lastIndexOf(':')), broker.port];
  assert.equal(md.brokers, [[1, host, port]]);
  assert.is(md.controller_id, 1);
  assert.is(md.cluster_id, broker.metadata.clusterId);
  assert.equal(Object.keys(md.topics).sort(), ['cf-a', 'cf-b']);
  assert.equal(md.topics['cf-a'], { error: null, partitions: partitions(3) });
  assert.equal(md.topics['cf-b'], { error: null, partitions: partitions(1) });
  const one = ok<Metadata>('metadata_one');
  assert.equal(Object.keys(one.topics), ['cf-a']);
});

test('create_topics(validate_only=True) succeeds, creates nothing, and still reports an existing topic', () => {
  assert.is(ok('validate_only'), null);
  const existing = failed('validate_only_existing');
  assert.is(existing.error, 'TOPIC_ALREADY_EXISTS');
  assert.equal(ok<string[]>('topics_after_validate_only'), ['cf-a', 'cf-b']);
});

test('describe_configs(topic): the override as DYNAMIC_TOPIC_CONFIG, defaults as DEFAULT_CONFIG', () => {
  const c = ok<Record<string, Entry>>('describe_topic');
  assert.is(c['retention.ms']?.value, '3600000');
  assert.is(c['retention.ms']?.source, 'DYNAMIC_TOPIC_CONFIG');
  assert.is(c['retention.ms']?.is_default, false);
  assert.is(c['cleanup.policy']?.value, 'delete');
  assert.is(c['cleanup.policy']?.source, 'DEFAULT_CONFIG');
  assert.is(c['cleanup.policy']?.is_default, true);
  assert.is(c['compression.type']?.value, 'producer');
  assert.is(c['max.message.bytes']?.value, '1048588');
  assert.is(c['min.insync.replicas']?.value, '1');
  assert.is(c['retention.bytes']?.value, '-1');
  for (const [name, e] of Object.entries(c)) {
    assert.is(e.is_read_only, false, `${name} is not read-only for a topic`);
    assert.is(e.is_sensitive, false, `${name} is not sensitive`);
  }
});

test('describe_configs(broker "1"): broker configs with their defaults', () => {
  const c = ok<Record<string, Entry>>('describe_broker');
  assert.is(c['num.partitions']?.value, '1');
  assert.is(c['auto.create.topics.enable']?.value, 'true');
  assert.is(c['log.retention.hours']?.value, '168');
  assert.is(c['default.replication.factor']?.value, '1');
  assert.is(c['delete.topic.enable']?.value, 'true');
  assert.is(c['log.retention.hours']?.source, 'DEFAULT_CONFIG');
  assert.ok(Object.keys(c).length >= 30, `a full broker config set, got ${Object.keys(c).length}`);
});

test('describe_configs of a missing topic fails with UNKNOWN_TOPIC_OR_PART', () => {
  const e = failed('describe_missing_topic');
  assert.is(e.error, 'UNKNOWN_TOPIC_OR_PART');
  assert.is(e.code, 3);
});

test('alter_configs(topic) replaces the overrides; validate_only and invalid values change nothing', () => {
  assert.is(ok('alter'), null);
  const after = ok<Record<string, Entry>>('describe_topic_after_alter');
  assert.equal([after['retention.ms']?.value, after['retention.ms']?.source], ['7200000', 'DYNAMIC_TOPIC_CONFIG']);
  assert.equal([after['cleanup.policy']?.value, after['cleanup.policy']?.source], ['compact', 'DYNAMIC_TOPIC_CONFIG']);
  assert.is(ok('alter_validate_only'), null);
  const bad = failed('alter_invalid');
  assert.is(bad.error, 'INVALID_CONFIG');
  assert.is(bad.code, 40);
  assert.match(bad.message, 'Invalid value abc for configuration retention.ms');
  const final = ok<Record<string, Entry>>('describe_topic_after_failed_alters');
  assert.is(final['retention.ms']?.value, '7200000');
  assert.is(final['cleanup.policy']?.value, 'compact');
});

test('alter_configs(broker "1") sets a dynamic broker config, shown as DYNAMIC_BROKER_CONFIG', () => {
  assert.is(ok('alter_broker'), null);
  const c = ok<Record<string, Entry>>('describe_broker_after_alter');
  assert.is(c['log.retention.ms']?.value, '86400000');
  assert.is(c['log.retention.ms']?.source, 'DYNAMIC_BROKER_CONFIG');
});

test('create_partitions grows cf-a to 5; validate_only and shrinking change nothing', () => {
  assert.is(ok('create_partitions'), null);
  assert.equal(ok<Metadata>('metadata_after_partitions').topics['cf-a'], { error: null, partitions: partitions(5) });
  assert.is(ok('create_partitions_validate_only'), null);
  const shrink = failed('create_partitions_shrink');
  assert.is(shrink.error, 'INVALID_PARTITIONS');
  assert.is(shrink.code, 37);
  assert.is(ok<number>('partitions_after_failed_creates'), 5);
});

test('create_topics errors: TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG, TOPIC_EXCEPTION', () => {
  const exists = failed('create_existing');
  assert.equal([exists.error, exists.code], ['TOPIC_ALREADY_EXISTS', 36]);
  const rf = failed('create_rf3');
  assert.equal([rf.error, rf.code], ['INVALID_REPLICATION_FACTOR', 38]);
  const cfg = failed('create_invalid_config');
  assert.equal([cfg.error, cfg.code], ['INVALID_CONFIG', 40]);
  assert.match(cfg.message, 'Invalid value abc for configuration retention.ms');
  const name = failed('create_invalid_name');
  assert.equal([name.error, name.code], ['TOPIC_EXCEPTION', 17]);
  assert.is(broker.metadata.topic('cf-rf3'), undefined);
  assert.is(broker.metadata.topic('cf-badcfg'), undefined);
});

test('delete_topics removes cf-a; deleting a missing topic fails with UNKNOWN_TOPIC_OR_PART', () => {
  assert.is(ok('delete'), null);
  assert.equal(ok<string[]>('topics_after_delete'), ['cf-b']);
  const missing = failed('delete_missing');
  assert.equal([missing.error, missing.code], ['UNKNOWN_TOPIC_OR_PART', 3]);
});

test.run();
