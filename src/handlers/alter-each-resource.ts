// What AlterConfigs and IncrementalAlterConfigs share: each resource is altered on its own and
// answered with its own error; a resource named twice in one request is refused
// (INVALID_REQUEST, as Kafka's ConfigAdminManager does) without touching the others.
import { ErrorCode, KafkaError } from '../errors.js';

export interface ConfigResourceRef {
  resourceType: number;
  resourceName: string;
}

export function alterEachResource<R extends ConfigResourceRef>(resources: R[], alter: (r: R) => void) {
  const key = (r: R) => `${r.resourceType}:${r.resourceName}`;
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) (seen.has(key(r)) ? dup : seen).add(key(r));
  return resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (dup.has(key(r))) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource in request.' };
    try {
      alter(r);
      return { ...base, errorCode: ErrorCode.NONE, errorMessage: null };
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      return { ...base, errorCode: err.code, errorMessage: err.message };
    }
  });
}
