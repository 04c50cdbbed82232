import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig, ConfigError, BROKER_CONFIGS, CONFIG_SOURCE_CODES, configSourceCode } from '../../src/config/index.js';

// Modelled on Kafka 4.x config/server.properties (single node, KRaft, broker and controller).
const KAFKA_4_SERVER_PROPERTIES = `# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements.

############################# Server Basics #############################

# The role of this server. Setting this puts us in KRaft mode
process.roles=broker,controller

# The node id associated with this instance's roles
node.id=1

# List of controller endpoints used connect to the controller cluster
controller.quorum.bootstrap.servers=localhost:9093

############################# Socket Server Settings #############################

# The address the socket server listens on.
#   FORMAT:
#     listeners = listener_name://host_name:port
listeners=PLAINTEXT://:9092,CONTROLLER://:9093

# Name of listener used for communication between brokers.
inter.broker.listener.name=PLAINTEXT

# Listener name, hostname and port the broker or the controller will advertise to clients.
advertised.listeners=PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093

# A comma-separated list of the names of the listeners used by the controller.
controller.listener.names=CONTROLLER

# Maps listener names to security protocols, the default is for them to be the same.
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL

num.network.threads=3
num.io.threads=8
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600

############################# Log Basics #############################

log.dirs=/tmp/kraft-combined-logs
num.partitions=1
num.recovery.threads.per.data.dir=1

############################# Internal Topic Settings  #############################
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1

############################# Log Flush Policy #############################
#log.flush.interval.messages=10000
#log.flush.interval.ms=1000

############################# Log Retention Policy #############################
log.retention.hours=168
#log.retention.bytes=1073741824
log.segment.bytes=1073741824
log.retention.check.interval.ms=300000
`;

function loadError(options: Parameters<typeof BrokerConfig.load>[0]): string {
  try {
    BrokerConfig.load(options);
  } catch (err) {
    assert.instance(err, ConfigError);
    const message = (err as Error).message;
    assert.not.match(message, '\n');
    return message;
  }
  assert.unreachable('expected a ConfigError');
  return '';
}

test('defaults: Kafka values, samsa development defaults where documented', () => {
  const c = BrokerConfig.load();
  assert.is(c.getInt('num.partitions'), 1);
  assert.is(c.getInt('socket.request.max.bytes'), 104857600);
  assert.is(c.getLong('connections.max.idle.ms'), 600000);
  assert.is(c.getInt('message.max.bytes'), 1048588);
  assert.is(c.getBoolean('auto.create.topics.enable'), true);
  assert.is(c.getString('compression.type'), 'producer');
  assert.equal(c.getList('log.cleanup.policy'), ['delete']);
  assert.is(c.getDouble('log.cleaner.min.cleanable.ratio'), 0.5);
  assert.is(c.getString('log.flush.interval.messages'), '9223372036854775807');
  assert.is(c.getString('advertised.listeners'), null);
  assert.is(c.getInt('num.recovery.threads.per.data.dir'), 2);
  assert.is(c.getLong('log.message.timestamp.after.max.ms'), 3600000);
  // samsa's development defaults, each documented as such.
  assert.is(c.getString('listeners'), 'PLAINTEXT://127.0.0.1:9092');
  assert.equal(c.logDirs(), ['./samsa-data']);
  assert.is(c.getInt('group.initial.rebalance.delay.ms'), 0);
  assert.is(c.getInt('offsets.topic.replication.factor'), 1);
  assert.is(c.getInt('transaction.state.log.replication.factor'), 1);
  assert.is(c.getInt('transaction.state.log.min.isr'), 1);
  for (const name of [
    'listeners',
    'log.dirs',
    'group.initial.rebalance.delay.ms',
    'offsets.topic.replication.factor',
    'transaction.state.log.replication.factor',
    'transaction.state.log.min.isr',
  ]) {
    assert.match(BROKER_CONFIGS.find((d) => d.name === name)!.doc, 'samsa default', name);
  }
  assert.is(c.getString('samsa.storage'), 'disk');
  assert.is(c.getString('samsa.log.level'), 'info');
  assert.is(c.nodeId(), 1);
  assert.is(c.source('num.partitions'), 'default');
});

