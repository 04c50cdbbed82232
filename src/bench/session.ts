// The control side of a bench run over samsa's own client (src/client/connection.ts): connect to
// the first reachable bootstrap address, negotiate versions, create the topic if asked, find
// each partition's leader (Metadata), the start/end offsets (ListOffsets) and a group's
// coordinator (FindCoordinator). Failures become BenchError with one line that names the address
// or the Kafka error.
import { ClientConnection } from '../client/connection.js';
import { MetadataRequest } from '../protocol/generated/metadata-request.js';
import { MetadataResponse } from '../protocol/generated/metadata-response.js';
import { CreateTopicsRequest } from '../protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../protocol/generated/create-topics-response.js';
import { ListOffsetsRequest } from '../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../protocol/generated/list-offsets-response.js';
import { FindCoordinatorRequest } from '../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../protocol/generated/find-coordinator-response.js';
import type { Input, MessageCodec } from '../protocol/primitives/index.js';
import { ErrorCode, errorInfo } from '../errors.js';
import { BENCH_CLIENT_ID } from './frames.js';
import { BenchError, type Address } from './types.js';

export function formatAddress(a: Address): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export function kafkaError(code: number, message?: string | null): string {
  const info = errorInfo(code);
  return `${info.name}: ${message || info.message}`;
}

export interface TopicLayout {
  /** partition -> leader address */
  leaders: Map<number, Address>;
  /** partition -> leader node id (DescribeConfigs names a broker by its id) */
  leaderIds: Map<number, number>;
}

export async function openConnection(address: Address, timeoutMs: number): Promise<ClientConnection> {
  const conn = await ClientConnection.connect(address.host, address.port, { clientId: BENCH_CLIENT_ID, timeoutMs }).catch((err: Error) => {
    throw new BenchError(err.message.replace(`${address.host}:${address.port}`, formatAddress(address)));
  });
  try {
    await bounded(conn.negotiate(), timeoutMs, `ApiVersions to ${formatAddress(address)} timed out after ${timeoutMs} ms`);
  } catch (err) {
    conn.close();
    if (err instanceof BenchError) throw err;
    throw new BenchError(`${formatAddress(address)} did not answer ApiVersions: ${(err as Error).message} (is it a Kafka broker?)`);
  }
  return conn;
}

export class Session {
  private constructor(
    readonly conn: ClientConnection,
    readonly address: Address,
    readonly timeoutMs: number,
  ) {}

