// Which header version goes with an API version. Kafka's rules: flexible API versions use request
// header v2 and response header v1; ControlledShutdown v0 alone used request header v0.
// ApiVersions responses always use header v0 (no tagged fields), because a client that does not
// yet know the broker's versions must be able to read them (KIP-511).
import { API_BY_KEY, ApiKey } from './generated/api-keys.js';

function isFlexible(apiKey: number, apiVersion: number): boolean {
  const info = API_BY_KEY.get(apiKey);
  return info !== undefined && info.flexibleMinVersion >= 0 && apiVersion >= info.flexibleMinVersion;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ControlledShutdown && apiVersion === 0) return 0;
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, apiVersion) ? 1 : 0;
}