test('precedence: defaults < file < text < overrides', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'));
  try {
    const file = join(dir, 'server.properties');
    writeFileSync(file, 'num.partitions=3\nlog.retention.hours=24\ndefault.replication.factor=1\n');
    const c = BrokerConfig.load({ file, text: 'default.replication.factor=2', overrides: { 'num.partitions': '6' } });
    assert.is(c.getInt('num.partitions'), 6);
    assert.is(c.getInt('log.retention.hours'), 24);
    assert.is(c.getInt('default.replication.factor'), 2);
    assert.is(c.source('num.partitions'), 'static');
    assert.is(c.source('log.retention.hours'), 'static');
    assert.is(c.source('num.io.threads'), 'default');
    assert.ok(c.isSet('log.retention.hours'));
    assert.not.ok(c.isSet('log.retention.ms'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown key: one line, with a suggestion within edit distance 2', () => {
  assert.is(loadError({ overrides: { 'log.retention.hour': '1' } }), "Unknown configuration 'log.retention.hour' (did you mean 'log.retention.hours'?)");
  assert.is(loadError({ text: 'num.partiton=3' }), "Unknown configuration 'num.partiton' (did you mean 'num.partitions'?)");
  assert.is(loadError({ text: 'foo.bar=1' }), "Unknown configuration 'foo.bar'");
  assert.is(
    loadError({ text: 'retention.ms=1000' }),
    "Unknown configuration 'retention.ms': it is a topic config; the broker-wide default is 'log.retention.ms'",
  );
  assert.match(loadError({ text: 'zookeeper.connect=localhost:2181' }), /^Unknown configuration 'zookeeper.connect': ZooKeeper mode was removed in Kafka 4.0/);
  // The first problem stops loading, even if later keys are bad too.
  assert.is(loadError({ text: 'nope=1\nnum.partitions=x' }), "Unknown configuration 'nope'");
});

test('invalid values use Kafka wording', () => {
  assert.is(loadError({ overrides: { 'num.partitions': 'abc' } }), 'Invalid value abc for configuration num.partitions: Not a number of type INT');
  assert.is(loadError({ overrides: { 'num.partitions': '0' } }), 'Invalid value 0 for configuration num.partitions: Value must be at least 1');
  assert.is(loadError({ overrides: { 'log.retention.ms': '7d' } }), 'Invalid value 7d for configuration log.retention.ms: Not a number of type LONG');
  assert.is(
    loadError({ overrides: { 'log.segment.bytes': '1024' } }),
    'Invalid value 1024 for configuration log.segment.bytes: Value must be at least 1048576',
  );
  assert.is(
    loadError({ overrides: { 'auto.create.topics.enable': 'yes' } }),
    'Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false',
  );
});

test('enum validation names the accepted values', () => {
  assert.is(
    loadError({ overrides: { 'log.cleanup.policy': 'compact,foo' } }),
    'Invalid value foo for configuration log.cleanup.policy: String must be one of: compact, delete',
  );
  assert.is(
    loadError({ overrides: { 'compression.type': 'brotli' } }),
    'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer',
  );
  assert.is(loadError({ overrides: { 'samsa.storage': 'ram' } }), 'Invalid value ram for configuration samsa.storage: String must be one of: disk, memory');
  assert.is(
    loadError({ overrides: { 'log.message.timestamp.type': 'createtime' } }),
    'Invalid value createtime for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
  );
  const c = BrokerConfig.load({ overrides: { 'log.cleanup.policy': 'compact, delete', 'samsa.log.level': 'DEBUG', 'samsa.storage': 'memory' } });
  assert.equal(c.getList('log.cleanup.policy'), ['compact', 'delete']);
  assert.is(c.getString('samsa.log.level'), 'debug');
  assert.is(c.storage(), 'memory');
});

test('log.retention: ms > minutes > hours, negative means unlimited', () => {
  assert.is(BrokerConfig.load().logRetentionMs(), 168 * 3600_000);
  assert.is(BrokerConfig.load({ text: 'log.retention.hours=24' }).logRetentionMs(), 24 * 3600_000);
  assert.is(BrokerConfig.load({ text: 'log.retention.hours=24\nlog.retention.minutes=30' }).logRetentionMs(), 30 * 60_000);
  assert.is(BrokerConfig.load({ text: 'log.retention.hours=24\nlog.retention.minutes=30\nlog.retention.ms=1234' }).logRetentionMs(), 1234);
  assert.is(BrokerConfig.load({ text: 'log.retention.ms=-1' }).logRetentionMs(), -1);
  assert.is(BrokerConfig.load({ text: 'log.retention.hours=-1' }).logRetentionMs(), -1);
  assert.match(loadError({ text: 'log.retention.ms=0' }), /^log.retention.ms must be unlimited \(-1\) or, greater than or equal to 1/);
});

test('log.roll, jitter and flush intervals follow their synonyms', () => {
  assert.is(BrokerConfig.load().logRollMs(), 168 * 3600_000);
  assert.is(BrokerConfig.load({ text: 'log.roll.hours=2' }).logRollMs(), 2 * 3600_000);
  assert.is(BrokerConfig.load({ text: 'log.roll.hours=2\nlog.roll.ms=5000' }).logRollMs(), 5000);
  assert.is(BrokerConfig.load({ text: 'log.roll.jitter.hours=1' }).logRollJitterMs(), 3600_000);
  assert.is(BrokerConfig.load({ text: 'log.flush.interval.ms=1000' }).logFlushIntervalMs(), 1000);
});

test('log.dirs > log.dir > samsa default', () => {
  assert.equal(BrokerConfig.load({ text: 'log.dirs=/a, /b' }).logDirs(), ['/a', '/b']);
  assert.equal(BrokerConfig.load({ text: 'log.dir=/only' }).logDirs(), ['/only']);
  assert.equal(BrokerConfig.load({ text: 'log.dir=/x\nlog.dirs=/y' }).logDirs(), ['/y']);
  assert.is(loadError({ text: 'log.dirs=' }), 'At least one log directory must be defined via log.dirs or log.dir.');
});

test('listeners: empty host, IPv6, names upper-cased, security protocols', () => {
  const c = BrokerConfig.load({
    overrides: {
      listeners: 'PLAINTEXT://:9092,ssl://[::1]:9093,PLAIN2://0.0.0.0:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SSL:SSL,PLAIN2:PLAINTEXT',
    },
  });
  assert.equal(c.listeners(), [
    { name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' },
    { name: 'SSL', host: '::1', port: 9093, securityProtocol: 'SSL' },
    { name: 'PLAIN2', host: '0.0.0.0', port: 0, securityProtocol: 'PLAINTEXT' },
  ]);
  assert.equal(BrokerConfig.load({ overrides: { listeners: 'PLAINTEXT://[::1]:9092' } }).listeners(), [
    { name: 'PLAINTEXT', host: '::1', port: 9092, securityProtocol: 'PLAINTEXT' },
  ]);
  assert.equal(BrokerConfig.load().listeners(), [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }]);
});

test('advertised.listeners default to the listeners, without controller listeners', () => {
  const plain = BrokerConfig.load({ overrides: { listeners: 'PLAINTEXT://:0' } });
  assert.equal(plain.advertisedListeners(), plain.listeners());
  const kraft = BrokerConfig.load({ text: 'listeners=PLAINTEXT://:9092,CONTROLLER://:9093\ncontroller.listener.names=CONTROLLER' });
  assert.equal(
    kraft.listeners().map((l) => l.name),
    ['PLAINTEXT', 'CONTROLLER'],
  );
  assert.equal(
    kraft.brokerListeners().map((l) => l.name),
    ['PLAINTEXT'],
  );
  assert.equal(kraft.advertisedListeners(), [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
  const adv = BrokerConfig.load({ text: 'listeners=PLAINTEXT://0.0.0.0:9092\nadvertised.listeners=PLAINTEXT://broker.example.com:19092' });
  assert.equal(adv.advertisedListeners(), [{ name: 'PLAINTEXT', host: 'broker.example.com', port: 19092, securityProtocol: 'PLAINTEXT' }]);
});

test('listener errors are one clear line', () => {
  assert.match(
    loadError({ overrides: { listeners: 'PLAINTEXT//localhost:9092' } }),
    /^Invalid value PLAINTEXT\/\/localhost:9092 for configuration listeners: Unable to parse .* expected NAME:\/\/host:port/,
  );
  assert.match(loadError({ overrides: { listeners: 'PLAINTEXT://:99999' } }), /must be between 0 and 65535/);
  assert.match(loadError({ overrides: { listeners: 'PLAINTEXT://:1,PLAINTEXT://:2' } }), /must have a different name/);
  assert.is(
    loadError({ overrides: { listeners: 'CLIENT://:9092' } }),
    'No security protocol defined for listener CLIENT; add CLIENT:PLAINTEXT (or another protocol) to listener.security.protocol.map',
  );
  assert.match(loadError({ overrides: { 'advertised.listeners': 'OTHER://h:1' } }), /OTHER is not in listeners/);
  assert.match(loadError({ overrides: { 'advertised.listeners': 'PLAINTEXT://0.0.0.0:9092' } }), /nonroutable meta-address 0.0.0.0/);
  assert.match(loadError({ overrides: { 'listener.security.protocol.map': 'PLAINTEXT:TLS' } }), /Unknown security protocol TLS/);
});

test('node.id, broker.id', () => {
  assert.is(BrokerConfig.load({ text: 'node.id=3' }).nodeId(), 3);
  assert.is(BrokerConfig.load({ text: 'broker.id=0' }).nodeId(), 0);
  assert.is(BrokerConfig.load({ text: 'node.id=2\nbroker.id=2' }).nodeId(), 2);
  assert.match(loadError({ text: 'node.id=1\nbroker.id=2' }), /broker.id \(2\) must be equal to node.id \(1\)/);
});

test('dynamic broker configs: validated, read-only refused, win over static', () => {
  const c = BrokerConfig.load({ text: 'log.retention.ms=5000' });
  c.setDynamic('log.retention.ms', '60000');
  assert.is(c.logRetentionMs(), 60000);
  assert.is(c.source('log.retention.ms'), 'dynamic-broker');
  assert.equal(c.dynamicEntries(), { 'log.retention.ms': '60000' });
  assert.throws(
    () => c.setDynamic('log.dirs', '/x'),
    (e: Error) => e instanceof ConfigError && /log.dirs.*static broker config/.test(e.message),
  );
  assert.throws(
    () => c.setDynamic('log.retention.hours', '1'),
    (e: Error) => e instanceof ConfigError && /static broker config/.test(e.message),
  );
  assert.throws(
    () => c.setDynamic('log.retention.ms', 'abc'),
    (e: Error) => e.message === 'Invalid value abc for configuration log.retention.ms: Not a number of type LONG',
  );
  assert.throws(() => c.setDynamic('log.retention.ms', '0'), /log.retention.ms must be unlimited/);
  assert.is(c.logRetentionMs(), 60000, 'a rejected change leaves the old value');
  assert.throws(() => c.setDynamic('no.such', '1'), /Unknown configuration 'no.such'/);
  // The cluster-wide default sits between static and per-broker values.
  c.setDynamic('message.max.bytes', '2000000', 'cluster');
  assert.is(c.source('message.max.bytes'), 'dynamic-default-broker');
  c.setDynamic('message.max.bytes', '3000000');
  assert.is(c.getInt('message.max.bytes'), 3000000);
  c.setDynamic('message.max.bytes', null);
  assert.is(c.getInt('message.max.bytes'), 2000000);
  c.setDynamic('log.retention.ms', null);
  assert.is(c.logRetentionMs(), 5000);
  assert.is(c.source('log.retention.ms'), 'static');
  assert.is(c.validateDynamic('num.io.threads', ' 16 '), '16');
});

test('entries(): every broker config with value, source, synonyms for DescribeConfigs', () => {
  const c = BrokerConfig.load({ text: 'log.retention.hours=24\nnum.partitions=3' });
  c.setDynamic('log.retention.ms', '1000');
  const entries = c.entries();
  assert.is(entries.length, BROKER_CONFIGS.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const partitions = byName.get('num.partitions')!;
  assert.equal([partitions.value, partitions.source, partitions.readOnly, partitions.type], ['3', 'static', true, 'int']);
  assert.equal(partitions.synonyms, [
    { name: 'num.partitions', value: '3', source: 'static' },
    { name: 'num.partitions', value: '1', source: 'default' },
  ]);
  const ms = byName.get('log.retention.ms')!;
  assert.equal([ms.value, ms.source, ms.readOnly], ['1000', 'dynamic-broker', false]);
  assert.equal(ms.synonyms, [
    { name: 'log.retention.ms', value: '1000', source: 'dynamic-broker' },
    { name: 'log.retention.hours', value: '24', source: 'static' },
    { name: 'log.retention.hours', value: '168', source: 'default' },
  ]);
  const hours = byName.get('log.retention.hours')!;
  assert.equal(
    hours.synonyms.map((s) => s.name),
    ['log.retention.hours', 'log.retention.hours'],
  );
  const roll = byName.get('log.roll.ms')!;
  assert.equal([roll.value, roll.source], [null, 'default']);
  assert.is(configSourceCode(ms.source), CONFIG_SOURCE_CODES['dynamic-broker']);
  assert.equal(CONFIG_SOURCE_CODES, { topic: 1, 'dynamic-broker': 2, 'dynamic-default-broker': 3, static: 4, 'static-broker': 4, default: 5 });
});

test('a stock Kafka 4.x KRaft server.properties starts samsa', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-config-'));
  try {
    const file = join(dir, 'server.properties');
    writeFileSync(file, KAFKA_4_SERVER_PROPERTIES);
    const c = BrokerConfig.load({ file, overrides: { 'log.dirs': join(dir, 'data') } });
    assert.is(c.nodeId(), 1);
    assert.equal(c.logDirs(), [join(dir, 'data')]);
    assert.is(c.logRetentionMs(), 168 * 3600_000);
    assert.is(c.getInt('log.segment.bytes'), 1073741824);
    assert.equal(c.brokerListeners(), [{ name: 'PLAINTEXT', host: '', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.equal(c.advertisedListeners(), [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 'PLAINTEXT' }]);
    assert.is(c.listeners().find((l) => l.name === 'CONTROLLER')!.securityProtocol, 'PLAINTEXT');
    assert.ok(c.ignoredSettings().includes('process.roles'));
    assert.ok(c.ignoredSettings().includes('num.io.threads'));
    assert.not.ok(c.ignoredSettings().includes('log.segment.bytes'));
    // The file's values are static; the rest keep their defaults.
    assert.is(c.source('offsets.topic.replication.factor'), 'static');
    assert.is(c.source('group.initial.rebalance.delay.ms'), 'default');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing config file is one line', () => {
  assert.is(loadError({ file: '/definitely/not/here/server.properties' }), "Cannot read config file '/definitely/not/here/server.properties': no such file");
  assert.match(loadError({ text: 'a\\u12=1' }), /^config text: Malformed \\uxxxx encoding on line 1$/);
});

test('every broker config default is valid for its own definition', async () => {
  const { validateValue } = await import('../../src/config/config-def.js');
  for (const def of BROKER_CONFIGS) {
    if (def.default === null) continue;
    const r = validateValue(def, def.default);
    assert.ok(r.ok, `${def.name}: ${r.ok ? '' : r.error}`);
    if (r.ok) assert.is(r.value, def.default, `${def.name} default is canonical`);
  }
});

test.run();
