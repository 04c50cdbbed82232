// `samsa start`: runs one broker until SIGINT/SIGTERM, then shuts down gracefully (stop
// accepting, finish in-flight requests, flush) and exits 0. Settings use Kafka's property names.
import { parseArgs } from 'node:util';
import { startBroker, type Broker } from '../broker/broker.js';
import { ConfigError } from '../broker/config/index.js';
import { SamsaError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';

export async function startCommand(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        memory: { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        set: { type: 'string', multiple: true, short: 's' },
        'log-level': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    return fail(`${(err as Error).message}; see \`samsa help\``, 2);
  }
  const config: Record<string, string> = {};
  for (const kv of values.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return fail(`--set expects key=value, got '${kv}'`, 2);
    config[kv.slice(0, eq).trim()] = kv.slice(eq + 1).trim();
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be an integer from 0 to 65535, got '${values.port}'`, 2);
  }
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    return fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`, 2);
  }
  if (values.memory && values['data-dir'] !== undefined) return fail('--memory and --data-dir cannot be used together', 2);

  let broker: Broker;
  try {
    broker = await startBroker({
      port,
      host: values.host,
      storage: values.memory ? 'memory' : 'disk',
      dataDir: values['data-dir'],
      configFile: values.config,
      config,
      logLevel: level as LogLevel | undefined,
    });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SamsaError) return fail(err.message, err instanceof ConfigError ? 2 : 1);
    throw err;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      broker.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    broker.log.info({ signal }, 'shutting down');
    broker.close().then(
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

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
