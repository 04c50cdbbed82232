// How brokers of a cluster recognise each other's connections for inter-broker APIs
// (WriteTxnMarkers today). samsa has no authentication yet, so a broker names itself in its
// request header's client id with its node id and its incarnation id (random per start, known
// only through the metadata quorum's registrations, never shown to clients). A request counts as
// a live broker's when that pair is registered and live now: Kafka's CLUSTER_ACTION check on
// the broker principal, without the principal.
import type { MetadataQuorum } from './quorum/quorum.js';

const PREFIX = 'samsa-broker-';

export function interBrokerClientId(nodeId: number, incarnationId: string): string {
  return `${PREFIX}${nodeId}-${incarnationId}`;
}

/** The live broker's node id that sent the request, or null when it is not one. */
export function liveBrokerOf(clientId: string | null, quorum: MetadataQuorum | null): number | null {
  if (!quorum || !clientId?.startsWith(PREFIX)) return null;
  const rest = clientId.slice(PREFIX.length);
  const dash = rest.indexOf('-');
  if (dash <= 0) return null;
  const nodeId = Number(rest.slice(0, dash));
  const incarnationId = rest.slice(dash + 1);
  return quorum.liveBrokers().some((b) => b.nodeId === nodeId && b.incarnationId === incarnationId) ? nodeId : null;
}
