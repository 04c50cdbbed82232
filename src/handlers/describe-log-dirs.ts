// DescribeLogDirs (key 35): per log dir, the partitions it holds and their sizes. As Kafka's
// ReplicaManager.describeLogDirs does: `topics` null means every partition; otherwise only the
// (topic, partition) pairs asked for that exist are listed, and topics left with no partition
// are left out (an unknown topic or partition is simply absent, not an error). A log dir that
// cannot be read answers KAFKA_STORAGE_ERROR with no topics. v4+ adds the volume's total and
// usable bytes (-1 in memory mode); v5's isCordoned is always false (samsa cannot cordon a dir).
// offsetLag is 0 (no future replicas) and isFutureKey false.
import { DescribeLogDirsRequest } from '../protocol/generated/describe-log-dirs-request.js';
import { DescribeLogDirsResponse, type DescribeLogDirsResult, type DescribeLogDirsTopic } from '../protocol/generated/describe-log-dirs-response.js';
import type { Input } from '../protocol/primitives/index.js';
import { ErrorCode } from '../errors.js';
import type { TopicState } from '../cluster/topic.js';
import { defineHandler } from './types.js';

export const describeLogDirsHandler = defineHandler({
  request: DescribeLogDirsRequest,
  response: DescribeLogDirsResponse,
  minVersion: 0,
  maxVersion: 5,
  handle(req, ctx) {
    const md = ctx.broker.metadata;
    let topics: TopicState[];
    // Asked-for partitions by topic; null: all of them.
    let wanted: Map<string, Set<number>> | null = null;
    if (req.topics === null) {
      topics = md.topics();
    } else {
      wanted = new Map();
      for (const t of req.topics) {
        const set = wanted.get(t.topic) ?? new Set<number>();
        for (const p of t.partitions) set.add(p);
        wanted.set(t.topic, set);
      }
      topics = [...wanted.keys()].map((name) => md.topic(name)).filter((t): t is TopicState => t !== undefined);
    }

    const results: Input<DescribeLogDirsResult>[] = ctx.broker.logManager.describe(topics).map((dir) => {
      if (dir.error !== null) {
        ctx.log.warn({ logDir: dir.path, err: dir.error }, 'could not describe a log dir');
        return { errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir: dir.path, topics: [] };
      }
      const byTopic = new Map<string, Input<DescribeLogDirsTopic>>();
      for (const p of dir.partitions) {
        if (wanted !== null && !wanted.get(p.topic)?.has(p.partition)) continue;
        let entry = byTopic.get(p.topic);
        if (!entry) byTopic.set(p.topic, (entry = { name: p.topic, partitions: [] }));
        entry.partitions!.push({ partitionIndex: p.partition, partitionSize: p.sizeBytes, offsetLag: p.offsetLag, isFutureKey: false });
      }
      return {
        errorCode: ErrorCode.NONE,
        logDir: dir.path,
        topics: [...byTopic.values()],
        totalBytes: dir.totalBytes,
        usableBytes: dir.usableBytes,
        isCordoned: false,
      };
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
  },
  errorResponse(_req, errorCode) {
    // Kafka's getErrorResponse: the top-level code (v3+) and no log dirs.
    return { errorCode, results: [] };
  },
});
