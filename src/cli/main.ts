// `samsa <command>`: dispatches to the command modules, loading only the one that runs (start-up
// time matters: a test suite may start samsa many times).
import { version } from './version.js';

const USAGE = `samsa ${version()} - a Kafka-wire-compatible broker

usage:
  samsa start [--port N] [--host H] [--data-dir DIR] [--memory] [--config server.properties]
              [--set key=value ...] [--log-level trace|debug|info|warn|error|silent]
  samsa topics list|create|describe|delete|alter-config --bootstrap host:port [...]
  samsa groups list|describe|delete|reset-offsets --bootstrap host:port [...]
  samsa bench produce|consume|e2e --bootstrap host:port [...] | bench compare a.json b.json ...
  samsa --version
  samsa help [command]
`;

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { startCommand } = await import('./start.js');
      return startCommand(rest);
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
    case '-v':
    case 'version': {
      const { versionReport } = await import('./version.js');
      console.log(await versionReport());
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`samsa: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}
