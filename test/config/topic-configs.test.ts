import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BrokerConfig,
  TOPIC_CONFIGS,
  TOPIC_CONFIG_BY_NAME,
  configSourceCode,
  configTypeCode,
  effectiveTopicConfig,
  resolveTopicConfig,
  validateTopicConfigs,
  validateValue,
} from '../../src/config/index.js';

// What a Kafka 4.1.0 broker lists for a topic in DescribeConfigs (../shared/kafka-golden), with
// value and DescribeConfigs ConfigType code for a broker on defaults.
const KAFKA_41_TOPIC_DEFAULTS: Record<string, [string, number]> = {
  'cleanup.policy': ['delete', 7],
  'compression.gzip.level': ['-1', 3],
  'compression.lz4.level': ['9', 3],
  'compression.type': ['producer', 2],
  'compression.zstd.level': ['3', 3],
  'delete.retention.ms': ['86400000', 5],
  'file.delete.delay.ms': ['60000', 5],
  'flush.messages': ['9223372036854775807', 5],
  'flush.ms': ['9223372036854775807', 5],
  'follower.replication.throttled.replicas': ['', 7],
  'index.interval.bytes': ['4096', 3],
  'leader.replication.throttled.replicas': ['', 7],
  'local.retention.bytes': ['-2', 5],
  'local.retention.ms': ['-2', 5],
  'max.compaction.lag.ms': ['9223372036854775807', 5],
  'max.message.bytes': ['1048588', 3],
  'message.timestamp.after.max.ms': ['3600000', 5],
  'message.timestamp.before.max.ms': ['9223372036854775807', 5],
  'message.timestamp.type': ['CreateTime', 2],
  'min.cleanable.dirty.ratio': ['0.5', 6],
  'min.compaction.lag.ms': ['0', 5],
  'min.insync.replicas': ['1', 3],
  preallocate: ['false', 1],
  'remote.log.copy.disable': ['false', 1],
  'remote.log.delete.on.disable': ['false', 1],
  'remote.storage.enable': ['false', 1],
  'retention.bytes': ['-1', 5],
  'retention.ms': ['604800000', 5],
  'segment.bytes': ['1073741824', 3],
  'segment.index.bytes': ['10485760', 3],
  'segment.jitter.ms': ['0', 5],
  'segment.ms': ['604800000', 5],
  'unclean.leader.election.enable': ['false', 1],
};

test('the topic configs are exactly Kafka 4.1s, with its defaults and types', () => {
  assert.equal(
    TOPIC_CONFIGS.map((d) => d.name),
    Object.keys(KAFKA_41_TOPIC_DEFAULTS).sort(),
  );
  const resolved = resolveTopicConfig(BrokerConfig.load());
  for (const e of resolved) {
    const [value, typeCode] = KAFKA_41_TOPIC_DEFAULTS[e.name]!;
    assert.is(e.value, value, e.name);
    assert.is(configTypeCode(e.type), typeCode, e.name);
    assert.is(e.source, 'default', e.name);
    assert.is(e.readOnly, false);
    assert.is(e.sensitive, false);
    assert.ok(e.doc.length > 20, `${e.name} has documentation`);
  }
  for (const removed of ['message.downconversion.enable', 'message.format.version', 'message.timestamp.difference.max.ms']) {
    assert.not.ok(TOPIC_CONFIG_BY_NAME.has(removed), removed);
  }
});

test('each topic config default is valid and canonical; every synonym is a broker config', () => {
  const broker = BrokerConfig.load();
  for (const def of TOPIC_CONFIGS) {
    const r = validateValue(def, def.default!);
    assert.ok(r.ok && r.value === def.default, def.name);
    for (const s of def.synonyms) assert.not.throws(() => broker.get(s.name), `${def.name} -> ${s.name}`);
  }
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('retention.ms')!.synonyms.map((s) => s.name),
    ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  );
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('segment.ms')!.synonyms.map((s) => s.name),
    ['log.roll.ms', 'log.roll.hours'],
  );
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('max.message.bytes')!.synonyms.map((s) => s.name),
    ['message.max.bytes'],
  );
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('cleanup.policy')!.synonyms.map((s) => s.name),
    ['log.cleanup.policy'],
  );
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('segment.bytes')!.synonyms.map((s) => s.name),
    ['log.segment.bytes'],
  );
  assert.equal(
    TOPIC_CONFIG_BY_NAME.get('file.delete.delay.ms')!.synonyms.map((s) => s.name),
    ['log.segment.delete.delay.ms'],
  );
});

test('resolution: defaults with their broker synonyms', () => {
  const byName = new Map(resolveTopicConfig(BrokerConfig.load()).map((e) => [e.name, e]));
  assert.equal(byName.get('compression.type')!.synonyms, [{ name: 'compression.type', value: 'producer', source: 'default' }]);
  assert.equal(byName.get('segment.ms')!.synonyms, [{ name: 'log.roll.hours', value: '168', source: 'default' }]);
  assert.equal(byName.get('remote.storage.enable')!.synonyms, []);
  assert.is(configSourceCode(byName.get('retention.ms')!.source), 5);
});

