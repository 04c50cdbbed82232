// The broker order replicas are dealt from (Kafka's rack-aware assignment,
// AdminUtils.getRackAlternatedBrokerList): with broker.rack set, brokers are taken one rack at a
// time in turn (racks and the brokers in each by name and id), so consecutive replicas of a
// partition land on different racks; without racks, by node id.
import type { BrokerEndpoint } from './topic.js';

export function placementOrder(brokers: readonly BrokerEndpoint[]): number[] {
  const byId = [...brokers].sort((a, b) => a.nodeId - b.nodeId);
  if (!byId.some((b) => b.rack !== null && b.rack !== '')) return byId.map((b) => b.nodeId);
  const racks = new Map<string, number[]>();
  for (const b of byId) {
    const rack = b.rack ?? '';
    const list = racks.get(rack) ?? [];
    list.push(b.nodeId);
    racks.set(rack, list);
  }
  const lists = [...racks.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, ids]) => ids);
  const out: number[] = [];
  for (let i = 0; out.length < byId.length; i++) for (const ids of lists) if (i < ids.length) out.push(ids[i]!);
  return out;
}
