// @platformatic/kafka 1.35 Admin against a real samsa broker over a real socket: createTopics
// (CreateTopics v7, which echoes partitions, replicas and the topic's full config), listTopics,
// metadata, describeConfigs (v4, with config types and documentation), alterConfigs,
// incrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT), createPartitions, describeLogDirs,
// deleteTopics, and the protocol errors as platformatic reports them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';

type DescribeConfigsResponseConfig = Awaited<ReturnType<Admin['describeConfigs']>>[number]['configs'][number];

let broker: Broker;
let admin: Admin;

// DescribeConfigs configSource and configType codes.
const SOURCE = { TOPIC: 1, DYNAMIC_BROKER: 2, DEFAULT: 5 };
const TYPE = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, LIST: 7 };

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  admin = new Admin({ clientId: 'plat-admin', bootstrapBrokers: [broker.bootstrap], retries: 1, retryDelay: 50, timeout: 20_000 });
});

test.after(async () => {
  await admin?.close();
  await broker?.close();
});

// samsa keeps topic ids as Kafka prints them (base64url); platformatic shows the UUID form.
function uuidString(base64url: string): string {
  const h = Buffer.from(base64url, 'base64url').toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// The Kafka error ids (e.g. 'TOPIC_ALREADY_EXISTS') carried by a rejected platformatic call.
async function protocolErrors(p: Promise<unknown>): Promise<string[]> {
  let err: any;
  try {
    const value = await p;
    assert.unreachable(`expected a rejection, got ${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  } catch (e) {
    if (e instanceof assert.Assertion) throw e;
    err = e;
  }
  const ids = new Set<string>();
  const walk = (e: any) => {
    if (!e || typeof e !== 'object') return;
    if (typeof e.apiId === 'string') ids.add(e.apiId);
    for (const inner of e.errors ?? []) walk(inner);
    if (e.cause) walk(e.cause);
  };
  walk(err);
  assert.ok(ids.size > 0, `a Kafka protocol error in ${err?.stack ?? err}`);
  return [...ids].sort();
}

async function topicConfigs(name: string, keys?: string[]): Promise<Map<string, DescribeConfigsResponseConfig>> {
  const res = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  assert.is(res.length, 1);
  assert.is(res[0]!.resourceName, name);
  return new Map(res[0]!.configs.map((c) => [c.name, c]));
}

test('createTopics returns id, partition count, replicas and the full configuration (CreateTopics v7)', async () => {
  const created = await admin.createTopics({
    topics: ['plat-a', 'plat-b'],
    partitions: 2,
    replicas: 1,
    configs: [{ name: 'retention.ms', value: '3600000' }],
  });
  assert.equal(created.map((t) => [t.name, t.partitions, t.replicas]).sort(), [
    ['plat-a', 2, 1],
    ['plat-b', 2, 1],
  ]);
  for (const t of created) {
    assert.match(t.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `${t.name} has a topic id`);
    assert.not.equal(t.id, '00000000-0000-0000-0000-000000000000');
    assert.is(t.configuration['retention.ms'], '3600000');
    assert.is(t.configuration['cleanup.policy'], 'delete');
    assert.is(t.configuration['compression.type'], 'producer');
  }
  assert.is.not(created[0]!.id, created[1]!.id);
});

test('createTopics with broker defaults (-1) gets num.partitions=1 and replication factor 1', async () => {
  const [t] = await admin.createTopics({ topics: ['plat-default'] });
  assert.equal([t!.name, t!.partitions, t!.replicas], ['plat-default', 1, 1]);
});

test('listTopics lists the created topics', async () => {
  assert.equal((await admin.listTopics()).sort(), ['plat-a', 'plat-b', 'plat-default']);
});

test('metadata: cluster id, broker 1 at the bootstrap address as controller, topics with ids and leaders', async () => {
  const md = await admin.metadata({ topics: ['plat-a', 'plat-b'], forceUpdate: true });
  assert.is(md.id, broker.metadata.clusterId);
  assert.is(md.controllerId, 1);
  assert.equal([...md.brokers.keys()], [1]);
  const b = md.brokers.get(1)!;
  assert.is(`${b.host}:${b.port}`, broker.bootstrap);
  for (const name of ['plat-a', 'plat-b']) {
    const t = md.topics.get(name)!;
    assert.ok(t, `${name} in metadata`);
    assert.is(t.id, uuidString(broker.metadata.topic(name)!.id), `${name} topic id`);
    assert.is(t.partitionsCount, 2);
    assert.equal(
      t.partitions.map((p) => ({ leader: p.leader, replicas: p.replicas, isr: p.isr })),
      [
        { leader: 1, replicas: [1], isr: [1] },
        { leader: 1, replicas: [1], isr: [1] },
      ],
    );
  }
});

test('describeConfigs (v4): values, sources, synonyms, config types and documentation', async () => {
  const c = await topicConfigs('plat-a');
  const ret = c.get('retention.ms')!;
  assert.equal([ret.value, ret.configSource, ret.configType, ret.readOnly, ret.isSensitive], ['3600000', SOURCE.TOPIC, TYPE.LONG, false, false]);
  assert.equal(ret.synonyms[0], { name: 'retention.ms', value: '3600000', source: SOURCE.TOPIC });
  const cp = c.get('cleanup.policy')!;
  assert.equal([cp.value, cp.configSource, cp.configType], ['delete', SOURCE.DEFAULT, TYPE.LIST]);
  assert.equal([c.get('min.insync.replicas')?.value, c.get('min.insync.replicas')?.configType], ['1', TYPE.INT]);
  assert.equal([c.get('compression.type')?.value, c.get('compression.type')?.configType], ['producer', TYPE.STRING]);
  assert.equal([c.get('unclean.leader.election.enable')?.value, c.get('unclean.leader.election.enable')?.configType], ['false', TYPE.BOOLEAN]);
  assert.type(ret.documentation, 'string');
  assert.ok(ret.documentation!.length > 20, `documentation for retention.ms: ${ret.documentation}`);
});

test('describeConfigs BROKER "1"', async () => {
  const [res] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.BROKER, resourceName: '1' }] });
  assert.is(res!.resourceName, '1');
  const c = new Map(res!.configs.map((x) => [x.name, x]));
  assert.is(c.get('num.partitions')?.value, '1');
  assert.is(c.get('num.partitions')?.configType, TYPE.INT);
  assert.is(c.get('auto.create.topics.enable')?.value, 'true');
  assert.is(c.get('log.retention.hours')?.value, '168');
});

test('describeConfigs of a missing topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  assert.equal(await protocolErrors(admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plat-missing' }] })), [
    'UNKNOWN_TOPIC_OR_PARTITION',
  ]);
});

test('alterConfigs replaces the overrides of plat-b', async () => {
  await admin.alterConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plat-b', configs: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
  const c = await topicConfigs('plat-b', ['retention.ms', 'cleanup.policy']);
  assert.equal([c.get('cleanup.policy')?.value, c.get('cleanup.policy')?.configSource], ['compact', SOURCE.TOPIC]);
  // Not in the request, so no longer overridden: back to the default 7 days.
  assert.equal([c.get('retention.ms')?.value, c.get('retention.ms')?.configSource], ['604800000', SOURCE.DEFAULT]);
});

test('incrementalAlterConfigs: SET and DELETE one key each, the other overrides stay', async () => {
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: 'plat-a',
        configs: [
          { name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: '2000000' },
          { name: 'retention.ms', configOperation: IncrementalAlterConfigOperationTypes.DELETE },
        ],
      },
    ],
  });
  const c = await topicConfigs('plat-a', ['max.message.bytes', 'retention.ms']);
  assert.equal([c.get('max.message.bytes')?.value, c.get('max.message.bytes')?.configSource], ['2000000', SOURCE.TOPIC]);
  assert.equal([c.get('retention.ms')?.value, c.get('retention.ms')?.configSource], ['604800000', SOURCE.DEFAULT]);
});

test('incrementalAlterConfigs: APPEND to and SUBTRACT from a list config', async () => {
  const set = (op: 0 | 2 | 3, value: string) =>
    admin.incrementalAlterConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'plat-a', configs: [{ name: 'cleanup.policy', configOperation: op, value }] }],
    });
  // APPEND starts from the current value, here the default "delete".
  await set(IncrementalAlterConfigOperationTypes.APPEND, 'compact');
  assert.is((await topicConfigs('plat-a', ['cleanup.policy'])).get('cleanup.policy')?.value, 'delete,compact');
  await set(IncrementalAlterConfigOperationTypes.SUBTRACT, 'delete');
  assert.is((await topicConfigs('plat-a', ['cleanup.policy'])).get('cleanup.policy')?.value, 'compact');
});

test('incrementalAlterConfigs with an invalid value is INVALID_CONFIG and changes nothing', async () => {
  const errs = await protocolErrors(
    admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: 'plat-a',
          configs: [{ name: 'max.message.bytes', configOperation: IncrementalAlterConfigOperationTypes.SET, value: 'lots' }],
        },
      ],
    }),
  );
  assert.equal(errs, ['INVALID_CONFIG']);
  assert.is((await topicConfigs('plat-a', ['max.message.bytes'])).get('max.message.bytes')?.value, '2000000');
});

test('createPartitions grows plat-a to 4; shrinking is INVALID_PARTITIONS', async () => {
  await admin.createPartitions({ topics: [{ name: 'plat-a', count: 4 }] });
  const md = await admin.metadata({ topics: ['plat-a'], forceUpdate: true });
  assert.is(md.topics.get('plat-a')!.partitionsCount, 4);
  assert.ok(md.topics.get('plat-a')!.partitions.every((p) => p.leader === 1));
  assert.equal(await protocolErrors(admin.createPartitions({ topics: [{ name: 'plat-a', count: 1 }] })), ['INVALID_PARTITIONS']);
  assert.is(broker.metadata.topic('plat-a')!.partitions.length, 4);
});

test('describeLogDirs lists the partitions of plat-a, empty', async () => {
  const res = await admin.describeLogDirs({ topics: [{ name: 'plat-a', partitions: [0, 1, 2, 3] }] });
  assert.equal(
    res.map((b) => b.broker),
    [1],
  );
  const dirs = res[0]!.results;
  assert.ok(dirs.length >= 1, 'at least one log dir');
  const topics = dirs.flatMap((d) => d.topics).filter((t) => t.name === 'plat-a');
  const parts = topics.flatMap((t) => t.partitions).sort((a, b) => a.partitionIndex - b.partitionIndex);
  assert.equal(
    parts.map((p) => [p.partitionIndex, p.partitionSize, p.offsetLag, p.isFutureKey]),
    [0, 1, 2, 3].map((i) => [i, 0n, 0n, false]),
  );
});

test('createTopics errors: TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR, INVALID_TOPIC_EXCEPTION, INVALID_CONFIG', async () => {
  assert.equal(await protocolErrors(admin.createTopics({ topics: ['plat-a'], partitions: 1 })), ['TOPIC_ALREADY_EXISTS']);
  assert.equal(await protocolErrors(admin.createTopics({ topics: ['plat-rf3'], partitions: 1, replicas: 3 })), ['INVALID_REPLICATION_FACTOR']);
  assert.equal(await protocolErrors(admin.createTopics({ topics: ['bad name!'] })), ['INVALID_TOPIC_EXCEPTION']);
  assert.equal(await protocolErrors(admin.createTopics({ topics: ['plat-badcfg'], configs: [{ name: 'retention.ms', value: 'abc' }] })), ['INVALID_CONFIG']);
  assert.is(broker.metadata.topic('plat-rf3'), undefined);
  assert.is(broker.metadata.topic('plat-badcfg'), undefined);
});

test('deleteTopics removes topics; a missing topic is UNKNOWN_TOPIC_OR_PARTITION', async () => {
  await admin.deleteTopics({ topics: ['plat-b', 'plat-default'] });
  assert.equal(await admin.listTopics(), ['plat-a']);
  assert.equal(await protocolErrors(admin.deleteTopics({ topics: ['plat-missing'] })), ['UNKNOWN_TOPIC_OR_PARTITION']);
});

test.run();
