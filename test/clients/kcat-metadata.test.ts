// requires: kcat
// kcat (librdkafka 2.0.2) reads samsa's metadata over a real socket: `kcat -L` lists the broker as
// it advertises itself and the topics created beforehand (through kafkajs), with their partitions,
// leaders, replicas and ISRs; `kcat -L -t <missing>` auto-creates the topic, as Kafka does with
// auto.create.topics.enable=true (samsa's default).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { run } from './helpers.js';

interface KcatBroker {
  id: number;
  name: string;
}
interface KcatPartition {
  partition: number;
  leader: number;
  replicas: Array<{ id: number }>;
  isrs: Array<{ id: number }>;
  error?: string;
}
interface KcatTopic {
  topic: string;
  partitions: KcatPartition[];
  error?: string;
}
interface KcatMetadata {
  originating_broker: { id: number; name: string };
  query: { topic: string };
  controllerid: number;
  brokers: KcatBroker[];
  topics: KcatTopic[];
}

let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  const admin = new Kafka({ clientId: 'kcat-setup', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [
        { topic: 'kcat-one', numPartitions: 1, replicationFactor: 1 },
        { topic: 'kcat-three', numPartitions: 3, replicationFactor: 1 },
      ],
    });
    assert.is(created, true, 'kafkajs created the setup topics');
  } finally {
    await admin.disconnect();
  }
});

test.after(async () => {
  await broker?.close();
});

async function kcatJson(...extra: string[]): Promise<KcatMetadata> {
  const r = await run('kcat', ['-L', '-J', '-b', broker.bootstrap, '-m', '30', ...extra]);
  assert.is(r.code, 0, `kcat -L -J exited with ${r.code}: ${r.stderr}`);
  try {
    return JSON.parse(r.stdout) as KcatMetadata;
  } catch {
    throw new Error(`kcat printed no JSON: ${r.stdout}\n${r.stderr}`);
  }
}

function byName(md: KcatMetadata): Map<string, KcatTopic> {
  return new Map(md.topics.map((t) => [t.topic, t]));
}

test('kcat -L -J lists the broker at the address samsa advertises, and it is the controller', async () => {
  const md = await kcatJson();
  assert.equal(md.brokers, [{ id: broker.metadata.nodeId, name: broker.bootstrap }]);
  assert.is(md.brokers[0]!.id, 1, 'node id defaults to 1');
  assert.is(md.controllerid, 1);
  assert.is(md.query.topic, '*');
  // librdkafka names the broker it asked as host:port/id once it learned the id from metadata.
  assert.ok(md.originating_broker.name.startsWith(broker.bootstrap), md.originating_broker.name);
});

test('kcat -L -J lists the topics created beforehand with their partitions, leader, replicas and ISRs', async () => {
  const md = await kcatJson();
  const topics = byName(md);
  assert.ok(topics.has('kcat-one'), `kcat-one in ${[...topics.keys()].join(',')}`);
  assert.ok(topics.has('kcat-three'), `kcat-three in ${[...topics.keys()].join(',')}`);
  for (const [name, count] of [
    ['kcat-one', 1],
    ['kcat-three', 3],
  ] as const) {
    const t = topics.get(name)!;
    assert.is(t.error, undefined, `${name} has no error`);
    const parts = [...t.partitions].sort((a, b) => a.partition - b.partition);
    assert.equal(
      parts.map((p) => p.partition),
      Array.from({ length: count }, (_, i) => i),
      `${name} partitions`,
    );
    for (const p of parts) {
      assert.is(p.error, undefined, `${name}/${p.partition} has no error`);
      assert.is(p.leader, 1, `${name}/${p.partition} leader`);
      assert.equal(p.replicas, [{ id: 1 }], `${name}/${p.partition} replicas`);
      assert.equal(p.isrs, [{ id: 1 }], `${name}/${p.partition} isrs`);
    }
  }
});

test('kcat -L -J -t <topic> answers just that topic', async () => {
  const md = await kcatJson('-t', 'kcat-three');
  assert.is(md.query.topic, 'kcat-three');
  assert.equal(
    md.topics.map((t) => t.topic),
    ['kcat-three'],
  );
  assert.is(md.topics[0]!.partitions.length, 3);
});

test('kcat -L (text) prints the broker as controller and every topic with its partition count', async () => {
  const r = await run('kcat', ['-L', '-b', broker.bootstrap, '-m', '30']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, ` 1 brokers:\n  broker 1 at ${broker.bootstrap} (controller)\n`);
  assert.match(r.stdout, 'topic "kcat-one" with 1 partitions:');
  assert.match(r.stdout, 'topic "kcat-three" with 3 partitions:');
  assert.match(r.stdout, 'partition 2, leader 1, replicas: 1, isrs: 1');
});

