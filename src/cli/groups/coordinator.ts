// Finding and talking to a group's coordinator for `samsa groups`: FindCoordinator on the
// bootstrap broker, then an Admin session on the broker it names (the same one for samsa, maybe
// another one for a Kafka cluster). Also the offsets helpers the subcommands share: ListOffsets
// for a topic's partitions and OffsetFetch for a group.
import { FindCoordinatorRequest } from '../../protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../../protocol/generated/find-coordinator-response.js';
import { ListOffsetsRequest } from '../../protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../protocol/generated/list-offsets-response.js';
import { OffsetFetchRequest } from '../../protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../protocol/generated/offset-fetch-response.js';
import { DescribeGroupsRequest } from '../../protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse, type DescribedGroup } from '../../protocol/generated/describe-groups-response.js';
import { ErrorCode } from '../../errors.js';
import { CliError, type Common } from '../topics/options.js';
import { Admin, describeError, withAdmin } from '../topics/admin.js';

export const EARLIEST = -2;
export const LATEST = -1;

/** Runs `fn` with a session on the coordinator of `groupId`. */
export async function withCoordinator<T>(opts: Common, groupId: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const address = await withAdmin(opts, async (admin) => {
    const { res, version } = await admin.send(FindCoordinatorRequest, FindCoordinatorResponse, (v) =>
      v >= 4 ? { keyType: 0, coordinatorKeys: [groupId] } : { key: groupId, keyType: 0 },
    );
    const c = version >= 4 ? res.coordinators[0] : { errorCode: res.errorCode, errorMessage: res.errorMessage, host: res.host, port: res.port };
    if (!c) throw new CliError(`FindCoordinator for group ${groupId} returned no coordinator`);
    if (c.errorCode !== ErrorCode.NONE)
      throw new CliError(`cannot find the coordinator of group ${groupId}: ${describeError(c.errorCode, c.errorMessage === 'NONE' ? null : c.errorMessage)}`);
    return { host: c.host, port: c.port };
  });
  const admin = await Admin.connect({ bootstrap: [address], timeoutMs: opts.timeoutMs });
  try {
    return await fn(admin);
  } finally {
    admin.close();
  }
}

export async function describeGroupOn(admin: Admin, groupId: string): Promise<DescribedGroup> {
  const { res } = await admin.send(DescribeGroupsRequest, DescribeGroupsResponse, () => ({ groups: [groupId], includeAuthorizedOperations: false }));
  const g = res.groups[0];
  if (!g) throw new CliError(`DescribeGroups returned nothing for group ${groupId}`);
  return g;
}

export interface Committed {
  topic: string;
  partition: number;
  offset: number;
}

/** Every committed offset of the group (OffsetFetch with all topics, v2+). */
export async function committedOffsets(admin: Admin, groupId: string): Promise<Committed[]> {
  const { res, version } = await admin.send(
    OffsetFetchRequest,
    OffsetFetchResponse,
    (v) => (v >= 8 ? { groups: [{ groupId, topics: null }] } : { groupId, topics: null }),
    9,
  );
  const out: Committed[] = [];
  if (version >= 8) {
    const g = res.groups[0];
    if (!g) return out;
    if (g.errorCode !== ErrorCode.NONE) throw new CliError(`cannot fetch the offsets of group ${groupId}: ${describeError(g.errorCode)}`);
    for (const t of g.topics)
      for (const p of t.partitions) if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
    return out;
  }
  if (res.errorCode !== ErrorCode.NONE) throw new CliError(`cannot fetch the offsets of group ${groupId}: ${describeError(res.errorCode)}`);
  for (const t of res.topics)
    for (const p of t.partitions) if (p.committedOffset >= 0) out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
  return out;
}

/** ListOffsets (EARLIEST or LATEST) for partitions of topics; key `topic:partition`, -1 on error. */
export async function listOffsets(admin: Admin, partitions: ReadonlyArray<{ topic: string; partition: number }>, which: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (partitions.length === 0) return out;
  const byTopic = new Map<string, number[]>();
  for (const p of partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const { res, version } = await admin.send(ListOffsetsRequest, ListOffsetsResponse, () => ({
    replicaId: -1,
    isolationLevel: 0,
    topics: [...byTopic].map(([name, ps]) => ({
      name,
      partitions: ps.map((partitionIndex) => ({ partitionIndex, timestamp: which, currentLeaderEpoch: -1, maxNumOffsets: 1 })),
    })),
    timeoutMs: 5000,
  }));
  for (const t of res.topics) {
    for (const p of t.partitions) {
      const offset = version === 0 ? (p.oldStyleOffsets[0] ?? -1) : p.offset;
      out.set(`${t.name}:${p.partitionIndex}`, p.errorCode === ErrorCode.NONE ? offset : -1);
    }
  }
  return out;
}

/** Pads columns like kafka-consumer-groups.sh does. */
export function columns(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]! + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}
