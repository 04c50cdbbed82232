// meta.properties in every log dir, in Kafka's format (org.apache.kafka.metadata.properties.
// MetaProperties, version 1): which cluster and which node the directory belongs to, and the
// directory's own id. Written on the first start; on every later start a directory whose
// cluster.id or node.id differs from the broker's refuses the start with one line saying which,
// as Kafka's MetaPropertiesEnsemble.verify does: a data dir from another cluster (or another
// broker) would otherwise be served as if its logs were this one's.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SamsaError, SamsaErrorCode } from '../errors.js';
import { randomUuid } from '../protocol/primitives/index.js';

export const META_PROPERTIES = 'meta.properties';

export interface MetaProperties {
  version: number;
  clusterId: string | null;
  nodeId: number | null;
  directoryId: string | null;
}

// Java's Properties format, as far as Kafka writes it: `key=value` lines, `#` comments.
export function parseMetaProperties(text: string): MetaProperties {
  const props = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) props.set(m[1]!, m[2]!);
  }
  const nodeId = props.get('node.id') ?? props.get('broker.id');
  return {
    version: Number(props.get('version') ?? '0'),
    clusterId: props.get('cluster.id') ?? null,
    nodeId: nodeId !== undefined && /^-?\d+$/.test(nodeId) ? Number(nodeId) : null,
    directoryId: props.get('directory.id') ?? null,
  };
}

export function formatMetaProperties(p: { clusterId: string; nodeId: number; directoryId: string }): string {
  return `#\n#${new Date().toString()}\ncluster.id=${p.clusterId}\ndirectory.id=${p.directoryId}\nnode.id=${p.nodeId}\nversion=1\n`;
}

// Checks (or writes) meta.properties in each log dir. Throws SamsaError (DATA_DIR) naming the
// file and the value that differs.
export function ensureMetaProperties(dirs: readonly string[], clusterId: string, nodeId: number): void {
  for (const dir of dirs) {
    const path = join(dir, META_PROPERTIES);
    if (existsSync(path)) {
      const found = parseMetaProperties(readFileSync(path, 'utf8'));
      if (found.clusterId !== null && found.clusterId !== clusterId) {
        throw new SamsaError(
          SamsaErrorCode.DATA_DIR,
          `data directory ${dir} belongs to cluster.id ${found.clusterId} (${path}), not to this cluster's ${clusterId}`,
        );
      }
      if (found.nodeId !== null && found.nodeId !== nodeId) {
        throw new SamsaError(
          SamsaErrorCode.DATA_DIR,
          `data directory ${dir} belongs to node.id ${found.nodeId} (${path}), not to this broker's node.id ${nodeId}`,
        );
      }
      if (found.version === 1 && found.clusterId !== null && found.nodeId !== null && found.directoryId !== null) continue;
      // Kafka's version 0 (or a partial file): rewritten as version 1, keeping what it had.
      writeAtomically(path, formatMetaProperties({ clusterId, nodeId, directoryId: found.directoryId ?? randomUuid() }));
      continue;
    }
    writeAtomically(path, formatMetaProperties({ clusterId, nodeId, directoryId: randomUuid() }));
  }
}

// Before a single broker loads its metadata: a log dir with meta.properties but without samsa's
// own metadata (a cluster broker's dir, or Kafka's) is not this single broker's; starting would
// give it a new cluster id and write into it.
export function checkSingleBrokerDirs(dirs: readonly string[], metadataFiles: readonly string[]): void {
  const first = dirs[0];
  if (first === undefined || metadataFiles.some((f) => existsSync(join(first, f)))) return;
  for (const dir of dirs) {
    const path = join(dir, META_PROPERTIES);
    if (!existsSync(path)) continue;
    const found = parseMetaProperties(readFileSync(path, 'utf8'));
    throw new SamsaError(
      SamsaErrorCode.DATA_DIR,
      `data directory ${dir} belongs to cluster.id ${found.clusterId ?? '(none)'} (${path}) but holds no single-broker metadata (${metadataFiles[0]}): it is not this broker's`,
    );
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
