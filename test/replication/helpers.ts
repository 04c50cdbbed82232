// Helpers of the replication tests: polling with a deadline, and a replica's stored bytes.
import type { Broker } from '../../src/broker/broker.js';
import type { Cluster } from '../../src/broker/cluster.js';

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Every stored batch of a replica's log, as the bytes in its segments (to the log end).
export async function storedBytes(b: Broker, topic: string, partition: number): Promise<Buffer> {
  const log = b.logManager.get(topic, partition);
  if (!log) throw new Error(`broker ${b.nodeId} has no log for ${topic}-${partition}`);
  const r = await log.read(log.logStartOffset, 1 << 30, true, log.logEndOffset);
  return Buffer.concat(r.buffers);
}

export function partitionState(cluster: Cluster, via: number, topic: string, partition: number) {
  return cluster.broker(via).metadata.topic(topic)!.partitions[partition]!;
}

// Waits until every running replica of the partition has the same log end offset as the leader
// and the same high watermark, then returns the leader's id.
export async function replicasInSync(cluster: Cluster, topic: string, partition: number, ms = 15_000): Promise<number> {
  return until(
    `replicas of ${topic}-${partition} in sync`,
    () => {
      const any = cluster.brokers()[0]!;
      const p = any.metadata.topic(topic)?.partitions[partition];
      if (!p || p.leader < 0 || !cluster.isRunning(p.leader)) return null;
      const leaderLog = cluster.broker(p.leader).logManager.get(topic, partition)!;
      for (const id of p.replicas) {
        if (!cluster.isRunning(id)) continue;
        const l = cluster.broker(id).logManager.get(topic, partition);
        if (!l || l.logEndOffset !== leaderLog.logEndOffset || l.highWatermark !== leaderLog.highWatermark) return null;
      }
      return leaderLog.highWatermark === leaderLog.logEndOffset ? p.leader + 1 : null;
    },
    ms,
  ).then((x) => x - 1);
}
