// KIP-951: a Produce (v10+) or Fetch (v16+, currentLeader from v12) answered with
// NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH names the partition's current leader and epoch,
// and the response lists that leader's endpoint, so the client goes there without a Metadata
// round trip first.
import { ErrorCode } from '../errors.js';
import type { PartitionState } from '../cluster/topic.js';
import type { RequestContext } from './types.js';

export function movedLeader(errorCode: number): boolean {
  return errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER || errorCode === ErrorCode.FENCED_LEADER_EPOCH;
}

export function currentLeaderOf(state: PartitionState | undefined): { leaderId: number; leaderEpoch: number } {
  return state ? { leaderId: state.leader, leaderEpoch: state.leaderEpoch } : { leaderId: -1, leaderEpoch: -1 };
}

// Collects the endpoints of the leaders named in a response (NodeEndpoints, tagged field 0).
export class LeaderEndpoints {
  // Made on the first leader named: most responses name none.
  private ids: Set<number> | null = null;

  add(leaderId: number): void {
    if (leaderId >= 0) (this.ids ??= new Set()).add(leaderId);
  }

  endpoints(ctx: RequestContext): Array<{ nodeId: number; host: string; port: number; rack: string | null }> | undefined {
    const ids = this.ids;
    if (ids === null) return undefined;
    return ctx.broker.metadata
      .brokers()
      .filter((b) => ids.has(b.nodeId))
      .map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
  }
}
