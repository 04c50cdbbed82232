// AlterConfigs and IncrementalAlterConfigs share their per-resource handling
// (src/handlers/alter-each-resource.ts): each resource is answered on its own, and one named twice
// in a request is refused with INVALID_REQUEST while the others are still applied.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { AlterConfigsRequest } from '../../src/protocol/generated/alter-configs-request.js';
import { AlterConfigsResponse } from '../../src/protocol/generated/alter-configs-response.js';
import { IncrementalAlterConfigsRequest } from '../../src/protocol/generated/incremental-alter-configs-request.js';
import { IncrementalAlterConfigsResponse } from '../../src/protocol/generated/incremental-alter-configs-response.js';

const TOPIC = 2; // ConfigResource.Type.TOPIC
const SET = 0; // AlterConfigOp.OpType.SET
let broker: Broker;
let conn: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'alter-configs-test' });
  await conn.negotiate();
  const res = await conn.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
    topics: ['a', 'b'].map((name) => ({ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] })),
    timeoutMs: 5000,
  });
  for (const t of res.topics) assert.is(t.errorCode, ErrorCode.NONE);
});

test.after(async () => {
  conn?.close();
  await broker?.close();
});

const retentionOf = (topic: string) => broker.metadata.topic(topic)?.configs['retention.ms'];

test('AlterConfigs: a duplicated resource is INVALID_REQUEST, the other is applied, a bad value is INVALID_CONFIG', async () => {
  const res = await conn.send(AlterConfigsRequest, AlterConfigsResponse, 2, {
    validateOnly: false,
    resources: [
      { resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', value: '1000' }] },
      { resourceType: TOPIC, resourceName: 'b', configs: [{ name: 'retention.ms', value: '2000' }] },
      { resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', value: '3000' }] },
    ],
  });
  assert.equal(
    res.responses.map((r) => [r.resourceName, r.errorCode, r.errorMessage]),
    [
      ['a', ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.'],
      ['b', ErrorCode.NONE, null],
      ['a', ErrorCode.INVALID_REQUEST, 'Duplicate resource in request.'],
    ],
  );
  assert.is(retentionOf('a'), undefined);
  assert.is(retentionOf('b'), '2000');
  const bad = await conn.send(AlterConfigsRequest, AlterConfigsResponse, 2, {
    validateOnly: false,
    resources: [{ resourceType: TOPIC, resourceName: 'b', configs: [{ name: 'retention.ms', value: 'abc' }] }],
  });
  assert.is(bad.responses[0]!.errorCode, ErrorCode.INVALID_CONFIG);
  assert.is(retentionOf('b'), '2000');
});

test('IncrementalAlterConfigs: the same per-resource answers', async () => {
  const res = await conn.send(IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse, 1, {
    validateOnly: false,
    resources: [
      { resourceType: TOPIC, resourceName: 'b', configs: [{ name: 'retention.ms', configOperation: SET, value: '4000' }] },
      { resourceType: TOPIC, resourceName: 'b', configs: [{ name: 'retention.ms', configOperation: SET, value: '5000' }] },
      { resourceType: TOPIC, resourceName: 'a', configs: [{ name: 'retention.ms', configOperation: SET, value: '6000' }] },
      { resourceType: TOPIC, resourceName: 'missing', configs: [{ name: 'retention.ms', configOperation: SET, value: '1' }] },
    ],
  });
  assert.equal(
    res.responses.map((r) => [r.resourceName, r.errorCode]),
    [
      ['b', ErrorCode.INVALID_REQUEST],
      ['b', ErrorCode.INVALID_REQUEST],
      ['a', ErrorCode.NONE],
      ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  assert.is(retentionOf('a'), '6000');
  assert.is(retentionOf('b'), '2000');
});

test.run();
