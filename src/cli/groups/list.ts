// `samsa groups list`: group ids, one per line, sorted; `--long` adds state, type and protocol
// type; `--state S` (repeatable) keeps groups in those states (ListGroups v4+ filters on the broker).
import { ListGroupsRequest } from '../../protocol/generated/list-groups-request.js';
import { ListGroupsResponse } from '../../protocol/generated/list-groups-response.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse } from '../topics/options.js';
import { describeError, withAdmin } from '../topics/admin.js';
import { columns } from './coordinator.js';

export const LIST_USAGE = 'usage: samsa groups list --bootstrap host:port [--state STATE ...] [--long] [--timeout-ms N]';

export async function listCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, { ...COMMON_OPTIONS, state: { type: 'string', multiple: true }, long: { type: 'boolean' } }, LIST_USAGE);
  if (values.help) return void process.stdout.write(`${LIST_USAGE}\n`);
  const opts = common(values, LIST_USAGE);
  if (positionals.length > 0) throw new UsageError(`list takes no group names, got '${positionals[0]}'`, LIST_USAGE);
  const states = (values.state ?? []).map((s) => s.toLowerCase());
  const { res, version } = await withAdmin(opts, (admin) =>
    admin.send(ListGroupsRequest, ListGroupsResponse, (v) => (v >= 4 ? { statesFilter: values.state ?? [], typesFilter: [] } : {})),
  );
  if (res.errorCode !== ErrorCode.NONE) throw new CliError(`cannot list groups: ${describeError(res.errorCode)}`);
  // Brokers before ListGroups v4 cannot filter or say the state.
  const groups = res.groups
    .filter((g) => states.length === 0 || version < 4 || states.includes(g.groupState.toLowerCase()))
    .sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  if (groups.length === 0) return;
  if (!values.long) return void process.stdout.write(`${groups.map((g) => g.groupId).join('\n')}\n`);
  const rows = [
    ['GROUP', 'STATE', 'TYPE', 'PROTOCOL-TYPE'],
    ...groups.map((g) => [g.groupId, g.groupState || '-', g.groupType || 'classic', g.protocolType || '-']),
  ];
  process.stdout.write(`${columns(rows)}\n`);
}
