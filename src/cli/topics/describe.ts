// `samsa topics describe [NAME ...]`: kafka-topics.sh --describe's layout, one header line per
// topic (configs: the topic's own overrides only) and one line per partition. Topics that do not
// exist are reported on stderr after the others are printed, and the exit code is 1.
import { DescribeConfigsRequest } from '../../protocol/generated/describe-configs-request.js';
import { DescribeConfigsResponse, type DescribeConfigsResourceResult } from '../../protocol/generated/describe-configs-response.js';
import type { MetadataResponseTopic } from '../../protocol/generated/metadata-response.js';
import { ZERO_UUID } from '../../protocol/primitives/index.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, common, parse } from './options.js';
import { describeError, withAdmin, type Admin } from './admin.js';
import { fetchTopics } from './metadata.js';

export const DESCRIBE_USAGE = 'usage: samsa topics describe [NAME ...] --bootstrap host:port [--include-internal] [--timeout-ms N]';

const RESOURCE_TOPIC = 2;
const SOURCE_DYNAMIC_TOPIC_CONFIG = 1;

export async function describeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, 'include-internal': { type: 'boolean' } }, DESCRIBE_USAGE);
  if (values.help) return void process.stdout.write(`${DESCRIBE_USAGE}\n`);
  const opts = common(values, DESCRIBE_USAGE);
  const names = positionals.length > 0 ? [...new Set(positionals)] : null;

  const errors: string[] = [];
  const out: string[] = [];
  await withAdmin(opts, async (admin) => {
    let topics = await fetchTopics(admin, names);
    if (names === null) {
      topics = topics.filter((t) => t.name !== null && (values['include-internal'] || !t.isInternal)).sort((a, b) => (a.name! < b.name! ? -1 : 1));
    }
    const found: MetadataResponseTopic[] = [];
    for (const t of topics) {
      // A topic-level error with partitions (LEADER_NOT_AVAILABLE while Kafka elects) still shows.
      if (t.errorCode !== 0 && t.partitions.length === 0) errors.push(`cannot describe topic ${t.name}: ${topicError(t.errorCode)}`);
      else found.push(t);
    }
    const configs = await fetchOverrides(
      admin,
      found.map((t) => t.name!),
    );
    for (const t of found) {
      const c = configs.get(t.name!);
      if (typeof c === 'string') errors.push(`cannot describe configs of topic ${t.name}: ${c}`);
      else out.push(...formatTopic(t, c ?? []));
    }
  });
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  if (errors.length === 1) throw new CliError(errors[0]!);
  if (errors.length > 1) {
    for (const e of errors.slice(0, -1)) process.stderr.write(`samsa: ${e}\n`);
    throw new CliError(errors.at(-1)!);
  }
}

function topicError(code: number): string {
  return code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ? describeError(code, 'the topic does not exist') : describeError(code);
}

/** Per topic: its override entries as [name, value], or an error line. */
async function fetchOverrides(admin: Admin, names: string[]): Promise<Map<string, [string, string | null][] | string>> {
  const result = new Map<string, [string, string | null][] | string>();
  if (names.length === 0) return result;
  const { res, version } = await admin.send(DescribeConfigsRequest, DescribeConfigsResponse, (v) => ({
    resources: names.map((resourceName) => ({ resourceType: RESOURCE_TOPIC, resourceName, configurationKeys: null })),
    ...(v >= 1 ? { includeSynonyms: false } : {}),
    ...(v >= 3 ? { includeDocumentation: false } : {}),
  }));
  for (const r of res.results) {
    if (r.resourceType !== RESOURCE_TOPIC) continue;
    if (r.errorCode !== 0) result.set(r.resourceName, describeError(r.errorCode, r.errorMessage));
    else
      result.set(
        r.resourceName,
        r.configs
          .filter((c) => isOverride(c, version))
          .map((c) => [c.name, c.value] as [string, string | null])
          .sort((a, b) => (a[0] < b[0] ? -1 : 1)),
      );
  }
  return result;
}

// v1+ says where a value comes from; v0 only whether it is a default.
function isOverride(c: DescribeConfigsResourceResult, version: number): boolean {
  return version >= 1 ? c.configSource === SOURCE_DYNAMIC_TOPIC_CONFIG : !c.isDefault && !c.readOnly;
}

function formatTopic(t: MetadataResponseTopic, configs: [string, string | null][]): string[] {
  const partitions = [...t.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
  const id = t.topicId !== ZERO_UUID ? `\tTopicId: ${t.topicId}` : '';
  const lines = [
    `Topic: ${t.name}${id}\tPartitionCount: ${partitions.length}\tReplicationFactor: ${partitions[0]?.replicaNodes.length ?? 0}\tConfigs: ${configs.map(([k, v]) => `${k}=${v}`).join(',')}`,
  ];
  for (const p of partitions) {
    const leader = p.leaderId < 0 ? 'none' : String(p.leaderId);
    const offline = p.offlineReplicas.length > 0 ? `\tOffline: ${p.offlineReplicas.join(',')}` : '';
    lines.push(
      `\tTopic: ${t.name}\tPartition: ${p.partitionIndex}\tLeader: ${leader}\tReplicas: ${p.replicaNodes.join(',')}\tIsr: ${p.isrNodes.join(',')}${offline}`,
    );
  }
  return lines;
}
