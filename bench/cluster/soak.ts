// Cluster soak (issue 13): three brokers as separate processes joined through a real etcd,
// a replication-factor-3 topic with min.insync.replicas=2, an idempotent acks=all producer
// (kafkajs) writing numbered records, and a loop that kill -9s a random broker, restarts it and
// waits for the ISR to be whole again. Bounded by --cycles and --max-seconds; stops by itself.
// Then every partition is read from the beginning with kcat (librdkafka) and checked against what
// the producer was told: lost (must be 0), duplicated (must be 0), out of order (must be 0).
//
//   npm run build && node --import tsx bench/cluster/soak.ts --cycles 10 --max-seconds 300
//
// Writes bench/results/cluster-soak.md (or --out FILE). Exit code 0 only if every criterion holds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startBroker, ROOT, type BrokerProcess } from '../fuzz/broker.js';
import { startEtcd } from '../../test/cluster/etcd-server.js';
import { Ledger, type PartitionVerdict } from './ledger.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const CYCLES = Number(args.get('cycles') ?? 10);
const MAX_SECONDS = Number(args.get('max-seconds') ?? 300);
const PARTITIONS = Number(args.get('partitions') ?? 6);
const BROKERS = 3;
const SEED = Number(args.get('seed') ?? Date.now() % 100000);
const OUT = args.get('out') ?? join(ROOT, 'bench', 'results', 'cluster-soak.md');
const TOPIC = 'soak';

