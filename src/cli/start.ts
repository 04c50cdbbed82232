// `samsa start`: runs one broker until SIGINT/SIGTERM, then shuts down gracefully (stop
// accepting, finish in-flight requests, flush) and exits 0. Settings use Kafka's property names.
import { parseArgs } from 'node:util';
import { startBroker, type Broker } from '../broker/broker.js';
import { ConfigError } from '../config/index.js';
import { SamsaError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { ENVIRONMENT_HELP, formatOptions, helpPointer } from './help.js';
import { openClusterQuorum, parseClusterUrl } from '../cluster/quorum/cluster-url.js';
import type { MetadataQuorum } from '../cluster/quorum/quorum.js';

export const START_HELP = `usage: samsa start [options]

Runs one broker until SIGINT or SIGTERM, then shuts down gracefully. Once clients can connect it
prints one line on stdout, 'samsa ready <host:port>' (the bootstrap address, with the port bound
even for --port 0). With --brokers N it runs a local cluster of N brokers and prints
'samsa ready <host:port>,<host:port>,...'; SIGINT or SIGTERM stops them one by one, each handing
its partition leaderships to the others first. Logs go to stdout: readable lines on a terminal, one JSON object per line otherwise.

${formatOptions('options', [
  ['-p, --port N', 'port of the first client listener, also advertised (0: any free port; default 9092)'],
  ['--node-id N', "this broker's node.id in a multi-machine cluster (with --cluster)"],
  ['--cluster URL', 'join a cluster through etcd: etcd://HOST:PORT[,HOST:PORT...] (with --node-id and --cluster-id)'],
  ['--cluster-id ID', 'the cluster to join (letters, digits, ".", "_", "-"); the same on every broker'],
  [
    '--brokers N',
    'run a local cluster of N brokers (ids 0..N-1, one process each, so up to N cores) on consecutive ports from --port; data in DIR/broker-<id>; the ready line lists every broker',
  ],
  ['--host H', 'address that listener binds to (default 127.0.0.1; 0.0.0.0 for all interfaces)'],
  ['--data-dir DIR', "keep topics on disk under DIR in Kafka's log layout (log.dirs)"],
  ['--memory', 'keep everything in this process, lost at exit (default: disk under ./samsa-data)'],
  ['-c, --config FILE', 'read broker properties from a Kafka server.properties file'],
  ['-s, --set KEY=VALUE', 'set one broker property, e.g. num.partitions=3 (repeatable; wins over --config)'],
  ['--log-level LEVEL', `${LOG_LEVELS.join(', ')} (default info; or samsa.log.level)`],
  ['-h, --help', 'show this help'],
])}

${ENVIRONMENT_HELP}
`;

export async function startCommand(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        brokers: { type: 'string' },
        'node-id': { type: 'string' },
        cluster: { type: 'string' },
        'cluster-id': { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        set: { type: 'string', multiple: true, short: 's' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return usageError((err as Error).message);
  }
  if (values.help) return void process.stdout.write(START_HELP);
  const config: Record<string, string> = {};
  for (const kv of values.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return usageError(`--set expects key=value, got '${kv}'`);
    config[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = /^\d+$/.test(values.port) ? Number(values.port) : NaN;
    if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`--port must be an integer from 0 to 65535, got '${values.port}'`);
  }
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    return usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  if (values.memory && values['data-dir'] !== undefined) return usageError('--memory and --data-dir cannot be used together');
  if (values.brokers !== undefined) {
    const n = /^\d+$/.test(values.brokers) ? Number(values.brokers) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 1000) return usageError(`--brokers must be an integer from 1 to 1000, got '${values.brokers}'`);
    const first = port ?? 9092;
    if (first !== 0 && first + n - 1 > 65535) return usageError(`--port ${first} leaves no room for ${n} consecutive ports`);
    const { startClusterCommand } = await import('./start-cluster.js');
    return startClusterCommand({
      brokers: n,
      port: first,
      host: values.host,
      memory: values.memory === true,
      dataDir: values['data-dir'],
      configFile: values.config,
      config,
      logLevel: level as LogLevel | undefined,
    });
  }

  // One broker of a multi-machine cluster: the quorum is opened first, so an unreachable etcd
  // fails the start with the endpoints it tried.
  let quorum: MetadataQuorum | undefined;
  let nodeId: number | undefined;
  if (values.cluster !== undefined || values['cluster-id'] !== undefined || values['node-id'] !== undefined) {
    if (values.brokers !== undefined) return usageError('--brokers runs a local cluster; it cannot be combined with --cluster');
    if (values.cluster === undefined) return usageError('--node-id and --cluster-id need --cluster etcd://HOST:PORT');
    const url = parseClusterUrl(values.cluster);
    if (typeof url === 'string') return usageError(url);
    const clusterId = values['cluster-id'];
    if (clusterId === undefined || !/^[A-Za-z0-9._-]+$/.test(clusterId)) return usageError('--cluster needs --cluster-id ID (letters, digits, ".", "_", "-")');
    const id = values['node-id'] ?? config['node.id'];
    nodeId = id !== undefined && /^\d+$/.test(id) ? Number(id) : NaN;
    if (!Number.isInteger(nodeId) || nodeId > 2147483647) return usageError(`--cluster needs --node-id N (a non-negative integer), got '${id ?? ''}'`);
    const sessionMs = Number(config['broker.session.timeout.ms'] ?? 9000);
    try {
      quorum = await openClusterQuorum(url, clusterId, Number.isFinite(sessionMs) && sessionMs > 0 ? sessionMs : 9000);
    } catch (err) {
      return fail((err as Error).message, 1);
    }
  }

  let broker: Broker;
  try {
    broker = await startBroker({
      nodeId,
      quorum,
      port,
      host: values.host,
      storage: values.memory ? 'memory' : 'disk',
      dataDir: values['data-dir'],
      configFile: values.config,
      config,
      logLevel: level as LogLevel | undefined,
      defaultLogLevel: 'info',
      logFormat: process.stdout.isTTY ? 'pretty' : 'json',
    });
  } catch (err) {
    await quorum?.close().catch(() => undefined);
    if (err instanceof ConfigError || err instanceof SamsaError) return fail(err.message, err instanceof ConfigError ? 2 : 1);
    if (process.env['SAMSA_DEBUG']) process.stderr.write(`${(err as Error).stack}\n`);
    return fail(`start failed: ${(err as Error).message ?? String(err)}`, 1);
  }
  // For people and scripts: the one line to wait for, printed once connections are accepted.
  process.stdout.write(`samsa ready ${broker.bootstrap}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      broker.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    broker.log.info({ signal }, 'shutting down');
    broker
      .close()
      .then(() => quorum?.close())
      .then(
        () => process.exit(0),
        (err) => {
          broker.log.error({ err }, 'error while shutting down');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function usageError(message: string): void {
  fail(`${message}\n${helpPointer('start')}`, 2);
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
