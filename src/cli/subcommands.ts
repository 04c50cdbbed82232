// Runs `samsa <command> <subcommand> ...` for the admin commands (topics, groups): usage on
// demand, one line on stderr for failures: exit code 2 for a usage error (with the subcommand's
// usage), 1 for anything else (a bug or an undecodable answer included, its stack behind
// SAMSA_DEBUG=1).
import { CliError, UsageError } from './topics/options.js';

export interface Subcommand {
  run: (argv: string[]) => Promise<void>;
  usage: string;
}

const COMMON = '\n\n--bootstrap takes host:port or [ipv6]:port (a comma-separated list is tried in order);\n--timeout-ms (default 30000) bounds the connection and every request.';

export function subcommandRunner(command: string, subcommands: Record<string, Subcommand>): (argv: string[]) => Promise<void> {
  const usage = Object.values(subcommands)
    .map((s) => s.usage)
    .join('\n')
    .concat(COMMON);
  return async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === undefined) return fail(`${command} needs a subcommand\n\n${usage}`, 2);
    if (sub === 'help' || sub === '--help' || sub === '-h') return void process.stdout.write(`${usage}\n`);
    const found = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
    if (!found) return fail(`unknown ${command} subcommand '${sub}'\n\n${usage}`, 2);
    try {
      await found.run(rest);
    } catch (err) {
      if (err instanceof UsageError) return fail(`${err.message}\n${err.usage}`, 2);
      if (err instanceof CliError) return fail(err.message, 1);
      if (process.env['SAMSA_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
      return fail(`${command} ${sub} failed: ${(err as Error).message ?? String(err)}`, 1);
    }
  };
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
