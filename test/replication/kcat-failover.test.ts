// requires: kcat
// librdkafka (kcat 1.7.1) on a replicated topic (issue 13): kcat produces with acks=all to an
// RF=3 topic of a 3-broker cluster; every replica holds the same bytes; after the leader is
// stopped and the partition moves, kcat reads every record back from the new leader.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../../src/index.js';
import { run } from '../clients/helpers.js';
import { partitionState, replicasInSync, storedBytes, until } from './helpers.js';

test('kcat: acks=all to RF=3, identical replicas, all records read back after the leader moved', async () => {
  const cluster = await startCluster({ brokers: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-kcat-rf3-'));
  try {
    await cluster.broker(0).metadata.createTopicAsync({ name: 'kc', numPartitions: 1, replicationFactor: 3 });
    const lines = Array.from({ length: 200 }, (_, i) => `line-${i}`);
    const file = join(dir, 'in.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    const kcat = async (args: string[]) => {
      const r = await run('kcat', ['-b', cluster.bootstrap, '-X', 'topic.metadata.refresh.interval.ms=500', ...args], 60_000);
      assert.is(r.code, 0, `kcat ${args.join(' ')} exited with ${r.code}\nstderr: ${r.stderr}`);
      return r.stdout;
    };
    await kcat(['-P', '-t', 'kc', '-p', '0', '-l', file, '-X', 'acks=all', '-X', 'linger.ms=5']);
    const first = await replicasInSync(cluster, 'kc', 0);
    const bytes = await storedBytes(cluster.broker(first), 'kc', 0);
    for (const b of cluster.brokers()) assert.ok((await storedBytes(b, 'kc', 0)).equals(bytes), `broker ${b.nodeId}`);
    await cluster.stopBroker(first);
    const other = cluster.brokers()[0]!.nodeId;
    await until('a new leader', () => {
      const p = partitionState(cluster, other, 'kc', 0);
      return p.leader >= 0 && p.leader !== first;
    });
    const out = await kcat(['-C', '-t', 'kc', '-p', '0', '-o', 'beginning', '-e', '-q']);
    assert.equal(out.trim().split('\n'), lines);
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