test('resolution: topic override > dynamic broker > static broker > default, with unit conversion', () => {
  const broker = BrokerConfig.load({ text: 'log.retention.hours=24\nlog.segment.bytes=2097152\nlog.roll.hours=1' });
  let byName = new Map(resolveTopicConfig(broker, new Map([['segment.bytes', '4194304']])).map((e) => [e.name, e]));

  const retention = byName.get('retention.ms')!;
  assert.equal([retention.value, retention.source], ['86400000', 'static-broker']);
  assert.equal(retention.synonyms, [
    { name: 'log.retention.hours', value: '24', source: 'static-broker' },
    { name: 'log.retention.hours', value: '168', source: 'default' },
  ]);
  assert.is(configSourceCode(retention.source), 4);

  const segment = byName.get('segment.bytes')!;
  assert.equal([segment.value, segment.source], ['4194304', 'topic']);
  assert.equal(segment.synonyms, [
    { name: 'segment.bytes', value: '4194304', source: 'topic' },
    { name: 'log.segment.bytes', value: '2097152', source: 'static-broker' },
    { name: 'log.segment.bytes', value: '1073741824', source: 'default' },
  ]);
  assert.is(configSourceCode(segment.source), 1);
  assert.equal([byName.get('segment.ms')!.value, byName.get('segment.ms')!.source], ['3600000', 'static-broker']);

  broker.setDynamic('log.retention.ms', '5000');
  byName = new Map(resolveTopicConfig(broker, { 'retention.bytes': '100' }).map((e) => [e.name, e]));
  const dynamicRetention = byName.get('retention.ms')!;
  assert.equal([dynamicRetention.value, dynamicRetention.source], ['5000', 'dynamic-broker']);
  assert.equal(
    dynamicRetention.synonyms.map((s) => `${s.name}=${s.value}/${s.source}`),
    ['log.retention.ms=5000/dynamic-broker', 'log.retention.hours=24/static-broker', 'log.retention.hours=168/default'],
  );
  assert.is(configSourceCode(dynamicRetention.source), 2);
  assert.equal([byName.get('retention.bytes')!.value, byName.get('retention.bytes')!.source], ['100', 'topic']);

  broker.setDynamic('min.insync.replicas', '2', 'cluster');
  const isr = resolveTopicConfig(broker).find((e) => e.name === 'min.insync.replicas')!;
  assert.equal([isr.value, isr.source, configSourceCode(isr.source)], ['2', 'dynamic-default-broker', 3]);
});

test('resolution: minutes convert, negative retention means -1, overrides are canonicalised', () => {
  const minutes = BrokerConfig.load({ text: 'log.retention.minutes=10' });
  assert.is(effectiveTopicConfig(minutes).get('retention.ms'), '600000');
  const unlimited = BrokerConfig.load({ text: 'log.retention.hours=-1' });
  assert.is(effectiveTopicConfig(unlimited).get('retention.ms'), '-1');
  const map = effectiveTopicConfig(BrokerConfig.load(), { 'cleanup.policy': 'compact, delete', preallocate: 'TRUE' });
  assert.is(map.get('cleanup.policy'), 'compact,delete');
  assert.is(map.get('preallocate'), 'true');
});

test('validateTopicConfigs: unknown names, bad values, conflicts, deletes', () => {
  assert.is(validateTopicConfigs({}), null);
  assert.is(validateTopicConfigs({ 'cleanup.policy': 'compact,delete', 'retention.ms': '-1', 'compression.type': 'zstd' }), null);
  assert.is(validateTopicConfigs({ foo: '1' }), 'Unknown topic config name: foo');
  assert.is(validateTopicConfigs({ 'retention.ms': '1000', 'log.retention.ms': '1' }), 'Unknown topic config name: log.retention.ms');
  assert.is(validateTopicConfigs({ 'message.downconversion.enable': 'true' }), 'Unknown topic config name: message.downconversion.enable');
  assert.is(validateTopicConfigs({ 'retention.ms': 'abc' }), 'Invalid value abc for configuration retention.ms: Not a number of type LONG');
  assert.is(validateTopicConfigs({ 'retention.ms': '-2' }), 'Invalid value -2 for configuration retention.ms: Value must be at least -1');
  assert.is(validateTopicConfigs({ 'cleanup.policy': 'foo' }), 'Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete');
  assert.is(validateTopicConfigs({ 'segment.bytes': '1000' }), 'Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576');
  assert.is(
    validateTopicConfigs({ 'message.timestamp.type': 'NoTime' }),
    'Invalid value NoTime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
  );
  assert.is(
    validateTopicConfigs({ 'compression.zstd.level': '23' }),
    'Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22',
  );
  assert.is(
    validateTopicConfigs({ 'leader.replication.throttled.replicas': '0:1,x' }),
    "Invalid value 0:1,x for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...",
  );
  assert.is(validateTopicConfigs({ 'leader.replication.throttled.replicas': '*' }), null);
  assert.is(
    validateTopicConfigs({ 'min.compaction.lag.ms': '10', 'max.compaction.lag.ms': '5' }),
    'conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)',
  );
  assert.match(validateTopicConfigs({ 'remote.storage.enable': 'true' })!, /Tiered Storage functionality is disabled/);
  // null deletes an override: only the name is checked.
  assert.is(validateTopicConfigs({ 'retention.ms': null }), null);
  assert.is(validateTopicConfigs({ nope: null }), 'Unknown topic config name: nope');
});

test.run();
