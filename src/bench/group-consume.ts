// `samsa bench consume --group ID`: consume as a member of a classic consumer group
// (group-member.ts). Each generation: fetch the assigned partitions from the group's committed
// offsets (--from where there are none), commit the position every AUTO_COMMIT_INTERVAL_MS
// (the consumer's auto.commit.interval.ms), and when a heartbeat says the group rebalances, stop
// fetching, commit, and rejoin, as Kafka's consumer does before it rejoins (ConsumerCoordinator
// .onJoinPrepare). At the end: commit, then LeaveGroup. Without --records or --duration the member
// stops once its partitions reach the log end they had when it was assigned them.
import { startConsumer, startOffsets, type ConsumeRun } from './consume.js';
import { GroupMember, type Generation } from './group-member.js';
import type { Session, TopicLayout } from './session.js';
import type { BenchConfig, GroupResult } from './types.js';
import type { Meter } from './meter.js';

const AUTO_COMMIT_INTERVAL_MS = 5_000;

export interface GroupConsumeRun {
  done: Promise<GroupResult>;
  stop(): void;
}

/** Starts the member; `onAssigned` runs once, when the first generation's assignment arrives (the meter starts then). */
export function startGroupConsumer(cfg: BenchConfig, session: Session, layout: TopicLayout, meter: Meter, onAssigned: () => void): GroupConsumeRun {
  const member = new GroupMember(session, cfg.group!, cfg.topic, cfg.timeoutMs, cfg.sessionTimeoutMs);
  const generations: Generation[] = [];
  const committed = new Map<number, number>();
  const untilCaughtUp = cfg.records === null && cfg.durationMs === null;
  let stopped = false;
  let rejoin: string | null = null;
  let fatal: Error | null = null;
  let consumer: ConsumeRun | null = null;
  let wakeIdle: (() => void) | null = null;
  const interrupt = () => {
    consumer?.stop();
    wakeIdle?.();
  };
  member.onRejoin = (reason) => {
    rejoin = reason;
    interrupt();
  };
  member.onFatal = (err) => {
    fatal = err;
    interrupt();
  };

  // Commits go one at a time, in order (the periodic one and the one before a rejoin or the end).
  let chain: Promise<unknown> = Promise.resolve();
  const commit = (positions: Map<number, number>): Promise<void> => {
    const p = chain.then(async () => {
      if (!member.inGeneration) return; // the generation is gone: a commit would be refused
      const refused = await member.commit(positions);
      if (refused) meter.error(refused);
      else for (const [partition, offset] of positions) committed.set(partition, offset);
    });
    chain = p.catch(() => {});
    return p;
  };

  const run = async (): Promise<GroupResult> => {
    let first = true;
    try {
      while (!stopped) {
        rejoin = null;
        const g = await member.join(generations.length === 0 ? 'samsa bench joins' : 'samsa bench rejoins');
        generations.push(g);
        if (first) {
          first = false;
          onAssigned();
        }
        if (stopped) break;
        if (g.partitions.length === 0 && !untilCaughtUp) {
          // More members than partitions: stay in the group, idle, until stopped or rebalanced.
          await new Promise<void>((resolve) => {
            wakeIdle = resolve;
            if (stopped || rejoin !== null || fatal !== null) resolve();
          });
          wakeIdle = null;
          if (fatal) throw fatal;
          continue;
        }
        const start = await member.committed(g.partitions);
        const missing = g.partitions.filter((p) => !start.has(p));
        if (missing.length > 0) for (const [p, o] of await startOffsets(cfg, layout, cfg.from, missing)) start.set(p, o);
        const until = untilCaughtUp ? await startOffsets(cfg, layout, 'latest', g.partitions) : undefined;
        const c = await startConsumer(cfg, layout, start, meter, { partitions: g.partitions, maxRecords: cfg.records, ...(until ? { until } : {}) });
        consumer = c;
        if (stopped || rejoin !== null || fatal !== null) c.stop();
        const timer = setInterval(() => {
          commit(c.positions()).catch((err: Error) => member.onFatal(err));
        }, AUTO_COMMIT_INTERVAL_MS);
        try {
          await c.done;
        } finally {
          clearInterval(timer);
          consumer = null;
        }
        if (fatal) throw fatal;
        await commit(c.positions());
        if (rejoin === null) break; // reached --records, caught up, or stopped
      }
      return result();
    } finally {
      await member.leave();
      member.close();
    }
  };

  const result = (): GroupResult => ({
    groupId: member.groupId,
    memberId: member.memberId,
    partitions: generations.at(-1)?.partitions ?? [],
    generations,
    committed: Object.fromEntries([...committed].sort((a, b) => a[0] - b[0]).map(([p, o]) => [String(p), o])),
  });

  return {
    done: run(),
    stop() {
      stopped = true;
      interrupt();
    },
  };
}
