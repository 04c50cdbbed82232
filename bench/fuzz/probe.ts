// A new client's view: every `intervalMs`, a fresh connection sends ApiVersions and then Metadata
// for one topic, as a client's bootstrap does. A probe not fully answered within `timeoutMs`
// (connect included) counts as unanswered: the broker was not serving newcomers then.
import { ClientConnection } from '../../src/client/connection.js';
import { ApiVersionsRequest } from '../../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../../src/protocol/generated/api-versions-response.js';
import { MetadataRequest } from '../../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../../src/protocol/generated/metadata-response.js';
import { ZERO_UUID } from '../../src/protocol/primitives/index.js';

export interface ProbeStats {
  sent: number;
  answered: number;
  unanswered: number;
  /** When unanswered probes started (ms since the probe started) and why, the first 50. */
  failures: Array<{ atMs: number; why: string }>;
  maxMs: number;
  p99Ms: number;
}

/** One probe: resolves with its duration in ms, rejects on error or timeout. */
export async function probeOnce(port: number, topic: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let conn: ClientConnection | null = null;
  let timer: NodeJS.Timeout | undefined;
  const work = (async () => {
    conn = await ClientConnection.connect('127.0.0.1', port, { clientId: 'fuzz-probe', timeoutMs });
    const av = await conn.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'fuzz-probe', clientSoftwareVersion: '1' });
    if (av.errorCode !== 0) throw new Error(`ApiVersions error ${av.errorCode}`);
    const md = await conn.send(MetadataRequest, MetadataResponse, 12, {
      topics: [{ topicId: ZERO_UUID, name: topic }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    if (md.brokers.length !== 1) throw new Error(`Metadata names ${md.brokers.length} brokers`);
  })();
  try {
    await Promise.race([work, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)))]);
    return performance.now() - t0;
  } finally {
    clearTimeout(timer);
    (conn as ClientConnection | null)?.close();
    work.catch(() => {});
  }
}

export function startProbes(
  port: () => number,
  topic: string,
  intervalMs = 250,
  timeoutMs = 2000,
  describe?: (startedAt: number) => string,
): { stats: ProbeStats; stop(): Promise<ProbeStats> } {
  const s: ProbeStats = { sent: 0, answered: 0, unanswered: 0, failures: [], maxMs: 0, p99Ms: 0 };
  const times: number[] = [];
  const inflight = new Set<Promise<void>>();
  const t0 = Date.now();
  const tick = () => {
    s.sent++;
    const at = Date.now() - t0;
    const p = probeOnce(port(), topic, timeoutMs).then(
      (ms) => {
        s.answered++;
        times.push(ms);
        if (ms > s.maxMs) s.maxMs = ms;
      },
      (err: Error) => {
        s.unanswered++;
        if (s.failures.length < 50) s.failures.push({ atMs: at, why: describe ? `${err.message}; ${describe(t0 + at)}` : err.message });
      },
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const timer = setInterval(tick, intervalMs);
  return {
    stats: s,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inflight);
      times.sort((a, b) => a - b);
      s.p99Ms = times.length ? times[Math.min(times.length - 1, Math.floor(times.length * 0.99))]! : 0;
      return s;
    },
  };
}
