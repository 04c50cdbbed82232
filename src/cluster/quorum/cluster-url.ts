// `--cluster etcd://HOST:PORT[,HOST:PORT...]`: which metadata quorum a broker of a multi-machine
// cluster joins. Only etcd is spoken today; the URL names the scheme so others can follow.
import type { Logger } from '../../log.js';
import type { MetadataQuorum } from './quorum.js';

export interface ClusterUrl {
  kind: 'etcd';
  endpoints: string[];
}

// Parses the URL or returns why it is not one.
export function parseClusterUrl(url: string): ClusterUrl | string {
  const m = /^([a-z0-9+]+):\/\/(.+)$/i.exec(url.trim());
  if (!m) return `--cluster must look like etcd://HOST:PORT[,HOST:PORT...], got '${url}'`;
  if (m[1]!.toLowerCase() !== 'etcd') return `--cluster: unknown scheme '${m[1]}' (samsa speaks etcd://)`;
  const endpoints = m[2]!
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const bad = endpoints.find((e) => !/^(\[[0-9a-f:.]+\]|[^:/\s]+):\d{1,5}$/i.test(e));
  if (endpoints.length === 0 || bad !== undefined) return `--cluster: '${bad ?? ''}' is not HOST:PORT in '${url}'`;
  return { kind: 'etcd', endpoints: endpoints.map((e) => `http://${e}`) };
}

// Opens the quorum the URL names; rejects with QuorumUnavailableError (naming the endpoints) when
// it cannot be reached within connectTimeoutMs.
export async function openClusterQuorum(url: ClusterUrl, clusterId: string, sessionTimeoutMs: number, log?: Logger): Promise<MetadataQuorum> {
  const { EtcdQuorum } = await import('./etcd-quorum.js');
  return EtcdQuorum.open({ endpoints: url.endpoints, clusterId, sessionTimeoutMs, log });
}
