// A real etcd (Debian's `etcd-server` package) for tests: one member on 127.0.0.1 with free
// client and peer ports and its own temporary data dir. Test files that use it declare
// `// requires: etcd` near their top (scripts/run-tests.mjs skips them where etcd is missing).
//   const etcd = await startEtcd();  ... etcd.endpoint ...  await etcd.stop();
// stop(): SIGTERM and wait; kill(): SIGKILL and wait; restart(): start again on the same ports
// and data (what it held survives, leases included); close(): stop and remove the data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface EtcdServer {
  // http://127.0.0.1:<client port>, what EtcdQuorum.open({ endpoints }) takes.
  readonly endpoint: string;
  readonly dataDir: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  // stop() and remove the data dir.
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

// etcd answers /health with {"health":"true"} once it has a leader and serves requests.
async function waitHealthy(endpoint: string, child: ChildProcess, output: () => string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`etcd exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === 'true') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${endpoint} not healthy within ${deadlineMs} ms:\n${output()}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startEtcd(opts: { startTimeoutMs?: number } = {}): Promise<EtcdServer> {
  const startTimeoutMs = opts.startTimeoutMs ?? 20_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name',
    'samsa-test',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    endpoint,
    '--advertise-client-urls',
    endpoint,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `samsa-test=${peer}`,
    '--initial-cluster-state',
    'new',
    '--log-level',
    'warn',
    '--logger',
    'zap',
  ];
  let child: ChildProcess;
  let output = '';
  const launch = async () => {
    output = '';
    child = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output = (output + d).slice(-8000)));
    child.stderr!.on('data', (d) => (output = (output + d).slice(-8000)));
    child.once('error', (err) => (output += `\nspawn failed: ${err.message}`));
    await waitHealthy(endpoint, child, () => output, startTimeoutMs);
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited(child);
  };
  try {
    await launch();
  } catch (err) {
    await signal('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint,
    dataDir,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await launch();
    },
    close: async () => {
      await signal('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
