// Group configs (Kafka 4, config resource type GROUP) through @platformatic/kafka's Admin, on a
// real samsa broker: describeConfigs lists every group config with its broker default,
// incrementalAlterConfigs sets consumer.session.timeout.ms / consumer.heartbeat.interval.ms for
// one group within the broker's group.consumer.min/max bounds (Kafka's GroupConfig.validate
// messages), a KIP-848 consumer group then heartbeats at the group's interval and is fenced after
// the group's session timeout, and the overrides survive a restart (Kafka keeps them in its
// metadata log; samsa in its metadata file).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';
import { describeCg, hb, joinCg } from '../groups/kip848-helpers.js';

const SET = IncrementalAlterConfigOperationTypes.SET;
const DELETE = IncrementalAlterConfigOperationTypes.DELETE;
const GROUP_CONFIG = 8;
const DEFAULT_CONFIG = 5;
// Bounds low enough to watch a session expire in a test.
const BROKER = {
  'group.consumer.min.session.timeout.ms': 200,
  'group.consumer.min.heartbeat.interval.ms': 50,
  'group.coordinator.rebalance.protocols': 'classic,consumer',
};

let dir: string;
let broker: Broker;
let admin: Admin;

async function start(): Promise<void> {
  broker = await startBroker({ port: 0, logLevel: 'silent', dataDir: dir, config: BROKER });
  admin = new Admin({ clientId: 'plat-group-configs', bootstrapBrokers: [broker.bootstrap], retries: 0, timeout: 20_000 });
}

async function stop(): Promise<void> {
  await admin?.close();
  await broker?.close();
}

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-group-configs-'));
  await start();
});

test.after(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function groupConfigs(group: string) {
  const [res] = await admin.describeConfigs({ resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: group }], includeSynonyms: true });
  return new Map(res!.configs.map((c) => [c.name, c]));
}

function alter(group: string, configs: Array<{ name: string; configOperation: number; value?: string }>) {
  return admin.incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.GROUP, resourceName: group, configs: configs as any }] });
}

// The Kafka error ids (e.g. 'INVALID_CONFIG') of a rejected platformatic call.
async function failure(p: Promise<unknown>): Promise<{ ids: string[] }> {
  try {
    await p;
  } catch (e) {
    const ids = new Set<string>();
    const walk = (x: any) => {
      if (!x || typeof x !== 'object') return;
      if (typeof x.apiId === 'string') ids.add(x.apiId);
      for (const inner of x.errors ?? []) walk(inner);
      if (x.cause) walk(x.cause);
    };
    walk(e);
    return { ids: [...ids] };
  }
  assert.unreachable('expected a rejection');
  return { ids: [] };
}

test('describeConfigs GROUP: every group config, defaults from the broker (DEFAULT_CONFIG)', async () => {
  const c = await groupConfigs('gc-none');
  for (const name of [
    'consumer.session.timeout.ms',
    'consumer.heartbeat.interval.ms',
    'share.session.timeout.ms',
    'share.auto.offset.reset',
    'streams.num.standby.replicas',
  ]) {
    assert.ok(c.has(name), `${name} listed`);
  }
  assert.equal([c.get('consumer.session.timeout.ms')?.value, c.get('consumer.session.timeout.ms')?.configSource], ['45000', DEFAULT_CONFIG]);
  assert.equal([c.get('share.auto.offset.reset')?.value, c.get('share.isolation.level')?.value], ['latest', 'read_uncommitted']);
});

test('incrementalAlterConfigs GROUP: SET within the broker bounds, shown as GROUP_CONFIG', async () => {
  await alter('gc-a', [
    { name: 'consumer.session.timeout.ms', configOperation: SET, value: '400' },
    { name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '100' },
    { name: 'share.record.lock.duration.ms', configOperation: SET, value: '20000' },
  ]);
  const c = await groupConfigs('gc-a');
  assert.equal([c.get('consumer.session.timeout.ms')?.value, c.get('consumer.session.timeout.ms')?.configSource], ['400', GROUP_CONFIG]);
  assert.equal([c.get('consumer.heartbeat.interval.ms')?.value, c.get('consumer.heartbeat.interval.ms')?.configSource], ['100', GROUP_CONFIG]);
  assert.is(c.get('share.record.lock.duration.ms')?.value, '20000');
  assert.equal([c.get('share.session.timeout.ms')?.value, c.get('share.session.timeout.ms')?.configSource], ['45000', DEFAULT_CONFIG]);
});

