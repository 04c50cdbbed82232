// Partition-scale benchmark (issue 11 item 4): how fast samsa creates topics and partitions, and
// whether other clients are still served meanwhile. A samsa child process (bin/samsa.js, disk
// storage in a temp dir) gets
//   1. TOPICS single-partition topics, one CreateTopics each (the metadata store's per-change cost);
//   2. one topic grown to PARTITIONS partitions by CreatePartitions in steps of STEP (<= 10,000,
//      Kafka's per-request limit);
//   3. a restart (SIGTERM, start again) with the time until it answers again;
// while a bystander connection sends ApiVersions every 5 ms and records how long each waited.
// Prints creation rates and the bystander's worst and 99th-percentile wait. Bounded: gives up
// after DEADLINE seconds and always stops the child.
// Reproduce: npm run build && node --import tsx bench/partition-scale.ts [--topics 5000]
//   [--partitions 200000] [--step 10000] [--deadline 600] [--cpu-prof DIR]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ClientConnection } from '../src/client/connection.js';
import { ApiVersionsRequest } from '../src/protocol/generated/api-versions-request.js';
import { ApiVersionsResponse } from '../src/protocol/generated/api-versions-response.js';
import { CreateTopicsRequest } from '../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../src/protocol/generated/create-topics-response.js';
import { CreatePartitionsRequest } from '../src/protocol/generated/create-partitions-request.js';
import { CreatePartitionsResponse } from '../src/protocol/generated/create-partitions-response.js';
import { MetadataRequest } from '../src/protocol/generated/metadata-request.js';
import { MetadataResponse } from '../src/protocol/generated/metadata-response.js';

