// `samsa groups reset-offsets GROUP --topic T[:P,...] --to-earliest|--to-latest|--to-offset N
// [--execute]`, after kafka-consumer-groups.sh --reset-offsets: a dry run by default (prints the
// new offsets), `--execute` commits them. Only for a group without active members (Empty, or not
// existing yet): a live group would overwrite the reset with its next commit. --to-offset is
// clamped into [earliest, latest] of each partition, as Kafka's tool does.
import { OffsetCommitRequest } from '../../protocol/generated/offset-commit-request.js';
import { OffsetCommitResponse } from '../../protocol/generated/offset-commit-response.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse } from '../topics/options.js';
import { describeError } from '../topics/admin.js';
import { fetchTopics } from '../topics/metadata.js';
import { EARLIEST, LATEST, columns, describeGroupOn, listOffsets, withCoordinator } from './coordinator.js';

export const RESET_OFFSETS_USAGE =
  'usage: samsa groups reset-offsets GROUP --topic TOPIC[:P,P...] ... (--to-earliest | --to-latest | --to-offset N) [--execute] --bootstrap host:port [--timeout-ms N]';

const OPTIONS = {
  ...COMMON_OPTIONS,
  topic: { type: 'string', multiple: true },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-offset': { type: 'string' },
  execute: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
} as const;

function parseTopic(spec: string): { topic: string; partitions: number[] | null } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { topic: spec, partitions: null };
  const partitions = spec
    .slice(i + 1)
    .split(',')
    .map((p) => Number(p.trim()));
  if (partitions.length === 0 || partitions.some((p) => !Number.isInteger(p) || p < 0))
    throw new UsageError(`--topic expects TOPIC or TOPIC:P,P..., got '${spec}'`, RESET_OFFSETS_USAGE);
  return { topic: spec.slice(0, i), partitions };
}

export async function resetOffsetsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, OPTIONS, RESET_OFFSETS_USAGE);
  if (values.help) return void process.stdout.write(`${RESET_OFFSETS_USAGE}\n`);
  const opts = common(values, RESET_OFFSETS_USAGE);
  if (positionals.length !== 1 || positionals[0] === '') throw new UsageError('reset-offsets needs exactly one GROUP', RESET_OFFSETS_USAGE);
  const groupId = positionals[0]!;
  const specs = (values.topic ?? []).map(parseTopic);
  if (specs.length === 0) throw new UsageError('reset-offsets needs --topic', RESET_OFFSETS_USAGE);
  const modes = [values['to-earliest'], values['to-latest'], values['to-offset'] !== undefined].filter(Boolean).length;
  if (modes !== 1) throw new UsageError('give exactly one of --to-earliest, --to-latest, --to-offset N', RESET_OFFSETS_USAGE);
  if (values.execute && values['dry-run']) throw new UsageError('--execute and --dry-run exclude each other', RESET_OFFSETS_USAGE);
  const toOffset = values['to-offset'] === undefined ? null : Number(values['to-offset']);
  if (toOffset !== null && (!Number.isSafeInteger(toOffset) || toOffset < 0))
    throw new UsageError(`--to-offset must be a non-negative integer, got '${values['to-offset']}'`, RESET_OFFSETS_USAGE);

  await withCoordinator(opts, groupId, async (admin) => {
    const g = await describeGroupOn(admin, groupId);
    const state = g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND ? 'Dead' : g.groupState;
    if (g.errorCode !== ErrorCode.NONE && g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND)
      throw new CliError(`cannot describe group ${groupId}: ${describeError(g.errorCode, g.errorMessage)}`);
    if (state !== 'Empty' && state !== 'Dead') {
      throw new CliError(`offsets can only be reset while group ${groupId} is inactive, but its state is ${state}; stop its consumers first`);
    }
    const topics = await fetchTopics(admin, [...new Set(specs.map((s) => s.topic))]);
    const partitions: Array<{ topic: string; partition: number }> = [];
    for (const s of specs) {
      const t = topics.find((x) => x.name === s.topic);
      if (!t || t.errorCode !== ErrorCode.NONE)
        throw new CliError(
          `cannot reset offsets of topic ${s.topic}: ${describeError(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'the topic does not exist')}`,
        );
      const all = t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
      for (const p of s.partitions ?? all) {
        if (!all.includes(p)) throw new CliError(`topic ${s.topic} has no partition ${p}`);
        partitions.push({ topic: s.topic, partition: p });
      }
    }
    const earliest = await listOffsets(admin, partitions, EARLIEST);
    const latest = await listOffsets(admin, partitions, LATEST);
    const targets = partitions.map((p) => {
      const key = `${p.topic}:${p.partition}`;
      const lo = earliest.get(key) ?? -1;
      const hi = latest.get(key) ?? -1;
      if (lo < 0 || hi < 0) throw new CliError(`cannot read the offsets of ${key}`);
      const offset = values['to-earliest'] ? lo : values['to-latest'] ? hi : Math.min(Math.max(toOffset!, lo), hi);
      return { ...p, offset };
    });
    const rows = [['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], ...targets.map((t) => [groupId, t.topic, String(t.partition), String(t.offset)])];
    process.stdout.write(`${columns(rows)}\n`);
    if (!values.execute) return void process.stdout.write('Dry run: nothing was committed. Add --execute to commit these offsets.\n');
    const byTopic = new Map<string, typeof targets>();
    for (const t of targets) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t]);
    const { res } = await admin.send(
      OffsetCommitRequest,
      OffsetCommitResponse,
      () => ({
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        groupInstanceId: null,
        retentionTimeMs: -1,
        topics: [...byTopic].map(([name, ts]) => ({
          name,
          partitions: ts.map((t) => ({
            partitionIndex: t.partition,
            committedOffset: t.offset,
            committedLeaderEpoch: -1,
            commitTimestamp: -1,
            committedMetadata: '',
          })),
        })),
      }),
      9, // v10 names topics by id
    );
    const failed = res.topics.flatMap((t) =>
      t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE).map((p) => `${t.name}:${p.partitionIndex} ${describeError(p.errorCode)}`),
    );
    if (failed.length > 0) throw new CliError(`could not commit the new offsets of group ${groupId}: ${failed.join('; ')}`);
    process.stdout.write(`Committed the new offsets of group ${groupId}.\n`);
  });
}