  static async open(bootstrap: Address[], timeoutMs: number): Promise<Session> {
    const failures: string[] = [];
    for (const a of bootstrap) {
      try {
        return new Session(await openConnection(a, timeoutMs), a, timeoutMs);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    throw new BenchError(failures.length === 1 ? failures[0]! : `cannot connect to any bootstrap server: ${failures.join('; ')}`);
  }

  version(codec: MessageCodec<unknown>, max?: number): number {
    try {
      return this.conn.pick(codec, max);
    } catch (err) {
      throw new BenchError(`${(err as Error).message} (broker ${formatAddress(this.address)})`);
    }
  }

  /** One request at the highest common version (up to `max`); `timeoutMs` for requests the broker may hold (JoinGroup). */
  async send<Req, Res>(
    req: MessageCodec<Req>,
    res: MessageCodec<Res>,
    body: (v: number) => Input<Req>,
    max?: number,
    timeoutMs = this.timeoutMs,
  ): Promise<Res> {
    const v = this.version(req as MessageCodec<unknown>, max);
    const what = `${req.name.replace(/Request$/, '')} v${v} to ${formatAddress(this.address)}`;
    try {
      return await bounded(this.conn.send(req, res, v, body(v)), timeoutMs, `${what} timed out after ${timeoutMs} ms`);
    } catch (err) {
      if (err instanceof BenchError) throw err;
      throw new BenchError(`${what} failed: ${(err as Error).message}`);
    }
  }

  async createTopic(topic: string, partitions: number | null): Promise<void> {
    const res = await this.send(CreateTopicsRequest, CreateTopicsResponse, (v) => ({
      topics: [{ name: topic, numPartitions: partitions ?? (v >= 4 ? -1 : 1), replicationFactor: v >= 4 ? -1 : 1, assignments: [], configs: [] }],
      timeoutMs: this.timeoutMs,
    }));
    const t = res.topics[0];
    if (!t) throw new BenchError(`cannot create topic ${topic}: the broker's answer names no topic`);
    if (t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS || t.errorCode === 0) return;
    throw new BenchError(`cannot create topic ${topic}: ${kafkaError(t.errorCode, t.errorMessage)}`);
  }

  /** Leaders of every partition; waits out LEADER_NOT_AVAILABLE right after auto-creation. */
  async layout(topic: string, allowAutoCreate: boolean): Promise<TopicLayout> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const md = await this.send(MetadataRequest, MetadataResponse, (v) => ({
        topics: [{ name: topic }],
        ...(v >= 4 ? { allowAutoTopicCreation: allowAutoCreate } : {}),
      }));
      const t = md.topics.find((x) => x.name === topic);
      const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const retriable = code === ErrorCode.LEADER_NOT_AVAILABLE || (t !== undefined && t.partitions.some((p) => p.leaderId < 0));
      if (code === 0 && t && t.partitions.length > 0 && !retriable) {
        const brokers = new Map(md.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
        const leaders = new Map<number, Address>();
        const leaderIds = new Map<number, number>();
        for (const p of t.partitions) {
          const b = brokers.get(p.leaderId);
          if (!b) throw new BenchError(`partition ${topic}-${p.partitionIndex}: leader ${p.leaderId} is not among the brokers in Metadata`);
          leaders.set(p.partitionIndex, b);
          leaderIds.set(p.partitionIndex, p.leaderId);
        }
        return { leaders, leaderIds };
      }
      if (!retriable || Date.now() > deadline) {
        // Asked to auto-create (produce) and still unknown: the broker has auto-creation off.
        // Not asked (consume): there is simply nothing to read yet.
        const hint =
          code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            ? ''
            : allowAutoCreate
              ? ' (the broker does not auto-create topics: pass --create-topic)'
              : ' (it does not exist: produce to it first)';
        throw new BenchError(`topic ${topic}: ${kafkaError(code)}${hint}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Offsets of `partitions` at -2 (earliest) or -1 (latest). Only for partitions led by this session's broker. */
  async listOffsets(topic: string, partitions: number[], which: -1 | -2): Promise<Map<number, number>> {
    const res = await this.send(
      ListOffsetsRequest,
      ListOffsetsResponse,
      () => ({
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp: which, maxNumOffsets: 1 })) }],
        timeoutMs: this.timeoutMs,
      }),
      7,
    );
    const out = new Map<number, number>();
    for (const t of res.topics)
      for (const p of t.partitions) {
        if (p.errorCode !== 0) throw new BenchError(`ListOffsets ${topic}-${p.partitionIndex}: ${kafkaError(p.errorCode)}`);
        out.set(p.partitionIndex, p.offset);
      }
    return out;
  }

  /** The coordinator of a consumer group (FindCoordinator, key type 0). */
  async findCoordinator(groupId: string): Promise<{ address: Address; errorCode: number; errorMessage: string | null }> {
    const v = this.version(FindCoordinatorRequest as never);
    const res = await this.send(FindCoordinatorRequest, FindCoordinatorResponse, (ver) =>
      ver >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 },
    );
    const c = v >= 4 ? res.coordinators[0] : { errorCode: res.errorCode, errorMessage: res.errorMessage, host: res.host, port: res.port };
    if (!c) throw new BenchError(`FindCoordinator for group ${groupId} returned no coordinator`);
    return { address: { host: c.host, port: c.port }, errorCode: c.errorCode, errorMessage: c.errorMessage };
  }

  /** Partition counts of existing topics (Metadata, no auto-creation); unknown topics are left out. */
  async partitionCounts(topics: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (topics.length === 0) return out;
    const md = await this.send(MetadataRequest, MetadataResponse, (v) => ({
      topics: topics.map((name) => ({ name })),
      ...(v >= 4 ? { allowAutoTopicCreation: false } : {}),
    }));
    for (const t of md.topics) if (t.errorCode === 0 && t.name !== null) out.set(t.name, t.partitions.length);
    return out;
  }

  close(): void {
    this.conn.close();
  }
}

/** End offsets (ListOffsets latest) of every partition, asking each leader. */
export async function endOffsets(bootstrap: Address[], timeoutMs: number, topic: string, which: -1 | -2 = -1, only?: number[]): Promise<Map<number, number>> {
  const s = await Session.open(bootstrap, timeoutMs);
  try {
    const { leaders } = await s.layout(topic, false);
    const byLeader = new Map<string, { address: Address; partitions: number[] }>();
    for (const [p, a] of leaders) {
      if (only && !only.includes(p)) continue;
      const k = formatAddress(a);
      if (!byLeader.has(k)) byLeader.set(k, { address: a, partitions: [] });
      byLeader.get(k)!.partitions.push(p);
    }
    const out = new Map<number, number>();
    for (const { address, partitions } of byLeader.values()) {
      const ls = address.host === s.address.host && address.port === s.address.port ? s : await Session.open([address], timeoutMs);
      try {
        for (const [p, o] of await ls.listOffsets(topic, partitions, which)) out.set(p, o);
      } finally {
        if (ls !== s) ls.close();
      }
    }
    return out;
  } finally {
    s.close();
  }
}

function bounded<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
