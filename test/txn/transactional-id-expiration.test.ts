// transactional.id.expiration.ms (Kafka's TransactionStateManager.removeExpiredTransactionalIds,
// every transaction.remove.expired.transaction.cleanup.interval.ms): transactional ids with no
// transaction (Empty, CompleteCommit, CompleteAbort) idle longer than the expiration are removed
// with a tombstone in __transaction_state; an Ongoing one is kept. Afterwards DescribeTransactions
// answers TRANSACTIONAL_ID_NOT_FOUND, ListTransactions leaves them out, InitProducerId treats the
// id as new (epoch 0), and all of that holds after a restart from disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { ClientConnection } from '../../src/client/connection.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { DescribeTransactionsRequest } from '../../src/protocol/generated/describe-transactions-request.js';
import { DescribeTransactionsResponse } from '../../src/protocol/generated/describe-transactions-response.js';
import { ListTransactionsRequest } from '../../src/protocol/generated/list-transactions-request.js';
import { ListTransactionsResponse } from '../../src/protocol/generated/list-transactions-response.js';

const TRANSACTIONAL_ID_NOT_FOUND = 105;
const EXPIRING = ['empty', 'committed', 'aborted'];

async function connect(b: Broker): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', b.port);
  await c.negotiate();
  return c;
}

async function init(c: ClientConnection, transactionalId: string): Promise<{ producerId: number; producerEpoch: number }> {
  const r = await c.send(InitProducerIdRequest, InitProducerIdResponse, 4, { transactionalId, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 });
  assert.is(r.errorCode, 0, `InitProducerId ${transactionalId}`);
  return { producerId: r.producerId, producerEpoch: r.producerEpoch };
}

async function begin(c: ClientConnection, transactionalId: string, pid: { producerId: number; producerEpoch: number }): Promise<void> {
  const r = await c.send(AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, { transactionalId, ...pid, groupId: 'g' });
  assert.is(r.errorCode, 0);
}

async function end(c: ClientConnection, transactionalId: string, pid: { producerId: number; producerEpoch: number }, committed: boolean): Promise<void> {
  const r = await c.send(EndTxnRequest, EndTxnResponse, 3, { transactionalId, ...pid, committed });
  assert.is(r.errorCode, 0);
}

// transactionalId -> [errorCode, state]
async function describe(c: ClientConnection, ids: string[]): Promise<Record<string, [number, string]>> {
  const r = await c.send(DescribeTransactionsRequest, DescribeTransactionsResponse, 0, { transactionalIds: ids });
  return Object.fromEntries(r.transactionStates.map((s) => [s.transactionalId, [s.errorCode, s.transactionState]]));
}

async function listed(c: ClientConnection): Promise<string[]> {
  const r = await c.send(ListTransactionsRequest, ListTransactionsResponse, 1, { stateFilters: [], producerIdFilters: [], durationFilter: -1 });
  assert.is(r.errorCode, 0);
  return r.transactionStates.map((s) => s.transactionalId).sort();
}

test('transactional ids idle past transactional.id.expiration.ms are removed, durably; an ongoing one stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-txn-expiry-'));
  // The states are set up under Kafka's default expiration (7 days), then the broker restarts
  // with a short one, so nothing can expire before it is checked.
  let b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
  let c = await connect(b);
  try {
    const pids = new Map<string, { producerId: number; producerEpoch: number }>();
    for (const id of [...EXPIRING, 'ongoing']) pids.set(id, await init(c, id));
    for (const id of ['committed', 'aborted', 'ongoing']) await begin(c, id, pids.get(id)!);
    await end(c, 'committed', pids.get('committed')!, true);
    await end(c, 'aborted', pids.get('aborted')!, false);
    const all = [...EXPIRING, 'ongoing'];
    const states = { empty: [0, 'Empty'], committed: [0, 'CompleteCommit'], aborted: [0, 'CompleteAbort'], ongoing: [0, 'Ongoing'] };
    assert.equal(await describe(c, all), states);
    c.close();
    await b.close();
    const config = { 'transactional.id.expiration.ms': 300, 'transaction.remove.expired.transaction.cleanup.interval.ms': 50 };
    b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent', config });
    c = await connect(b);

    // Wait (bounded) for the cleanup to run past the expiration.
    const deadline = Date.now() + 20_000;
    while ((await listed(c)).length > 1 && Date.now() < deadline) await sleep(50);
    assert.equal(await listed(c), ['ongoing'], 'ListTransactions after expiry');
    const after = await describe(c, all);
    for (const id of EXPIRING) assert.is(after[id]![0], TRANSACTIONAL_ID_NOT_FOUND, `DescribeTransactions ${id}`);
    assert.equal(after['ongoing'], [0, 'Ongoing'], 'a transaction in progress never expires');

    // A restart with the default expiration (7 days): the removal comes from the tombstones.
    c.close();
    await b.close();
    b = await startBroker({ port: 0, dataDir: dir, logLevel: 'silent' });
    c = await connect(b);
    assert.equal(await listed(c), ['ongoing'], 'ListTransactions after a restart');
    const reloaded = await describe(c, all);
    for (const id of EXPIRING) assert.is(reloaded[id]![0], TRANSACTIONAL_ID_NOT_FOUND, `DescribeTransactions ${id} after a restart`);
    assert.equal(reloaded['ongoing'], [0, 'Ongoing']);

    // The expired id is a new transactional id again: a fresh producer id at epoch 0 (a known id
    // would get its epoch bumped instead).
    const again = await init(c, 'committed');
    assert.is(again.producerEpoch, 0);
    assert.ok(again.producerId > pids.get('ongoing')!.producerId, 'producer ids are never reused');
    assert.equal((await describe(c, ['committed']))['committed'], [0, 'Empty']);
  } finally {
    c.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