const { values: opts } = parseArgs({
  options: {
    topics: { type: 'string', default: '5000' },
    partitions: { type: 'string', default: '200000' },
    step: { type: 'string', default: '10000' },
    deadline: { type: 'string', default: '600' },
    'cpu-prof': { type: 'string' },
  },
});
const TOPICS = Number(opts.topics);
const PARTITIONS = Number(opts.partitions);
const STEP = Number(opts.step);
const DEADLINE = Date.now() + Number(opts.deadline) * 1000;
const BIN = fileURLToPath(new URL('../bin/samsa.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startSamsa(port: number, dataDir: string): ChildProcess {
  const prof = opts['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${opts['cpu-prof']}`] : [];
  const child = spawn(process.execPath, [...prof, BIN, 'start', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function connectWhenReady(port: number, clientId: string): Promise<ClientConnection> {
  for (;;) {
    if (Date.now() > DEADLINE) throw new Error('deadline passed while waiting for samsa');
    try {
      const c = await ClientConnection.connect('127.0.0.1', port, { clientId });
      await c.negotiate();
      return c;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

// Sends ApiVersions every PACE_MS; each wait is one sample.
const PACE_MS = 5;
class Bystander {
  waits: number[] = [];
  private running = true;
  private done: Promise<void>;
  constructor(private readonly conn: ClientConnection) {
    this.done = this.loop();
  }
  // One request every PACE_MS (or at once when the last one took longer): enough samples to see
  // any stall, without a request loop that takes the broker's CPU from the work measured.
  private async loop(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      await this.conn.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'bystander', clientSoftwareVersion: '1' });
      const wait = performance.now() - t0;
      this.waits.push(wait);
      if (wait < PACE_MS) await new Promise((r) => setTimeout(r, PACE_MS - wait));
    }
  }
  async stop(): Promise<{ max: number; p99: number; n: number }> {
    this.running = false;
    await this.done.catch(() => undefined);
    const s = [...this.waits].sort((a, b) => a - b);
    return { max: s[s.length - 1] ?? NaN, p99: s[Math.floor(s.length * 0.99)] ?? NaN, n: s.length };
  }
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

// 200,000 partition directories take minutes to delete on a busy disk: the bench ends, `rm`
// carries on by itself.
function removeInBackground(dir: string): void {
  spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
  console.log(`removing ${dir} in the background`);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-partition-scale-'));
  const port = await freePort();
  let child = startSamsa(port, dataDir);
  const stopChild = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), Math.max(1000, DEADLINE - Date.now()));
    await exited;
    clearTimeout(t);
  };
  const watchdog = setTimeout(() => {
    console.error(`deadline (${opts.deadline} s) passed: stopping`);
    child.kill('SIGKILL');
    removeInBackground(dataDir);
    process.exit(2);
  }, DEADLINE - Date.now());
  try {
    const admin = await connectWhenReady(port, 'bench-admin');
    const bystander = new Bystander(await connectWhenReady(port, 'bench-bystander'));
    console.log(`samsa pid ${child.pid}, data dir ${dataDir}`);

    // 1. many small topics, one request each
    let t0 = performance.now();
    for (let i = 0; i < TOPICS; i++) {
      const res = await admin.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
        topics: [{ name: `small-${i}`, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
      });
      if (res.topics[0]!.errorCode !== 0) throw new Error(`create small-${i}: ${res.topics[0]!.errorCode} ${res.topics[0]!.errorMessage}`);
      if (Date.now() > DEADLINE) throw new Error(`deadline passed after ${i} topics`);
    }
    let secs = (performance.now() - t0) / 1000;
    const topicsPhase = await bystander.stop();
    console.log(
      `topics:     ${TOPICS} single-partition topics in ${secs.toFixed(2)} s (${(TOPICS / secs).toFixed(0)} topics/s); bystander worst ${ms(topicsPhase.max)}, p99 ${ms(topicsPhase.p99)} over ${topicsPhase.n} requests`,
    );

    // 2. one topic grown in steps
    const by2 = new Bystander(await connectWhenReady(port, 'bench-bystander-2'));
    t0 = performance.now();
    const first = Math.min(STEP, PARTITIONS);
    const created = await admin.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
      topics: [{ name: 'wide', numPartitions: first, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 60_000,
    });
    let count = first;
    if (created.topics[0]!.errorCode !== 0) {
      // Kafka also refuses CreateTopics whose records exceed 10,000 (the topic record counts):
      // start smaller then.
      const retry = await admin.send(CreateTopicsRequest, CreateTopicsResponse, 7, {
        topics: [{ name: 'wide', numPartitions: first - 1, replicationFactor: -1, assignments: [], configs: [] }],
        timeoutMs: 60_000,
      });
      if (retry.topics[0]!.errorCode !== 0) throw new Error(`create wide: ${retry.topics[0]!.errorCode} ${retry.topics[0]!.errorMessage}`);
      count = first - 1;
    }
    let worstStep = 0;
    while (count < PARTITIONS) {
      const next = Math.min(PARTITIONS, count + STEP);
      const s0 = performance.now();
      const res = await admin.send(CreatePartitionsRequest, CreatePartitionsResponse, 3, {
        topics: [{ name: 'wide', count: next, assignments: null }],
        timeoutMs: 60_000,
        validateOnly: false,
      });
      if (res.results[0]!.errorCode !== 0) throw new Error(`grow wide to ${next}: ${res.results[0]!.errorCode} ${res.results[0]!.errorMessage}`);
      worstStep = Math.max(worstStep, performance.now() - s0);
      count = next;
      if (Date.now() > DEADLINE) throw new Error(`deadline passed at ${count} partitions`);
    }
    secs = (performance.now() - t0) / 1000;
    const widePhase = await by2.stop();
    console.log(
      `partitions: ${PARTITIONS} partitions in steps of ${STEP} in ${secs.toFixed(2)} s (${(PARTITIONS / secs).toFixed(0)} partitions/s, slowest step ${ms(worstStep)}); bystander worst ${ms(widePhase.max)}, p99 ${ms(widePhase.p99)} over ${widePhase.n} requests`,
    );
    admin.close();

    // 3. restart: everything comes back
    const r0 = performance.now();
    await stopChild(child);
    const stopSecs = (performance.now() - r0) / 1000;
    const s0 = performance.now();
    child = startSamsa(port, dataDir);
    const again = await connectWhenReady(port, 'bench-after-restart');
    const startSecs = (performance.now() - s0) / 1000;
    const md = await again.send(MetadataRequest, MetadataResponse, 12, {
      topics: [{ topicId: undefined, name: 'wide' }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const wide = md.topics[0]!.partitions.length;
    const all = await again.send(MetadataRequest, MetadataResponse, 12, {
      topics: null,
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    console.log(
      `restart:    stop ${stopSecs.toFixed(2)} s, start until served ${startSecs.toFixed(2)} s; ${all.topics.length} topics, 'wide' has ${wide} partitions after restart`,
    );
    again.close();
  } finally {
    clearTimeout(watchdog);
    await stopChild(child);
    removeInBackground(dataDir);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