test('kcat -L -t <missing topic> auto-creates it with num.partitions (1), led by this broker', async () => {
  const before = byName(await kcatJson());
  assert.not.ok(before.has('kcat-auto'), 'kcat-auto does not exist yet');
  const md = await kcatJson('-t', 'kcat-auto');
  assert.equal(
    md.topics.map((t) => t.topic),
    ['kcat-auto'],
  );
  const t = md.topics[0]!;
  assert.is(t.error, undefined, `no error for the auto-created topic (got ${t.error})`);
  assert.equal(t.partitions, [{ partition: 0, leader: 1, replicas: [{ id: 1 }], isrs: [{ id: 1 }] }]);
  // It really exists now: a full listing has it, and so does the broker's own state.
  assert.ok(byName(await kcatJson()).has('kcat-auto'), 'kcat-auto listed after auto-creation');
  assert.is(broker.metadata.topic('kcat-auto')?.partitions.length, 1);
});

test('kcat -L -t <invalid name> reports an error for that topic and creates nothing', async () => {
  const bad = 'bad name!';
  const r = await run('kcat', ['-L', '-J', '-b', broker.bootstrap, '-m', '30', '-t', bad]);
  assert.is(r.code, 0, r.stderr);
  const md = JSON.parse(r.stdout) as KcatMetadata;
  const t = md.topics.find((x) => x.topic === bad);
  assert.ok(t, `topic entry for "${bad}" in ${r.stdout}`);
  // Kafka answers INVALID_TOPIC_EXCEPTION (17), which librdkafka names "Broker: Invalid topic".
  assert.is(t!.error, 'Broker: Invalid topic');
  assert.is(t!.partitions.length, 0);
  assert.is(broker.metadata.topic(bad), undefined);
});

test('a broker bound to 0.0.0.0 advertises the address kcat connected to', async () => {
  const wild = await startBroker({ port: 0, host: '0.0.0.0', logLevel: 'silent' });
  try {
    const r = await run('kcat', ['-L', '-J', '-b', `127.0.0.1:${wild.port}`, '-m', '30']);
    assert.is(r.code, 0, r.stderr);
    const md = JSON.parse(r.stdout) as KcatMetadata;
    assert.equal(md.brokers, [{ id: 1, name: `127.0.0.1:${wild.port}` }]);
  } finally {
    await wild.close();
  }
});

test('auto-creation follows num.partitions, and is off with auto.create.topics.enable=false', async () => {
  const three = await startBroker({ port: 0, logLevel: 'silent', config: { 'num.partitions': 3 } });
  const off = await startBroker({ port: 0, logLevel: 'silent', config: { 'auto.create.topics.enable': false } });
  try {
    const r3 = await run('kcat', ['-L', '-J', '-b', three.bootstrap, '-m', '30', '-t', 'auto3']);
    assert.is(r3.code, 0, r3.stderr);
    const t3 = (JSON.parse(r3.stdout) as KcatMetadata).topics[0]!;
    assert.equal(
      [t3.topic, t3.error, t3.partitions.map((p) => [p.partition, p.leader])],
      [
        'auto3',
        undefined,
        [
          [0, 1],
          [1, 1],
          [2, 1],
        ],
      ],
    );

    const rOff = await run('kcat', ['-L', '-J', '-b', off.bootstrap, '-m', '30', '-t', 'nope']);
    assert.is(rOff.code, 0, rOff.stderr);
    const tOff = (JSON.parse(rOff.stdout) as KcatMetadata).topics[0]!;
    // Kafka answers UNKNOWN_TOPIC_OR_PARTITION (3), which librdkafka names as below.
    assert.equal([tOff.topic, tOff.error, tOff.partitions.length], ['nope', 'Broker: Unknown topic or partition', 0]);
    assert.is(off.metadata.topic('nope'), undefined);
  } finally {
    await Promise.all([three.close(), off.close()]);
  }
});

test('kcat -L -t "bad name!": the topic error (INVALID_TOPIC_EXCEPTION), nothing created, kcat exits normally', async () => {
  const md = await kcatJson('-t', 'bad name!');
  assert.equal(
    md.topics.map((t) => [t.topic, t.error]),
    [['bad name!', 'Broker: Invalid topic']],
  );
  assert.is(broker.metadata.topic('bad name!'), undefined);
});

test.run();
