// Start-up replay of the KIP-848 consumer group records (records.ts), after Kafka's
// GroupMetadataManager.replay for ConsumerGroup* keys. Records are collected per key (the latest
// wins, a tombstone deletes), then each group is rebuilt: it exists while its ConsumerGroupMetadata
// record does, a member while its ConsumerGroupMemberMetadata record does, with the epochs, state
// and partitions of its current assignment and its target assignment. Regex records (samsa
// resolves regexes from live metadata) and the deprecated partition metadata are not kept.
import type { GroupCoordinator } from '../coordinator.js';
import { ConsumerGroup, ConsumerGroupMember, MemberState } from './group.js';
import type { Assignment } from './assignors.js';
import {
  MEMBER_STATE_CODES,
  RecordType,
  decodeConsumerKey,
  decodeCurrentAssignmentValue,
  decodeGroupEpochValue,
  decodeMemberMetadataValue,
  decodeTargetEpochValue,
  decodeTargetMemberValue,
  type ConsumerGroupMetadataValue,
  type CurrentAssignmentValue,
  type MemberMetadataValue,
  type TopicPartitionsValue,
} from './records.js';
import { PARTITION_METADATA_IMAGE_KEY, adoptLoaded, metadataHash } from './persist.js';
import { chooseAssignor, fingerprint } from './heartbeat.js';

interface Staged {
  epoch?: ConsumerGroupMetadataValue;
  targetEpoch?: number;
  partitionMetadata: boolean;
  members: Map<string, MemberMetadataValue>;
  targets: Map<string, TopicPartitionsValue[]>;
  current: Map<string, CurrentAssignmentValue>;
}

export class ConsumerGroupReplay {
  private readonly staged = new Map<string, Staged>();

  private group(id: string): Staged {
    let s = this.staged.get(id);
    if (!s) this.staged.set(id, (s = { partitionMetadata: false, members: new Map(), targets: new Map(), current: new Map() }));
    return s;
  }

  /** Applies one record; returns its group id, or null when the key is not a consumer group record. */
  replay(key: Buffer, value: Buffer | null): string | null {
    const k = decodeConsumerKey(key);
    if (k === null) return null;
    const s = this.group(k.group);
    switch (k.type) {
      case RecordType.ConsumerGroupMetadata:
        if (value === null) delete s.epoch;
        else s.epoch = decodeGroupEpochValue(value);
        break;
      case RecordType.ConsumerGroupPartitionMetadata:
        s.partitionMetadata = value !== null;
        break;
      case RecordType.ConsumerGroupTargetAssignmentMetadata:
        if (value === null) delete s.targetEpoch;
        else s.targetEpoch = decodeTargetEpochValue(value);
        break;
      case RecordType.ConsumerGroupMemberMetadata:
        if (value === null) s.members.delete(k.memberId);
        else s.members.set(k.memberId, decodeMemberMetadataValue(value));
        break;
      case RecordType.ConsumerGroupTargetAssignmentMember:
        if (value === null) s.targets.delete(k.memberId);
        else s.targets.set(k.memberId, decodeTargetMemberValue(value));
        break;
      case RecordType.ConsumerGroupCurrentMemberAssignment:
        if (value === null) s.current.delete(k.memberId);
        else s.current.set(k.memberId, decodeCurrentAssignmentValue(value));
        break;
      case RecordType.ConsumerGroupRegularExpression:
        break;
    }
    return k.group;
  }

  /** A classic group record for the id came later: the consumer group records before it are void. */
  forget(groupId: string): void {
    this.staged.delete(groupId);
  }

  /** Builds the groups into the coordinator's registry; returns how many. */
  finish(c: GroupCoordinator): number {
    const registry = c.consumerGroups;
    let n = 0;
    for (const [groupId, s] of this.staged) {
      if (s.epoch === undefined) continue;
      const g = build(groupId, s);
      // The metadata the epoch was computed against: unchanged since, no bump is due; changed (or
      // written by Kafka, which hashes differently), the next heartbeat bumps the epoch.
      const now = fingerprint(c, g);
      g.metadataFingerprint = metadataHash(now) === s.epoch.metadataHash ? now : '';
      g.assignorName = chooseAssignor(c, g);
      adoptLoaded(g, s.partitionMetadata ? [PARTITION_METADATA_IMAGE_KEY] : []);
      registry.set(groupId, g);
      n++;
    }
    this.staged.clear();
    return n;
  }
}

const STATES = new Map<number, MemberState>([
  [MEMBER_STATE_CODES.STABLE, MemberState.Stable],
  [MEMBER_STATE_CODES.UNREVOKED_PARTITIONS, MemberState.UnrevokedPartitions],
  [MEMBER_STATE_CODES.UNRELEASED_PARTITIONS, MemberState.UnreleasedPartitions],
]);

function build(groupId: string, s: Staged): ConsumerGroup {
  const g = new ConsumerGroup(groupId);
  g.groupEpoch = s.epoch!.epoch;
  g.assignmentEpoch = s.targetEpoch ?? 0;
  for (const [memberId, md] of s.members) {
    const m = new ConsumerGroupMember(memberId, md.clientId, md.clientHost);
    m.instanceId = md.instanceId;
    m.rackId = md.rackId;
    m.rebalanceTimeoutMs = md.rebalanceTimeoutMs;
    m.subscribedTopicNames = [...md.subscribedTopicNames].sort();
    m.subscribedTopicRegex = md.subscribedTopicRegex;
    m.serverAssignor = md.serverAssignor;
    const cur = s.current.get(memberId);
    if (cur) {
      m.memberEpoch = cur.memberEpoch;
      m.previousMemberEpoch = cur.previousMemberEpoch;
      m.state = STATES.get(cur.state) ?? MemberState.Stable;
      m.assigned = toAssignment(cur.assigned);
      m.pendingRevocation = toAssignment(cur.pendingRevocation);
      // Records without assignment epochs (before KIP-1251): the member epoch (never below 0).
      const fallback = Math.max(cur.memberEpoch, 0);
      for (const tp of [...cur.assigned, ...cur.pendingRevocation]) {
        let e = m.assignmentEpochs.get(tp.topicId);
        if (!e) m.assignmentEpochs.set(tp.topicId, (e = new Map()));
        tp.partitions.forEach((p, i) => e.set(p, tp.assignmentEpochs?.[i] ?? fallback));
      }
    }
    g.members.set(memberId, m);
  }
  for (const [memberId, parts] of s.targets) if (g.members.has(memberId)) g.targetAssignment.set(memberId, toAssignment(parts));
  return g;
}

function toAssignment(parts: readonly TopicPartitionsValue[]): Assignment {
  const a: Assignment = new Map();
  for (const tp of parts) if (tp.partitions.length > 0) a.set(tp.topicId, new Set(tp.partitions));
  return a;
}
