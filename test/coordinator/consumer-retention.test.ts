// Offsets retention for KIP-848 consumer groups, on disk (GroupCoordinatorShard.cleanupGroupMetadata
// with ConsumerGroup's commit-time expiration): the expiry pass, run with a clock moved past
// offsets.retention.minutes, expires the offsets of topics the group is not subscribed to, keeps
// those it is, and deletes empty consumer groups left without offsets, records and all: after a
// restart they stay gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import type { ClientConnection } from '../../src/client/connection.js';
import { ErrorCode } from '../../src/errors.js';
import { cleanupGroupMetadata } from '../../src/coordinator/group-admin.js';
import { ListGroupsRequest } from '../../src/protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../src/protocol/generated/list-groups-response.js';
import { commit, connect, createTopic, fetchCommitted, withTimeout } from './helpers.js';
import { describeCg, hb, joinCg } from '../groups/kip848-helpers.js';

const RETENTION_MS = 60_000; // offsets.retention.minutes=1
const CONFIG = { 'offsets.retention.minutes': 1 };
let dataDir = '';
let broker: Broker;
let c: ClientConnection;

async function groups(): Promise<string[]> {
  const r = await withTimeout(c.send(ListGroupsRequest, ListGroupsResponse, 5, { statesFilter: [], typesFilter: ['consumer'] }), 5000, 'ListGroups');
  return r.groups.map((g) => g.groupId).sort();
}

async function assertAfterExpiry(): Promise<void> {
  assert.equal(await groups(), ['live']);
  assert.equal([...(await fetchCommitted(c, 'live')).entries()], [['t:0', 3]], 'the subscribed topic keeps its offset');
  assert.equal([...(await fetchCommitted(c, 'left')).entries()], []);
  assert.is((await describeCg(c, 'left')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.is((await describeCg(c, 'bare')).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
}

test.before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-cg-retention-'));
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', config: CONFIG });
  c = await connect(broker.bootstrap);
  await createTopic(c, 't', 2);
  await createTopic(c, 'other', 1);
});

test.after(async () => {
  c.close();
  await broker.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('expiry: unsubscribed topics and empty consumer groups lose their offsets; empty groups left with none go', async () => {
  const live = await joinCg(c, 'live', 'm', ['t']);
  assert.equal(
    await commit(c, 'live', live.memberEpoch, 'm', [
      { topic: 't', partition: 0, offset: 3 },
      { topic: 'other', partition: 0, offset: 4 },
    ]),
    [0, 0],
  );
  const left = await joinCg(c, 'left', 'm', ['t']);
  assert.equal(await commit(c, 'left', left.memberEpoch, 'm', [{ topic: 't', partition: 1, offset: 5 }]), [0]);
  assert.is((await hb(c, { groupId: 'left', memberId: 'm', memberEpoch: -1 })).errorCode, 0);
  await joinCg(c, 'bare', 'm', ['t']);
  assert.is((await hb(c, { groupId: 'bare', memberId: 'm', memberEpoch: -1 })).errorCode, 0);
  assert.equal(await groups(), ['bare', 'left', 'live']);

  // Before the retention time nothing expires, but an empty group without offsets goes.
  cleanupGroupMetadata(broker.coordinator, Date.now());
  assert.equal(await groups(), ['left', 'live']);

  assert.ok(cleanupGroupMetadata(broker.coordinator, Date.now() + RETENTION_MS + 1000) > 0);
  await assertAfterExpiry();
  c.close();
  await broker.close();
  broker = await startBroker({ port: 0, dataDir, logLevel: 'silent', config: CONFIG });
  c = await connect(broker.bootstrap);
  await assertAfterExpiry();
});

test.run();
