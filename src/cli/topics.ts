// `samsa topics list|create|describe|delete|alter-config`: topic administration over the Kafka
// protocol (src/client/connection.ts), so it works against any Kafka-compatible broker, samsa or
// not. Each subcommand lives in src/cli/topics/. Expected failures print one line on stderr:
// exit code 2 for a usage error (with the subcommand's usage), 1 for anything else.
import { CliError, UsageError } from './topics/options.js';
import { LIST_USAGE, listCommand } from './topics/list.js';
import { CREATE_USAGE, createCommand } from './topics/create.js';
import { DESCRIBE_USAGE, describeCommand } from './topics/describe.js';
import { DELETE_USAGE, deleteCommand } from './topics/delete.js';
import { ALTER_CONFIG_USAGE, alterConfigCommand } from './topics/alter-config.js';

const SUBCOMMANDS: Record<string, { run: (argv: string[]) => Promise<void>; usage: string }> = {
  list: { run: listCommand, usage: LIST_USAGE },
  create: { run: createCommand, usage: CREATE_USAGE },
  describe: { run: describeCommand, usage: DESCRIBE_USAGE },
  delete: { run: deleteCommand, usage: DELETE_USAGE },
  'alter-config': { run: alterConfigCommand, usage: ALTER_CONFIG_USAGE },
};

const USAGE = Object.values(SUBCOMMANDS)
  .map((s) => s.usage)
  .join('\n')
  .concat('\n\n--bootstrap takes host:port or [ipv6]:port (a comma-separated list is tried in order);\n--timeout-ms (default 30000) bounds the connection and every request.');

export async function topicsCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined) return fail(`topics needs a subcommand\n\n${USAGE}`, 2);
  if (sub === 'help' || sub === '--help' || sub === '-h') return void process.stdout.write(`${USAGE}\n`);
  const command = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!command) return fail(`unknown topics subcommand '${sub}'\n\n${USAGE}`, 2);
  try {
    await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n${err.usage}`, 2);
    if (err instanceof CliError) return fail(err.message, 1);
    // Anything else is unexpected (a bug, or a broker answer we cannot decode): still one line,
    // with the stack behind SAMSA_DEBUG=1.
    if (process.env['SAMSA_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    return fail(`topics ${sub} failed: ${(err as Error).message ?? String(err)}`, 1);
  }
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
