// `samsa groups describe GROUP ...`: the group's state and members with their assignments, then
// kafka-consumer-groups.sh --describe's table: per partition (assigned or committed) the committed
// offset, the log end offset (ListOffsets latest) and the lag.
import type { DescribedGroup } from '../../protocol/generated/describe-groups-response.js';
import { ErrorCode } from '../../errors.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment } from '../../coordinator/classic/consumer-protocol.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse } from '../topics/options.js';
import { describeError } from '../topics/admin.js';
import { LATEST, columns, committedOffsets, describeGroupOn, listOffsets, withCoordinator } from './coordinator.js';

export const DESCRIBE_USAGE = 'usage: samsa groups describe GROUP ... --bootstrap host:port [--timeout-ms N]';

interface Owner {
  memberId: string;
  host: string;
  clientId: string;
}

export async function describeCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, DESCRIBE_USAGE);
  if (values.help) return void process.stdout.write(`${DESCRIBE_USAGE}\n`);
  const opts = common(values, DESCRIBE_USAGE);
  const groups = [...new Set(positionals)];
  if (groups.length === 0 || groups.includes('')) throw new UsageError('describe needs at least one GROUP', DESCRIBE_USAGE);
  const errors: string[] = [];
  const blocks: string[] = [];
  for (const groupId of groups) {
    const text = await withCoordinator(opts, groupId, async (admin) => {
      const g = await describeGroupOn(admin, groupId);
      if (g.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || (g.errorCode === ErrorCode.NONE && g.groupState === 'Dead')) {
        errors.push(`group ${groupId} does not exist`);
        return null;
      }
      if (g.errorCode !== ErrorCode.NONE) {
        errors.push(`cannot describe group ${groupId}: ${describeError(g.errorCode, g.errorMessage)}`);
        return null;
      }
      const committed = await committedOffsets(admin, groupId);
      const owners = new Map<string, Owner>();
      const lines = [header(g), '', membersTable(g, owners)];
      const keys = new Set([...owners.keys(), ...committed.map((c) => `${c.topic}:${c.partition}`)]);
      const partitions = [...keys].map((k) => ({ topic: k.slice(0, k.lastIndexOf(':')), partition: Number(k.slice(k.lastIndexOf(':') + 1)) }));
      partitions.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
      const ends = await listOffsets(admin, partitions, LATEST);
      const rows = [['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']];
      for (const p of partitions) {
        const key = `${p.topic}:${p.partition}`;
        const current = committed.find((c) => c.topic === p.topic && c.partition === p.partition)?.offset;
        const end = ends.get(key) ?? -1;
        const o = owners.get(key);
        const lag = current !== undefined && end >= 0 ? String(Math.max(0, end - current)) : '-';
        rows.push([
          groupId,
          p.topic,
          String(p.partition),
          current === undefined ? '-' : String(current),
          end >= 0 ? String(end) : '-',
          lag,
          o?.memberId ?? '-',
          o?.host ?? '-',
          o?.clientId ?? '-',
        ]);
      }
      lines.push('', partitions.length > 0 ? columns(rows) : `Group ${groupId} has no assigned partitions and no committed offsets.`);
      return lines.join('\n');
    });
    if (text !== null) blocks.push(text);
  }
  if (blocks.length > 0) process.stdout.write(`${blocks.join('\n\n')}\n`);
  if (errors.length === 0) return;
  for (const e of errors.slice(0, -1)) process.stderr.write(`samsa: ${e}\n`);
  throw new CliError(errors.at(-1)!);
}

function header(g: DescribedGroup): string {
  const protocol = g.protocolType ? `${g.protocolType}${g.protocolData ? `/${g.protocolData}` : ''}` : '-';
  return `Group ${g.groupId}\tState: ${g.groupState}\tProtocol: ${protocol}\tMembers: ${g.members.length}`;
}

/** The members table; fills `owners` (topic:partition -> member) from consumer assignments. */
function membersTable(g: DescribedGroup, owners: Map<string, Owner>): string {
  if (g.members.length === 0) return `Group ${g.groupId} has no active members.`;
  const rows = [['MEMBER-ID', 'GROUP-INSTANCE-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT']];
  for (const m of g.members) {
    let assignment = `${m.memberAssignment.length} bytes`;
    const decoded = g.protocolType === CONSUMER_PROTOCOL_TYPE ? decodeAssignment(m.memberAssignment) : null;
    if (decoded !== null) {
      assignment = decoded.map((t) => `${t.topic}:${[...t.partitions].sort((a, b) => a - b).join(',')}`).join(' ') || '-';
      for (const t of decoded) for (const p of t.partitions) owners.set(`${t.topic}:${p}`, { memberId: m.memberId, host: m.clientHost, clientId: m.clientId });
    }
    rows.push([m.memberId, m.groupInstanceId ?? '-', m.clientId, m.clientHost, assignment]);
  }
  return columns(rows);
}
