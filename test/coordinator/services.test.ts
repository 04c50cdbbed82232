// The group and transaction coordinators take what they use through their constructors (config,
// logger, cluster metadata, partition logs, and each other's narrow side), not the whole Broker:
// wired here the way the composition root (src/broker/broker.ts) wires them, on real memory logs.
// Transactional offsets cross between them twice: the transaction coordinator writes them to
// __consumer_offsets and applies them to the group coordinator's offsets at the marker, and at
// load the group coordinator hands the transactional batches back for replay.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BrokerConfig } from '../../src/config/index.js';
import { ClusterMetadata } from '../../src/cluster/cluster-metadata.js';
import { MemoryMetadataStore } from '../../src/cluster/metadata-store.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { createLogger } from '../../src/log.js';
import { GroupCoordinator, type OffsetAndMetadata } from '../../src/coordinator/coordinator.js';
import { TransactionCoordinator } from '../../src/txn/coordinator.js';

const config = BrokerConfig.load({});
const log = createLogger('silent');
const logManager = new LogManager('memory', ['/nonexistent-memory-engine'], config, log);
const metadata = new ClusterMetadata(new MemoryMetadataStore(), config, 1, () => ({ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }));
metadata.setLifecycle(logManager);

/** A pair of coordinators over the same logs, as one broker start would make them. */
async function coordinators() {
  const services = { config, log, metadata, logManager };
  // Each needs the other, as in Broker: the group coordinator reaches the transaction one late.
  const late: { txn?: TransactionCoordinator } = {};
  const groups = new GroupCoordinator({ ...services, transactionalOffsets: { replayBatch: (...a) => late.txn!.pendingOffsets.replayBatch(...a) } });
  const txn = new TransactionCoordinator({ ...services, groups });
  late.txn = txn;
  await groups.load();
  await txn.load();
  return { groups, txn };
}

const value = (offset: number): OffsetAndMetadata => ({ offset, leaderEpoch: -1, metadata: '', commitTimestamp: Date.now(), expireTimestamp: -1 });

test.after(async () => {
  await logManager.close();
});

test('transactional offsets: pending until the marker, replayed at load, applied to the group coordinator on COMMIT', async () => {
  const first = await coordinators();
  const producerId = 7;
  await first.txn.pendingOffsets.commit(producerId, 0, 'g', [{ topic: 't', partition: 0, value: value(42) }]);
  assert.ok(first.txn.pendingOffsets.hasPending('g', 't', 0), 'held until the marker');
  assert.is(first.groups.offsets.get('g', 't', 0), undefined, 'not visible before the marker');
  first.groups.close();
  first.txn.close();

  // A second start over the same log: the group coordinator's load hands the transactional batch
  // to the transaction coordinator, which holds it again.
  const second = await coordinators();
  assert.ok(second.txn.pendingOffsets.hasPending('g', 't', 0), 'replayed as pending');
  assert.is(second.groups.offsets.get('g', 't', 0), undefined);
  second.txn.pendingOffsets.complete(producerId, second.groups.partitionFor('g'), true);
  assert.is(second.groups.offsets.get('g', 't', 0)?.offset, 42, 'applied to the group coordinator at COMMIT');
  assert.not.ok(second.txn.pendingOffsets.hasPending('g', 't', 0));
  second.groups.close();
  second.txn.close();
});

test.run();
