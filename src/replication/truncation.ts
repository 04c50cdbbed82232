// Where a follower truncates when the leader answers a diverging epoch (KIP-320 on a v12+ fetch)
// or an OffsetForLeaderEpoch (KIP-101/279): Kafka's AbstractFetcherThread.getOffsetTruncationState.
// `leader` is the leader's largest epoch <= the one asked about and where it ends; `follower`
// this log's answer for that epoch. `completed` false means: truncate there, then ask again
// with the follower's new latest epoch (the follower did not know the leader's epoch).
export interface EpochEnd {
  leaderEpoch: number;
  endOffset: number;
}

export interface TruncationState {
  offset: number;
  completed: boolean;
}

export function offsetTruncationState(leader: EpochEnd, follower: EpochEnd, logEndOffset: number, highWatermark: number): TruncationState {
  // The leader cannot place the epoch: truncate to the high watermark (known committed).
  if (leader.endOffset < 0) return { offset: Math.min(highWatermark, logEndOffset), completed: true };
  if (leader.leaderEpoch < 0 || follower.leaderEpoch < 0) return { offset: Math.min(leader.endOffset, logEndOffset), completed: true };
  if (follower.leaderEpoch !== leader.leaderEpoch) return { offset: Math.min(follower.endOffset, logEndOffset), completed: false };
  return { offset: Math.min(follower.endOffset, leader.endOffset, logEndOffset), completed: true };
}
