// `samsa groups list|describe|delete|reset-offsets`: consumer group administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not; each subcommand lives in src/cli/groups/ and shares the option handling and sessions of
// `samsa topics`. Expected failures print one line on stderr: exit code 2 for a usage error (with
// the subcommand's usage), 1 for anything else.
import { CliError, UsageError } from './topics/options.js';
import { LIST_USAGE, listCommand } from './groups/list.js';
import { DESCRIBE_USAGE, describeCommand } from './groups/describe.js';
import { DELETE_USAGE, deleteCommand } from './groups/delete.js';
import { RESET_OFFSETS_USAGE, resetOffsetsCommand } from './groups/reset-offsets.js';

const SUBCOMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; usage: string }> = {
  list: { run: listCommand, usage: LIST_USAGE },
  describe: { run: describeCommand, usage: DESCRIBE_USAGE },
  delete: { run: deleteCommand, usage: DELETE_USAGE },
  'reset-offsets': { run: resetOffsetsCommand, usage: RESET_OFFSETS_USAGE },
};

const USAGE = Object.values(SUBCOMMANDS)
  .map((s) => s.usage)
  .join('\n')
  .concat('\n\n--bootstrap takes host:port or [ipv6]:port (a comma-separated list is tried in order);\n--timeout-ms (default 30000) bounds the connection and every request.');

export async function groupsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) return fail(`groups needs a subcommand\n\n${USAGE}`, 2);
  if (sub === 'help' || sub === '--help' || sub === '-h') return void process.stdout.write(`${USAGE}\n`);
  const command = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!command) return fail(`unknown groups subcommand '${sub}'\n\n${USAGE}`, 2);
  try {
    await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n${err.usage}`, 2);
    if (err instanceof CliError) return fail(err.message, 1);
    if (process.env['SAMSA_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    return fail(`groups ${sub} failed: ${(err as Error).message ?? String(err)}`, 1);
  }
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
