// What the group protocol flows (classic/: rebalance.ts, join.ts, sync.ts, membership.ts) need
// from the coordinator: its settings, a logger, keyed timers, and the log of group metadata.
// Timers are per group and per member (setTimeout, unref'd), never a global polling loop; every
// callback runs on the event loop, like every other change of broker state.
import type { Logger } from '../log.js';
import type { BrokerConfig } from '../config/index.js';
import type { ClassicGroup } from './classic/group.js';

export interface CoordinatorConfig {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  maxGroupSize: number;
  initialRebalanceDelayMs: number;
  // Kafka's group.coordinator.new.member.join.timeout.ms (an internal config, 5 minutes): how long
  // a new member's JoinGroup may stay parked before the member is dropped.
  newMemberJoinTimeoutMs: number;
  offsetMetadataMaxBytes: number;
  offsetsRetentionMs: number;
  offsetsRetentionCheckIntervalMs: number;
}

export function coordinatorConfig(c: BrokerConfig): CoordinatorConfig {
  return {
    minSessionTimeoutMs: c.getInt('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: c.getInt('group.max.session.timeout.ms'),
    maxGroupSize: c.getInt('group.max.size'),
    initialRebalanceDelayMs: c.getInt('group.initial.rebalance.delay.ms'),
    newMemberJoinTimeoutMs: 5 * 60 * 1000,
    offsetMetadataMaxBytes: c.getInt('offset.metadata.max.bytes'),
    offsetsRetentionMs: c.getInt('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: c.getLong('offsets.retention.check.interval.ms'),
  };
}

/** One-shot timers by key: scheduling a key again replaces its timer. */
export class Timers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly log: Logger) {}

  schedule(key: string, ms: number, fn: () => void): void {
    this.cancel(key);
    const t = setTimeout(
      () => {
        this.timers.delete(key);
        guarded(this.log, key, fn);
      },
      Math.max(0, Math.min(ms, 2_147_483_647)),
    );
    t.unref();
    this.timers.set(key, t);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t);
      this.timers.delete(key);
    }
  }

  /** Cancels every timer of a group (keys are `kind\u0000groupId[\u0000memberId]`). */
  cancelGroup(groupId: string): void {
    for (const [key, t] of this.timers) {
      if (key.split('\u0000')[1] !== groupId) continue;
      clearTimeout(t);
      this.timers.delete(key);
    }
  }

  has(key: string): boolean {
    return this.timers.has(key);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

/** Runs a timer callback; a bug in one must not take the broker down. */
export function guarded(log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.error({ err, what }, 'group coordinator timer failed');
  }
}

export interface GroupRuntime {
  readonly config: CoordinatorConfig;
  readonly log: Logger;
  readonly timers: Timers;
  /**
   * Writes the group's GroupMetadata record (members with `assignment`, or their current
   * assignments) and resolves when it is durable; rejects with a KafkaError carrying the
   * coordinator error code.
   */
  persistGroup(group: ClassicGroup, assignment?: ReadonlyMap<string, Buffer>): Promise<void>;
}

export const joinKey = (groupId: string) => `join\u0000${groupId}`;
export const syncKey = (groupId: string) => `sync\u0000${groupId}`;
export const pendingKey = (groupId: string, memberId: string) => `pending\u0000${groupId}\u0000${memberId}`;
