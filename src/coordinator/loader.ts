// Start-up: rebuilds groups and committed offsets by replaying __consumer_offsets, as Kafka's
// coordinator replays its partitions (GroupMetadataManager.replay, OffsetMetadataManager.replay):
// the latest record per key wins and a null value deletes. A group with members comes back
// Stable at its generation, with each member's subscription and assignment, so live consumers
// carry on heartbeating after a broker restart; a group known only from offsets comes back as an
// empty "simple" group. KIP-848 consumer groups come back through consumer/loader.ts.
import type { GroupCoordinator } from './coordinator.js';
import { ClassicGroup, GroupMember, GroupState } from './classic/group.js';
import { decodeGroupMetadataValue, decodeKey, decodeOffsetCommitValue, type GroupMetadataValue } from './records.js';
import { ConsumerGroupReplay } from './consumer/loader.js';

/** Replays every record (of one partition when `partition` is given); returns how many were read. */
export async function loadGroups(c: GroupCoordinator, partition?: number): Promise<number> {
  let bad = 0;
  const consumer = new ConsumerGroupReplay();
  const count = await c.topic.load((key, value, from) => {
    try {
      replay(c, consumer, key, value);
    } catch (err) {
      if (bad++ < 10) c.log.warn({ partition: from, err: (err as Error).message }, 'skipping an unreadable __consumer_offsets record');
    }
  }, partition);
  consumer.finish(c);
  // Offsets without group metadata: standalone consumers' simple groups.
  for (const groupId of c.offsets.groups()) {
    if (partition !== undefined && c.partitionFor(groupId) !== partition) continue;
    if (!c.isConsumerGroup(groupId)) c.getOrCreateGroup(groupId);
  }
  return count;
}

function replay(c: GroupCoordinator, consumer: ConsumerGroupReplay, keyBytes: Buffer, valueBytes: Buffer | null): void {
  const key = decodeKey(keyBytes);
  if (key.type === 'offset') {
    if (valueBytes === null) c.offsets.remove(key.group, key.topic, key.partition);
    else c.offsets.put(key.group, key.topic, key.partition, decodeOffsetCommitValue(valueBytes));
  } else if (key.type === 'group') {
    const existing = c.groups.get(key.group);
    if (existing) c.groups.delete(key.group);
    if (valueBytes !== null) {
      c.groups.set(key.group, groupFromRecord(key.group, decodeGroupMetadataValue(valueBytes)));
      consumer.forget(key.group); // a group id is classic or consumer: the later records win
    }
  } else {
    const groupId = consumer.replay(keyBytes, valueBytes);
    if (groupId !== null && valueBytes !== null) c.groups.delete(groupId);
  }
  // Other record types (share and streams groups) are not samsa's.
}

function groupFromRecord(groupId: string, v: GroupMetadataValue): ClassicGroup {
  const g = new ClassicGroup(groupId, v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : Date.now());
  g.generationId = v.generation;
  g.protocolType = v.protocolType === '' ? null : v.protocolType;
  g.protocolName = v.protocol;
  g.persisted = true;
  for (const m of v.members) {
    const member = new GroupMember(
      m.memberId,
      m.groupInstanceId,
      m.clientId,
      m.clientHost,
      m.rebalanceTimeout === -1 ? m.sessionTimeout : m.rebalanceTimeout,
      m.sessionTimeout,
      v.protocolType,
      [{ name: v.protocol ?? '', metadata: m.subscription }],
    );
    member.assignment = m.assignment;
    g.add(member);
  }
  g.leaderId = v.members.length > 0 ? v.leader : null;
  if (g.members.size > 0) {
    g.state = GroupState.Stable;
    g.previousState = GroupState.Dead;
  }
  g.subscribedTopics = g.computeSubscribedTopics();
  return g;
}
