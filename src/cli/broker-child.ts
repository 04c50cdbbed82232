// `samsa __broker <json>`: one broker of `samsa start --brokers N`, run by the host process
// (start-cluster.ts) in a child process of its own, so that N brokers use up to N cores. The
// broker reaches the host's metadata quorum over the IPC channel (IpcQuorum). It tells the host
// when it is ready (or why it could not start), stops in a controlled way when the host asks or
// on SIGTERM, and leaves SIGINT to the host (a terminal's Ctrl-C reaches the whole process
// group; the host then stops the brokers one by one). If the host goes away, it stops at once.
// Internal: not listed in `samsa --help`.
import { startBroker, type Broker, type BrokerOptions } from '../broker/broker.js';
import { IpcQuorum, type IpcChannel } from '../cluster/quorum/ipc-quorum.js';
import { ConfigError } from '../config/index.js';

export interface BrokerChildOptions {
  nodeId: number;
  port: number;
  host?: string;
  storage: 'memory' | 'disk';
  dataDir?: string;
  configFile?: string;
  config: Record<string, string>;
  logLevel?: BrokerOptions['logLevel'];
  logFormat: 'pretty' | 'json';
}

// Child to host, besides the quorum's messages.
export type ChildStatus = { t: 'ready'; nodeId: number; bootstrap: string; port: number } | { t: 'failed'; nodeId: number; message: string; usage: boolean };

export async function brokerChildCommand(argv: string[]): Promise<void> {
  const channel = process as unknown as IpcChannel;
  if (!process.send || argv[0] === undefined) {
    process.stderr.write('samsa: __broker is run by `samsa start --brokers N`, not by hand\n');
    process.exitCode = 2;
    return;
  }
  const o = JSON.parse(argv[0]) as BrokerChildOptions;
  const status = (m: ChildStatus) => process.send?.(m);
  process.on('SIGINT', () => undefined);
  let broker: Broker;
  try {
    const quorum = await IpcQuorum.connect(channel);
    broker = await startBroker({
      nodeId: o.nodeId,
      quorum,
      port: o.port,
      host: o.host,
      storage: o.storage,
      dataDir: o.dataDir,
      configFile: o.configFile,
      config: o.config,
      logLevel: o.logLevel,
      defaultLogLevel: 'info',
      logFormat: o.logFormat,
    });
  } catch (err) {
    const failed: ChildStatus = { t: 'failed', nodeId: o.nodeId, message: (err as Error).message ?? String(err), usage: err instanceof ConfigError };
    process.send(failed, () => process.exit(1));
    return;
  }
  status({ t: 'ready', nodeId: o.nodeId, bootstrap: broker.bootstrap, port: broker.port });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('message', (m) => {
    if ((m as { t?: string }).t === 'stop') stop();
  });
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}
