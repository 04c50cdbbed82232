// ACL and partition-reassignment admin calls against a real samsa broker, through kafkajs 2.2.4
// (describeAcls, createAcls, deleteAcls, alterPartitionReassignments) and samsa's own client for
// what kafkajs cannot send (cancelling a reassignment: replicas null) or does not show (messages).
// samsa has no authorizer and is a single broker, so the answers are a one-broker Kafka's
// without authorizer.class.name: SECURITY_DISABLED (kafka.server.AclApis) and per-partition
// reassignment errors (ReplicationControlManager.alterPartitionReassignment).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import kafkajs, { type Admin } from 'kafkajs';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { AlterPartitionReassignmentsRequest } from '../../src/protocol/generated/alter-partition-reassignments-request.js';
import { AlterPartitionReassignmentsResponse } from '../../src/protocol/generated/alter-partition-reassignments-response.js';
import { DescribeAclsRequest } from '../../src/protocol/generated/describe-acls-request.js';
import { DescribeAclsResponse } from '../../src/protocol/generated/describe-acls-response.js';
import { CreateAclsRequest } from '../../src/protocol/generated/create-acls-request.js';
import { CreateAclsResponse } from '../../src/protocol/generated/create-acls-response.js';
import { DeleteAclsRequest } from '../../src/protocol/generated/delete-acls-request.js';
import { DeleteAclsResponse } from '../../src/protocol/generated/delete-acls-response.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs as any;

let broker: Broker;
let admin: Admin;
let conn: ClientConnection;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
  admin = new Kafka({ clientId: 'kjs-acl', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'ra', numPartitions: 2 }] });
  conn = await ClientConnection.connect(broker.host, broker.port, { clientId: 'acl-test' });
  await conn.negotiate();
});

test.after(async () => {
  conn?.close();
  await admin?.disconnect();
  await broker?.close();
});

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    const value = await p;
    return assert.unreachable(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (err) {
    if (err instanceof assert.Assertion) throw err;
    return err;
  }
}

const acl = {
  resourceType: AclResourceTypes.TOPIC,
  resourceName: 'ra',
  resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperationTypes.READ,
  permissionType: AclPermissionTypes.ALLOW,
};

test("describeAcls: SECURITY_DISABLED with Kafka's message", async () => {
  const err = await rejection(admin.describeAcls(acl));
  assert.is(err.type, 'SECURITY_DISABLED');
  // ANY of everything, null names: what MirrorMaker 2 sends to list all ACLs.
  const res = await conn.send(DescribeAclsRequest, DescribeAclsResponse, 3, {
    resourceTypeFilter: 1,
    resourceNameFilter: null,
    patternTypeFilter: 1,
    principalFilter: null,
    hostFilter: null,
    operation: 1,
    permissionType: 1,
  });
  assert.equal([res.errorCode, res.errorMessage, res.resources], [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured on the broker', []]);
});

test('createAcls and deleteAcls: every entry SECURITY_DISABLED', async () => {
  const created = await rejection(admin.createAcls({ acl: [acl, { ...acl, principal: 'User:bob' }] }));
  assert.equal([created.name, created.type], ['KafkaJSProtocolError', 'SECURITY_DISABLED']);
  const deleted = await rejection(admin.deleteAcls({ filters: [acl] }));
  assert.equal([deleted.name, deleted.type], ['KafkaJSProtocolError', 'SECURITY_DISABLED']);
  const raw = await conn.send(CreateAclsRequest, CreateAclsResponse, 3, {
    creations: [0, 1].map(() => ({
      resourceType: 2,
      resourceName: 'ra',
      resourcePatternType: 3,
      principal: 'User:a',
      host: '*',
      operation: 3,
      permissionType: 3,
    })),
  });
  assert.equal(
    raw.results.map((r) => [r.errorCode, r.errorMessage]),
    [
      [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.'],
      [ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.'],
    ],
  );
  const rawDelete = await conn.send(DeleteAclsRequest, DeleteAclsResponse, 3, {
    filters: [
      { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 },
    ],
  });
  assert.equal(
    rawDelete.filterResults.map((r) => [r.errorCode, r.errorMessage, r.matchingAcls]),
    [[ErrorCode.SECURITY_DISABLED, 'No Authorizer is configured.', []]],
  );
});

test('alterPartitionReassignments: to the current replicas succeeds; another broker or a missing partition fails per partition', async () => {
  await admin.alterPartitionReassignments({
    topics: [
      {
        topic: 'ra',
        partitionAssignment: [
          { partition: 0, replicas: [1] },
          { partition: 1, replicas: [1] },
        ],
      },
    ],
  });
  const err = await rejection(
    admin.alterPartitionReassignments({
      topics: [
        {
          topic: 'ra',
          partitionAssignment: [
            { partition: 0, replicas: [1, 2] },
            { partition: 7, replicas: [1] },
          ],
        },
      ],
    }),
  );
  assert.is(err.name, 'KafkaJSAggregateError');
  assert.equal(
    err.errors.map((e: any) => [e.partition, e.type]),
    [
      [0, 'INVALID_REPLICA_ASSIGNMENT'],
      [7, 'UNKNOWN_TOPIC_OR_PARTITION'],
    ],
  );
  assert.equal(
    broker.metadata.topic('ra')!.partitions.map((p) => p.replicas),
    [[1], [1]],
  );
});

test("AlterPartitionReassignments v0/v1: Kafka's per-partition codes and messages, cancel with nothing in progress", async () => {
  for (const version of [0, 1]) {
    const res = await conn.send(AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse, version, {
      timeoutMs: 5000,
      allowReplicationFactorChange: true,
      topics: [
        {
          name: 'ra',
          partitions: [
            { partitionIndex: 0, replicas: [1] },
            { partitionIndex: 1, replicas: null },
            { partitionIndex: 0, replicas: [] },
            { partitionIndex: 0, replicas: [3, 1] },
            { partitionIndex: 0, replicas: [1, 1] },
            { partitionIndex: 9, replicas: [1] },
          ],
        },
        { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [1] }] },
      ],
    });
    assert.is(res.errorCode, ErrorCode.NONE);
    assert.equal(
      res.responses.map((t) => [t.name, t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.errorMessage])]),
      [
        [
          'ra',
          [
            [0, ErrorCode.NONE, null],
            [1, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.'],
            [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
            [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 3, but no such broker is registered.'],
            [0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes the broker 1 more than once.'],
            [9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition ra:9.'],
          ],
        ],
        ['nope', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named nope.']]],
      ],
      `v${version}`,
    );
  }
});

test.run();