test("invalid group configs are INVALID_CONFIG with Kafka's messages, and change nothing", async () => {
  const cases: Array<[Array<{ name: string; configOperation: number; value?: string }>, string]> = [
    [
      [{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '70000' }],
      'consumer.session.timeout.ms must be in the range 200 to 60000 inclusive.',
    ],
    [
      [{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '10' }],
      'consumer.heartbeat.interval.ms must be in the range 50 to 15000 inclusive.',
    ],
    [
      [{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '400' }],
      'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms',
    ],
    [[{ name: 'no.such.group.config', configOperation: SET, value: '1' }], 'Unknown group config name: no.such.group.config'],
    [[{ name: 'share.isolation.level', configOperation: SET, value: 'sometimes' }], 'Invalid value sometimes for configuration share.isolation.level'],
  ];
  // platformatic reports the code; the message is read with samsa's own client.
  assert.equal((await failure(alter('gc-a', cases[0]![0]))).ids, ['INVALID_CONFIG']);
  const c0 = await ClientConnection.connect(broker.host, broker.port, { clientId: 'gc-raw' });
  try {
    await c0.negotiate();
    for (const [configs, message] of cases) {
      const res = await c0.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
        validateOnly: false,
        resources: [
          {
            resourceType: 32,
            resourceName: 'gc-a',
            configs: configs.map((x) => ({ name: x.name, configOperation: x.configOperation, value: x.value ?? null })),
          },
        ],
      });
      const r = res.responses[0]!;
      assert.is(r.errorCode, ErrorCode.INVALID_CONFIG, message);
      assert.ok(r.errorMessage?.startsWith(message), `"${message}" vs "${r.errorMessage}"`);
    }
  } finally {
    c0.close();
  }
  const c = await groupConfigs('gc-a');
  assert.equal([c.get('consumer.session.timeout.ms')?.value, c.get('consumer.heartbeat.interval.ms')?.value], ['400', '100']);
});

test('the group resource "" is INVALID_REQUEST', async () => {
  const f = await failure(alter('', [{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '400' }]));
  assert.ok(f.ids.includes('INVALID_REQUEST'), String(f.ids));
});

test('a KIP-848 group uses its own heartbeat interval and session timeout', async () => {
  await admin.createTopics({ topics: ['gc-t'], partitions: 2, replicas: 1 });
  const c = await ClientConnection.connect(broker.host, broker.port, { clientId: 'gc-member' });
  try {
    await c.negotiate();
    const joined = await joinCg(c, 'gc-a', 'm-a', ['gc-t']);
    assert.is(joined.errorCode, ErrorCode.NONE);
    assert.is(joined.heartbeatIntervalMs, 100, "the group's consumer.heartbeat.interval.ms, not the broker's 5000");
    const other = await joinCg(c, 'gc-other', 'm-o', ['gc-t']);
    assert.is(other.heartbeatIntervalMs, 5000, 'a group without overrides gets group.consumer.heartbeat.interval.ms');
    // No more heartbeats from m-a: fenced once the group's 400 ms session ends (the broker
    // default, 45 s, would keep it long after this deadline).
    const deadline = Date.now() + 10_000;
    let members = (await describeCg(c, 'gc-a')).members.length;
    while (members > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      members = (await describeCg(c, 'gc-a')).members.length;
    }
    assert.is(members, 0, 'm-a fenced after the group session timeout');
    await hb(c, { groupId: 'gc-other', memberId: 'm-o', memberEpoch: -1 });
  } finally {
    c.close();
  }
});

test('group configs survive a restart; DELETE returns to the broker default', async () => {
  await stop();
  await start();
  let c = await groupConfigs('gc-a');
  assert.equal([c.get('consumer.session.timeout.ms')?.value, c.get('consumer.session.timeout.ms')?.configSource], ['400', GROUP_CONFIG]);
  await alter('gc-a', [
    { name: 'consumer.session.timeout.ms', configOperation: DELETE },
    { name: 'consumer.heartbeat.interval.ms', configOperation: DELETE },
  ]);
  c = await groupConfigs('gc-a');
  assert.equal([c.get('consumer.session.timeout.ms')?.value, c.get('consumer.session.timeout.ms')?.configSource], ['45000', DEFAULT_CONFIG]);
  assert.is(c.get('share.record.lock.duration.ms')?.value, '20000');
});

test.run();
