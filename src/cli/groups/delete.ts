// `samsa groups delete GROUP ...`: DeleteGroups on each group's coordinator. Only empty groups can
// go (NON_EMPTY_GROUP otherwise); their committed offsets go with them.
import { DeleteGroupsRequest } from '../../protocol/generated/delete-groups-request.js';
import { DeleteGroupsResponse } from '../../protocol/generated/delete-groups-response.js';
import { ErrorCode } from '../../errors.js';
import { COMMON_OPTIONS, CliError, UsageError, common, parse } from '../topics/options.js';
import { describeError } from '../topics/admin.js';
import { withCoordinator } from './coordinator.js';

export const DELETE_USAGE = 'usage: samsa groups delete GROUP ... --bootstrap host:port [--timeout-ms N]';

export async function deleteCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parse(argv, COMMON_OPTIONS, DELETE_USAGE);
  if (values.help) return void process.stdout.write(`${DELETE_USAGE}\n`);
  const opts = common(values, DELETE_USAGE);
  const groups = [...new Set(positionals)];
  if (groups.length === 0 || groups.includes('')) throw new UsageError('delete needs at least one GROUP', DELETE_USAGE);
  const errors: string[] = [];
  for (const groupId of groups) {
    const { res } = await withCoordinator(opts, groupId, (admin) => admin.send(DeleteGroupsRequest, DeleteGroupsResponse, () => ({ groupsNames: [groupId] })));
    const code = res.results.find((r) => r.groupId === groupId)?.errorCode;
    if (code === ErrorCode.NONE) process.stdout.write(`Deleted group ${groupId}.\n`);
    else if (code === ErrorCode.NON_EMPTY_GROUP)
      errors.push(`cannot delete group ${groupId}: ${describeError(code, 'the group has active members; stop its consumers first')}`);
    else if (code === ErrorCode.GROUP_ID_NOT_FOUND) errors.push(`cannot delete group ${groupId}: ${describeError(code, 'no such group')}`);
    else errors.push(`cannot delete group ${groupId}: ${code === undefined ? "the broker's answer does not mention it" : describeError(code)}`);
  }
  if (errors.length === 0) return;
  for (const e of errors.slice(0, -1)) process.stderr.write(`samsa: ${e}\n`);
  throw new CliError(errors.at(-1)!);
}
