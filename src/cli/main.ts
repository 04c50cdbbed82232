// `samsa <command>`: dispatches to the command modules, loading only the one that runs (start-up
// time matters: a test suite may start samsa many times).
import { version } from './version.js';
import { ENVIRONMENT_HELP, formatOptions, isHelpFlag } from './help.js';

const COMMANDS = formatOptions('commands', [
  ['start', 'run a broker (in memory, or on disk with --data-dir), or a local cluster with --brokers N'],
  ['topics', 'list, create, describe, delete topics and alter their configs'],
  ['groups', 'list, describe, delete consumer groups and reset their offsets'],
  ['bench', 'measure produce, consume and end-to-end throughput and latency'],
  ['version', 'print the version, the Node.js runtime and the hot-path backend'],
  ['help [command]', 'show help for samsa or for one command'],
]);

const OPTIONS = formatOptions('options', [
  ['-h, --help', 'show this help'],
  ['-V, --version', 'print the version, the Node.js runtime and the hot-path backend'],
]);

const USAGE = `samsa ${version()} - a Kafka-wire-compatible broker

usage: samsa <command> [options]

${COMMANDS}

${OPTIONS}

${ENVIRONMENT_HELP}

Run 'samsa <command> --help' (or 'samsa help <command>') for a command's options.
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { startCommand } = await import('./start.js');
      return startCommand(rest);
    }
    case '__broker': {
      // Internal: one broker of `samsa start --brokers N`, run by that command.
      const { brokerChildCommand } = await import('./broker-child.js');
      return brokerChildCommand(rest);
    }
    case 'topics': {
      const { topicsCommand } = await import('./topics.js');
      return topicsCommand(rest);
    }
    case 'groups': {
      const { groupsCommand } = await import('./groups.js');
      return groupsCommand(rest);
    }
    case 'bench': {
      const { benchCommand } = await import('./bench.js');
      return benchCommand(rest);
    }
    case '--version':
    case '-V':
    case '-v':
    case 'version': {
      const { versionReport } = await import('./version.js');
      console.log(await versionReport());
      return;
    }
    case 'help':
      // `samsa help start` is `samsa start --help`; `samsa help topics create` likewise.
      if (rest.length > 0 && !isHelpFlag(rest[0])) return main([...rest, '--help']);
      process.stdout.write(USAGE);
      return;
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`samsa: unknown command '${command}'\nsee 'samsa --help'\n`);
      process.exitCode = 2;
  }
}
