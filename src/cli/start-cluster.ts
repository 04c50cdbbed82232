// `samsa start --brokers N`: a local cluster in one command. This process hosts the embedded
// metadata quorum (its log under <data-dir>/quorum, or in memory with --memory) and runs each
// broker in a child process of its own (`samsa __broker`, broker-child.ts), so N brokers use up
// to N cores; the brokers reach the quorum over their IPC channels (IpcQuorum). Broker ids are
// 0..N-1, on consecutive ports from --port (--port 0: any free ports), data in
// <data-dir>/broker-<id>. Once every broker accepts connections it prints
// `samsa ready <host:port>,<host:port>,...` (every broker, by id).
// SIGTERM / SIGINT stop the brokers one at a time, each with a controlled shutdown (so the
// last ones take over the leaderships), then exit 0.
// A broker that dies is logged and its session expired at once (the controller moves its
// leaderships); it is then restarted on the same port with its data, after a second, and
// given up after three restarts in a row that do not come up.
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { EmbeddedQuorum } from '../cluster/quorum/embedded-quorum.js';
import { serveQuorum } from '../cluster/quorum/ipc-quorum-host.js';
import { createLogger, type Logger, type LogLevel } from '../log.js';
import type { BrokerChildOptions, ChildStatus } from './broker-child.js';

export interface ClusterStartOptions {
  brokers: number;
  port: number;
  host?: string;
  memory: boolean;
  dataDir?: string;
  configFile?: string;
  config: Record<string, string>;
  logLevel?: LogLevel;
}

const RESTART_DELAY_MS = 1000;
const MAX_FAILED_RESTARTS = 3;
const STOP_TIMEOUT_MS = 120_000;

interface BrokerProcess {
  id: number;
  port: number;
  child: ChildProcess | null;
  ready: boolean;
  failedRestarts: number;
}

export async function startClusterCommand(o: ClusterStartOptions): Promise<void> {
  const pretty = process.stdout.isTTY === true;
  const log: Logger = pretty ? createLogger(o.logLevel ?? 'info', (await import('../log-pretty.js')).prettyDestination()) : createLogger(o.logLevel ?? 'info');
  const root = o.memory ? null : resolve(o.dataDir ?? 'samsa-data');
  let quorum: EmbeddedQuorum;
  try {
    quorum = root ? EmbeddedQuorum.open(join(root, 'quorum')) : new EmbeddedQuorum();
  } catch (err) {
    return fail(`cannot open the metadata quorum: ${(err as Error).message}`, 1);
  }
  const script = process.argv[1]!;
  const brokers: BrokerProcess[] = Array.from({ length: o.brokers }, (_, id) => ({
    id,
    port: o.port === 0 ? 0 : o.port + id,
    child: null,
    ready: false,
    failedRestarts: 0,
  }));
  let stopping = false;
  // Restarts only once the cluster has come up: a broker that cannot start fails the start.
  let started = false;

  // Forks broker `b`; resolves with its status once it is ready or has failed to start.
  const launch = (b: BrokerProcess): Promise<ChildStatus | { t: 'exited' }> => {
    const opts: BrokerChildOptions = {
      nodeId: b.id,
      port: b.port,
      host: o.host,
      storage: o.memory ? 'memory' : 'disk',
      dataDir: root ? join(root, `broker-${b.id}`) : undefined,
      configFile: o.configFile,
      config: o.config,
      logLevel: o.logLevel,
      logFormat: pretty ? 'pretty' : 'json',
    };
    const child = fork(script, ['__broker', JSON.stringify(opts)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    b.child = child;
    b.ready = false;
    serveQuorum(quorum, child);
    const outcome = new Promise<ChildStatus | { t: 'exited' }>((done) => {
      child.on('message', (m: unknown) => {
        const s = m as ChildStatus;
        if (s.t === 'ready') {
          b.ready = true;
          // Restarts keep the port, so the bootstrap list stays true.
          b.port = s.port;
          b.failedRestarts = 0;
          done(s);
        } else if (s.t === 'failed') done(s);
      });
      child.once('exit', () => done({ t: 'exited' }));
    });
    child.once('exit', (code, signal) => {
      if (b.child === child) b.child = null;
      if (stopping || !started) return;
      const was = b.ready;
      b.ready = false;
      log.warn(
        { nodeId: b.id, code, signal },
        was ? 'broker process died; its session is expired and it restarts' : 'broker process exited before it was ready',
      );
      if (!was && ++b.failedRestarts > MAX_FAILED_RESTARTS) {
        log.error({ nodeId: b.id }, `broker did not come up after ${MAX_FAILED_RESTARTS} restarts: giving up on it`);
        return;
      }
      setTimeout(() => {
        if (!stopping && b.child === null) void launch(b);
      }, RESTART_DELAY_MS).unref();
    });
    return outcome;
  };

  const stopAll = async (): Promise<void> => {
    stopping = true;
    // One at a time: each hands its leaderships to the brokers still running.
    for (const b of brokers) {
      const child = b.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      if (child.connected) child.send({ t: 'stop' }, () => undefined);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await quorum.close();
  };

  const results = await Promise.all(brokers.map((b) => launch(b)));
  const failed = results.find((r) => r.t !== 'ready');
  if (failed) {
    await stopAll();
    if (failed.t === 'failed') return fail(`broker ${failed.nodeId}: ${failed.message}`, failed.usage ? 2 : 1);
    return fail('a broker exited before it was ready', 1);
  }
  started = true;
  const bootstrap = results.map((r) => (r as Extract<ChildStatus, { t: 'ready' }>).bootstrap).join(',');
  process.stdout.write(`samsa ready ${bootstrap}\n`);
  log.info({ brokers: o.brokers, clusterId: quorum.clusterId, bootstrap }, 'samsa cluster started');

  let signalled = false;
  const onSignal = (signal: string) => {
    if (signalled) {
      log.warn({ signal }, 'second signal: killing the brokers and exiting now');
      for (const b of brokers) b.child?.kill('SIGKILL');
      process.exit(1);
    }
    signalled = true;
    log.info({ signal }, 'shutting down the cluster');
    stopAll().then(
      () => {
        log.info('samsa cluster stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down the cluster');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

function fail(message: string, code: number): void {
  process.stderr.write(`samsa: ${message}\n`);
  process.exitCode = code;
}
