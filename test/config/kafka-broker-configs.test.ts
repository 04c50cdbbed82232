// The broker configs Kafka 4.x defines and samsa does not act on (kafka-broker-configs.ts) and
// the group configs (group-configs.ts): known by name, typed and bounded as in Kafka, accepted in
// server.properties and dynamically where Kafka allows it, and documented as having no effect.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BrokerConfig, ConfigError, BROKER_CONFIG_BY_NAME } from '../../src/config/index.js';
import { KAFKA_ONLY_BROKER_CONFIGS } from '../../src/config/kafka-broker-configs.js';
import { GROUP_CONFIGS } from '../../src/config/group-configs.js';

test('names from every Kafka config class are known, each once', () => {
  for (const name of [
    'sasl.kerberos.min.time.before.relogin', // BrokerSecurityConfigs (librdkafka's admin test sets it)
    'ssl.keystore.location',
    'sasl.enabled.mechanisms',
    'remote.log.manager.thread.pool.size', // RemoteLogManagerConfig
    'metadata.log.segment.bytes', // KRaftConfigs
    'quota.window.num', // QuotaConfig
    'leader.replication.throttled.rate', // DynamicConfig.Broker
    'metric.reporters', // MetricConfigs
    'delegation.token.max.lifetime.ms',
    'group.share.record.lock.duration.ms', // ShareGroupConfig
    'share.coordinator.state.topic.num.partitions', // ShareCoordinatorConfig
    'group.streams.session.timeout.ms', // Kafka 4.1 GroupCoordinatorConfig
    'request.timeout.ms', // ServerConfigs
    'leader.imbalance.check.interval.seconds', // ReplicationConfigs
  ]) {
    assert.ok(BROKER_CONFIG_BY_NAME.has(name), name);
  }
  assert.ok(BROKER_CONFIG_BY_NAME.size >= 320, `${BROKER_CONFIG_BY_NAME.size} broker configs`);
  const names = KAFKA_ONLY_BROKER_CONFIGS.map((d) => d.name);
  assert.is(new Set(names).size, names.length);
});

test('the configs samsa does not act on say so in their documentation', () => {
  for (const d of KAFKA_ONLY_BROKER_CONFIGS) {
    if (d.name === 'authorizer.class.name') continue;
    assert.ok(d.ignored, d.name);
    assert.match(d.doc, 'no effect in samsa', d.name);
  }
});

test('a server.properties naming them starts, and they are listed as ignored', () => {
  const c = BrokerConfig.load({ text: 'sasl.kerberos.min.time.before.relogin=58000\nssl.enabled.protocols=TLSv1.3\nrequest.timeout.ms=20000\n' });
  assert.is(c.get('request.timeout.ms'), '20000');
  assert.is(c.entry('ssl.enabled.protocols').value, 'TLSv1.3');
  assert.equal(c.ignoredSettings().sort(), ['request.timeout.ms', 'sasl.kerberos.min.time.before.relogin', 'ssl.enabled.protocols']);
});

test("their values are checked with Kafka's types and bounds", () => {
  assert.throws(
    () => BrokerConfig.load({ text: 'quota.window.num=0' }),
    (e: Error) => e instanceof ConfigError && /quota.window.num: Value must be at least 1/.test(e.message),
  );
  assert.throws(
    () => BrokerConfig.load({ text: 'ssl.client.auth=maybe' }),
    (e: Error) => e instanceof ConfigError && /String must be one of: required, requested, none/.test(e.message),
  );
});

test('dynamic where Kafka allows it; static ones refused dynamically', () => {
  const c = BrokerConfig.load();
  c.setDynamic('sasl.kerberos.min.time.before.relogin', '58000', 'broker');
  assert.is(c.entry('sasl.kerberos.min.time.before.relogin').source, 'dynamic-broker');
  c.setDynamic('leader.replication.throttled.rate', '1000', 'cluster');
  assert.throws(() => c.setDynamic('request.timeout.ms', '1000'), /static broker config/);
  assert.ok(BROKER_CONFIG_BY_NAME.get('sasl.kerberos.min.time.before.relogin')!.perBroker);
  assert.not.ok(BROKER_CONFIG_BY_NAME.get('leader.replication.throttled.rate')!.perBroker);
});

test('listener overrides (listener.name.<l>.<config>) are accepted, typed as their base, sensitive when it is', () => {
  const c = BrokerConfig.load({
    text: 'listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required;\nlistener.name.external.ssl.keystore.location=/k.jks\n',
  });
  const jaas = c.entry('listener.name.sasl_ssl.plain.sasl.jaas.config');
  assert.equal([jaas.type, jaas.sensitive, jaas.source], ['password', true, 'static']);
  assert.ok(c.entries().some((e) => e.name === 'listener.name.external.ssl.keystore.location'));
  assert.ok(c.ignoredSettings().includes('listener.name.external.ssl.keystore.location'));
  // Dynamic per broker, as Kafka allows for certificate rotation.
  c.setDynamic('listener.name.external.ssl.keystore.location', '/k2.jks', 'broker');
  assert.is(c.get('listener.name.external.ssl.keystore.location'), '/k2.jks');
  assert.ok(BROKER_CONFIG_BY_NAME.get('ssl.keystore.location')!.readOnly, 'without the prefix it is static, as in Kafka');
  assert.throws(() => BrokerConfig.load({ text: 'listener.name.external.no.such.config=1' }), /Unknown configuration/);
  assert.throws(() => BrokerConfig.load({ text: 'listener.name.external.max.connections=x' }), /Not a number of type INT/);
});

test('authorizer.class.name is refused unless empty: samsa has no authorizer', () => {
  assert.throws(
    () => BrokerConfig.load({ text: 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer' }),
    (e: Error) => e instanceof ConfigError && /samsa has no authorizer yet/.test(e.message),
  );
  assert.is(BrokerConfig.load({ text: 'authorizer.class.name=' }).get('authorizer.class.name'), '');
});

test("every group config's broker synonym and bounds are known broker configs", () => {
  for (const d of GROUP_CONFIGS) {
    for (const b of [d.brokerSynonym, d.brokerMin, d.brokerMax]) if (b !== null) assert.ok(BROKER_CONFIG_BY_NAME.has(b), `${d.name}: ${b}`);
  }
});

test.run();
