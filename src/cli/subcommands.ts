// Runs `samsa <command> <subcommand> ...` for the admin commands (topics, groups): help on
// demand (`--help`, `-h`, `help <subcommand>`), one line on stderr for failures: exit code 2 for
// a usage error (followed by a pointer to the subcommand's help), 1 for anything else (a bug or
// an undecodable answer included, its stack behind SAMSA_DEBUG=1).
import { CliError, UsageError } from './topics/options.js';
import { ENVIRONMENT_HELP, formatOptions, helpPointer, isHelpFlag, type OptionRow } from './help.js';

export interface Subcommand {
  run: (argv: string[]) => Promise<void>;
  usage: string;
  // One line: what the subcommand does.
  summary: string;
  // Its own options, one line each (the common ones are added).
  options?: readonly OptionRow[];
}

const COMMON_OPTIONS: readonly OptionRow[] = [
  ['-b, --bootstrap HOST:PORT', 'the broker to ask (required); [ipv6]:port, or a comma-separated list tried in order'],
  ['--timeout-ms N', 'bounds the connection and every request (default 30000)'],
  ['-h, --help', 'show this help'],
];

export function subcommandHelp(command: string, name: string, s: Subcommand): string {
  return `${s.usage}\n\n${s.summary}\n\n${formatOptions('options', [...(s.options ?? []), ...COMMON_OPTIONS])}\n`;
}

export function subcommandRunner(command: string, summary: string, subcommands: Record<string, Subcommand>): (argv: string[]) => Promise<void> {
  const overview =
    `usage: samsa ${command} <subcommand> [options]\n\n${summary}\n\n` +
    `${formatOptions(
      'subcommands',
      Object.entries(subcommands).map(([n, s]) => [n, s.summary]),
    )}\n\n` +
    `${ENVIRONMENT_HELP}\n\nRun 'samsa ${command} <subcommand> --help' for its options.\n`;
  return async (argv) => {
    const [sub, ...rest] = argv;
    if (sub === undefined) return fail(`${command} needs a subcommand\n${helpPointer(command)}`, 2);
    if (isHelpFlag(sub)) {
      // `samsa topics help create` is `samsa topics create --help`.
      const named = rest[0] !== undefined && Object.hasOwn(subcommands, rest[0]) ? rest[0] : undefined;
      return void process.stdout.write(named ? subcommandHelp(command, named, subcommands[named]!) : overview);
    }
    const found = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
    if (!found) return fail(`unknown ${command} subcommand '${sub}'\n${helpPointer(command)}`, 2);
    if (rest.some((a) => a === '--help' || a === '-h')) return void process.stdout.write(subcommandHelp(command, sub, found));
    try {
      await found.run(rest);
    } catch (err) {
      if (err instanceof UsageError) return fail(`${err.message}\n${helpPointer(`${command} ${sub}`)}`, 2);
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