let rnd = SEED;
function random(): number {
  rnd = (rnd * 1103515245 + 12345) % 2147483648;
  return rnd / 2147483648;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  let lastErr: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function kcatRead(bootstrap: string, partition: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'kcat',
      ['-C', '-b', bootstrap, '-t', TOPIC, '-p', String(partition), '-o', 'beginning', '-e', '-q', '-f', '%s\\n'],
      { maxBuffer: 512 * 1024 * 1024, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kcat partition ${partition}: ${err.message} ${stderr}`));
        else resolve(stdout.split('\n').filter((l) => l !== ''));
      },
    );
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
  const root = mkdtempSync(join(tmpdir(), 'samsa-cluster-soak-'));
  const etcd = await startEtcd();
  const ports = await Promise.all(Array.from({ length: BROKERS }, () => freePort()));
  const bootstrap = ports.map((p) => `127.0.0.1:${p}`).join(',');
  const brokers: Array<BrokerProcess | null> = Array.from({ length: BROKERS }, () => null);
  const start = async (id: number) => {
    brokers[id] = await startBroker(join(root, `broker-${id}`), {
      extraArgs: [
        '--port',
        String(ports[id]),
        '--node-id',
        String(id),
        '--cluster',
        `etcd://${etcd.endpoint.replace(/^https?:\/\//, '')}`,
        '--cluster-id',
        'soak',
        '--set',
        'broker.session.timeout.ms=3000',
      ],
    });
  };
  const facts: Array<[string, string]> = [];
  let cycles = 0;
  let acked = 0;
  let sendErrors = 0;
  let verdicts: PartitionVerdict[] = [];
  let failure: string | null = null;
  const kafka = new Kafka({
    clientId: 'soak',
    brokers: ports.map((p) => `127.0.0.1:${p}`),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
  const admin = kafka.admin();
  let producer: Producer | null = null;
  const ledger = new Ledger(PARTITIONS);
  let stopLoad = false;
  try {
    for (let id = 0; id < BROKERS; id++) await start(id);
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }],
      waitForLeaders: true,
    });
    const isrWhole = async () => {
      const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
      return md.topics[0]!.partitions.every((p) => p.isr.length === BROKERS && p.leader >= 0);
    };
    await until('a whole ISR', isrWhole, 30_000);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    const p = producer;
    const load = (async () => {
      let next = 0;
      while (!stopLoad) {
        const partition = next++ % PARTITIONS;
        const values = ledger.take(partition, 20);
        try {
          await p.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ partition, value })) });
          ledger.acknowledge(values);
        } catch {
          sendErrors++;
        }
      }
    })();
    while (cycles < CYCLES && Date.now() - started < MAX_SECONDS * 1000) {
      const victim = Math.floor(random() * BROKERS);
      await new Promise((r) => setTimeout(r, 1000 + random() * 2000));
      await brokers[victim]!.kill9();
      await new Promise((r) => setTimeout(r, 500 + random() * 3000));
      await start(victim);
      await until(`the ISR whole again after cycle ${cycles + 1}`, isrWhole, 60_000);
      cycles++;
    }
    stopLoad = true;
    await load;
    acked = ledger.acknowledgedCount;
    await until('a whole ISR before reading', isrWhole, 60_000);
    verdicts = await Promise.all(Array.from({ length: PARTITIONS }, (_, part) => kcatRead(bootstrap, part).then((stored) => ledger.verify(part, stored))));
  } catch (err) {
    failure = (err as Error).message;
  } finally {
    stopLoad = true;
    await producer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    const exits: string[] = [];
    for (const b of brokers) if (b) exits.push(String(await b.stop()));
    facts.push(['broker exit codes on SIGTERM', exits.join(', ')]);
    await etcd.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const lost = verdicts.reduce((n, v) => n + v.lost, 0);
  const duplicated = verdicts.reduce((n, v) => n + v.duplicated, 0);
  const outOfOrder = verdicts.reduce((n, v) => n + v.outOfOrder, 0);
  const ok = failure === null && lost === 0 && duplicated === 0 && outOfOrder === 0 && cycles > 0;
  const lines = [
    '# Cluster soak',
    '',
    `Result: **${ok ? 'PASS' : 'FAIL'}** (${new Date().toISOString()}). Generated by \`bench/cluster/soak.ts\`; reproduce with:`,
    '',
    '```',
    `npm run build && node --import tsx bench/cluster/soak.ts --cycles ${CYCLES} --max-seconds ${MAX_SECONDS} --partitions ${PARTITIONS} --seed ${SEED}`,
    '```',
    '',
    `Machine: ${cpus().length} cores, load average ${loadBefore} before, ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} after; Node ${process.version}`,
    '',
    `Three brokers (separate processes, etcd quorum, broker.session.timeout.ms=3000), topic \`${TOPIC}\` with ${PARTITIONS} partitions, replication factor 3, min.insync.replicas=2; kafkajs idempotent producer, acks=all, batches of 20; each cycle kill -9s a random broker, restarts it and waits for a whole ISR.`,
    '',
    '| criterion | value |',
    '|---|---|',
    `| kill -9 / restart cycles | ${cycles} |`,
    `| records acknowledged | ${acked} |`,
    `| acknowledged records lost | ${lost} |`,
    `| records duplicated | ${duplicated} |`,
    `| records out of order | ${outOfOrder} |`,
    `| sends that failed after the client's retries (not acknowledged, not resent) | ${sendErrors} |`,
    `| wall time | ${((Date.now() - started) / 1000).toFixed(1)} s |`,
    ...facts.map(([k, v]) => `| ${k} | ${v} |`),
    ...(failure ? [`| failure | ${failure.replace(/\|/g, '/').replace(/\n/g, ' ')} |`] : []),
    '',
    '| partition | acknowledged | stored | lost | duplicated | out of order |',
    '|---|---|---|---|---|---|',
    ...verdicts.map(
      (v) =>
        `| ${v.partition} | ${v.acknowledged} | ${v.stored} | ${v.lost}${v.firstLost.length ? ` (e.g. ${v.firstLost.join(', ')})` : ''} | ${v.duplicated} | ${v.outOfOrder} |`,
    ),
    '',
  ];
  writeFileSync(OUT, lines.join('\n'));
  console.log(lines.join('\n'));
  process.exit(ok ? 0 : 1);
}

await main();
