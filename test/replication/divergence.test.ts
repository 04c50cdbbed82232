// Divergence (issue 13, KIP-101/KIP-320): an old leader that holds records it never replicated
// (written with acks=1 while its followers were held back) is stopped; a follower becomes leader
// with a higher epoch and takes new records; when the old leader returns it learns from a
// diverging epoch where its log parts from the new leader's, truncates its unreplicated records,
// and fetches on. Then every replica's log is identical, byte for byte. On disk, so that the old
// leader returns with its log, its leader-epoch-checkpoint and its replication-offset-checkpoint.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/errors.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { connectClient, fetchOnce, produceRaw, recordsOf } from '../data-path/helpers.js';
import { partitionState, replicasInSync, storedBytes, until } from './helpers.js';

const batch = (n: number, tag: string) => buildBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`${tag}-${i}`) })));

function values(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let pos = 0; pos < bytes.length;) {
    const size = bytes.readInt32BE(pos + 8) + 12;
    for (const r of recordsOf(bytes.subarray(pos, pos + size))!) out.push(r.value!.toString());
    pos += size;
  }
  return out;
}

test("an old leader with unreplicated acks=1 records rejoins, truncates to the new leader's log, and every replica is byte for byte the same", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-divergence-'));
  const cluster = await startCluster({ brokers: 3, dataDir: dir });
  const clients: Array<{ close(): void }> = [];
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'div', numPartitions: 1, replicationFactor: 3 });
    const old = partitionState(cluster, 0, 'div', 0).leader;
    const followers = partitionState(cluster, 0, 'div', 0).replicas.filter((id) => id !== old);
    const c = await connectClient(`127.0.0.1:${cluster.broker(old).port}`);
    clients.push(c);
    for (let i = 0; i < 3; i++)
      assert.is((await produceRaw(c, 'div', [{ index: 0, records: batch(3, `committed${i}`) }], { acks: -1 }))[0]!.errorCode, ErrorCode.NONE);
    await replicasInSync(cluster, 'div', 0);
    // The followers stop fetching: what the leader takes now, only it has.
    for (const id of followers) await cluster.broker(id).replicaManager!.holdFetching(true);
    for (let i = 0; i < 2; i++)
      assert.is((await produceRaw(c, 'div', [{ index: 0, records: batch(2, `lost${i}`) }], { acks: 1 }))[0]!.errorCode, ErrorCode.NONE);
    const oldLog = cluster.broker(old).logManager.get('div', 0)!;
    assert.is(oldLog.logEndOffset, 13);
    assert.is(oldLog.highWatermark, 9, 'the unreplicated records are above the high watermark');
    for (const id of followers) assert.is(cluster.broker(id).logManager.get('div', 0)!.logEndOffset, 9);
    // A consumer never reads past the high watermark.
    const seen = await fetchOnce(c, 'div', 0, 0);
    assert.is(seen.errorCode, ErrorCode.NONE);
    assert.is(seen.highWatermark, 9);
    assert.not.ok(values(Buffer.concat(([] as Buffer[]).concat(seen.records as Buffer))).some((v) => v.startsWith('lost')));
    await cluster.stopBroker(old);
    // replication-offset-checkpoint in Kafka's format, with the high watermark.
    const ckpt = readFileSync(join(dir, `broker-${old}`, 'replication-offset-checkpoint'), 'utf8');
    assert.match(ckpt, /^0\n\d+\n/);
    assert.match(ckpt, /^div 0 9$/m);
    const next = await until('a new leader', () => {
      const p = partitionState(cluster, followers[0]!, 'div', 0);
      return p.leader >= 0 && p.leader !== old ? p.leader : null;
    });
    for (const id of followers) await cluster.broker(id).replicaManager!.holdFetching(false);
    const c2 = await connectClient(`127.0.0.1:${cluster.broker(next).port}`);
    clients.push(c2);
    assert.is((await produceRaw(c2, 'div', [{ index: 0, records: batch(4, 'new') }], { acks: -1 }))[0]!.errorCode, ErrorCode.NONE);
    await cluster.startBroker(old);
    await until('the old leader back in the ISR', () => partitionState(cluster, next, 'div', 0).isr.includes(old));
    await replicasInSync(cluster, 'div', 0);
    const expected = await storedBytes(cluster.broker(next), 'div', 0);
    for (const b of cluster.brokers())
      assert.ok((await storedBytes(b, 'div', 0)).equals(expected), `broker ${b.nodeId} holds the new leader's log byte for byte`);
    const vs = values(expected);
    assert.is(vs.length, 13);
    assert.not.ok(
      vs.some((v) => v.startsWith('lost')),
      'the unreplicated records are gone',
    );
    assert.equal(vs.slice(9), ['new-0', 'new-1', 'new-2', 'new-3']);
    // The old leader's epoch cache is the new leader's: epoch 0 from 0, the new epoch from 9.
    assert.equal(cluster.broker(old).logManager.get('div', 0)!.epochs, cluster.broker(next).logManager.get('div', 0)!.epochs);
  } finally {
    for (const c of clients) c.close();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted replica resumes with the high watermark of its replication-offset-checkpoint, not its log end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-hw-checkpoint-'));
  // Stops without a controlled shutdown: a handoff would make the old leader a follower that
  // truncates its unreplicated records before it stops (as Kafka's would).
  const cluster = await startCluster({ brokers: 2, dataDir: dir, config: { 'controlled.shutdown.enable': false } });
  let c: Awaited<ReturnType<typeof connectClient>> | null = null;
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'hw', numPartitions: 1, replicationFactor: 2 });
    const leader = partitionState(cluster, 0, 'hw', 0).leader;
    const follower = 1 - leader;
    c = await connectClient(`127.0.0.1:${cluster.broker(leader).port}`);
    assert.is((await produceRaw(c, 'hw', [{ index: 0, records: batch(3, 'committed') }], { acks: -1 }))[0]!.errorCode, ErrorCode.NONE);
    await replicasInSync(cluster, 'hw', 0);
    await cluster.broker(follower).replicaManager!.holdFetching(true);
    assert.is((await produceRaw(c, 'hw', [{ index: 0, records: batch(2, 'unreplicated') }], { acks: 1 }))[0]!.errorCode, ErrorCode.NONE);
    c.close();
    c = null;
    await cluster.stopBroker(leader);
    await cluster.stopBroker(follower);
    // Started alone, the old leader cannot lead (the other broker was the last in the ISR) nor
    // fetch: its high watermark is the checkpointed one.
    await cluster.startBroker(leader);
    const log = cluster.broker(leader).logManager.get('hw', 0)!;
    assert.is(log.logEndOffset, 5);
    assert.is(log.highWatermark, 3);
  } finally {
    c?.close();
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
