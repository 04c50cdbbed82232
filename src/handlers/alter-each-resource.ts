// What AlterConfigs and IncrementalAlterConfigs share: each resource is altered on its own and
// answered with its own error; a resource named twice in one request is refused
// (INVALID_REQUEST, as Kafka's ConfigAdminManager does) without touching the others.
import { ErrorCode, KafkaError } from '../errors.js';

export interface ConfigResourceRef {
  resourceType: number;
  resourceName: string;
}

// Resources are altered one after another, in request order.
export async function alterEachResource<R extends ConfigResourceRef>(resources: R[], alter: (r: R) => Promise<void>) {
  const key = (r: R) => `${r.resourceType}:${r.resourceName}`;
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const r of resources) (seen.has(key(r)) ? dup : seen).add(key(r));
  const out = [];
  for (const r of resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName };
    if (dup.has(key(r))) {
      out.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate resource in request.' });
      continue;
    }
    try {
      await alter(r);
      out.push({ ...base, errorCode: ErrorCode.NONE, errorMessage: null });
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      out.push({ ...base, errorCode: err.code, errorMessage: err.message as string | null });
    }
  }
  return out;
}
