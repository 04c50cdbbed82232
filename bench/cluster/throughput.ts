// Cluster throughput (issue 13), each pair measured in the same run on the same machine, back to
// back and alternating (A B A B, --rounds 2) so that drift of a shared machine shows:
//   (a) on one `samsa start --brokers 3`: RF=3 acks=all against RF=1 acks=1 (3 partitions each,
//       so each broker leads one; the RF=3 topic has min.insync.replicas=2);
//   (b) `samsa start --brokers 2` against one broker (`samsa start`): 8 partitions, RF=1, acks=1.
// Each run is `samsa bench produce` (the real CLI: one connection per partition leader, 100 B
// records in 16 KiB batches, 16 requests in flight per connection) for --seconds (5) on a fresh
// topic, deleted afterwards. Brokers keep data in memory (--memory) unless --data-dir DIR.
// Besides records/s it prints the CPU the brokers and the generator used (from /proc/<pid>/stat:
// cores = CPU seconds / wall seconds) and the load average before each run, since the machine
// is shared and has 2 cores for all the brokers and the generator together. Per process: with
// --brokers N the host (the embedded quorum) first, then broker 0, 1, ...
// Nothing is asserted.
//   node --import tsx bench/cluster/throughput.ts [--seconds 5] [--rounds 2] [--parts a,b|rf3] [--data-dir DIR]
//     [--inflight 16] [--rf3-acks all|1] [--cpu-prof DIR]
// --inflight and --rf3-acks are for diagnosis (is RF=3 bound by the acks=all wait or by CPU?);
// the pairs the issue asks for are the defaults.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterClient, SAMSA_BIN, SamsaProcess, load, until } from './lib.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    parts: { type: 'string', default: 'a,b' },
    'data-dir': { type: 'string' },
    inflight: { type: 'string', default: '16' },
    'rf3-acks': { type: 'string', default: 'all' },
    'cpu-prof': { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const INFLIGHT = values.inflight!;
const RF3_ACKS = values['rf3-acks']!;
const CLK_TCK = 100;
// --cpu-prof DIR: the brokers run under `node --cpu-prof` (the host's forked brokers inherit it);
// a profile per process is written when it exits (summarize with bench/lib/cpuprofile.ts).
const NODE_ARGS = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];

function storageArgs(name: string): string[] {
  if (!values['data-dir']) return ['--memory'];
  return ['--data-dir', mkdtempSync(join(values['data-dir'], `${name}-`))];
}

/** utime + stime of a process, in seconds (0 once it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

interface Run {
  label: string;
  recordsPerSec: number;
  mbPerSec: number;
  p50: number;
  p99: number;
  brokerCores: number;
  /** Each process's cores: the host (with --brokers N) first, then broker 0, 1, ... */
  perProcess: number[];
  /** The brokers' cores over the second before the run, idle. */
  idleCores: number;
  generatorCores: number;
  errors: Record<string, number>;
  load: string;
}

let topicSeq = 0;

async function produceRun(
  label: string,
  cluster: SamsaProcess,
  bootstrap: string[],
  topic: { partitions: number; rf: number; acks: string; configs?: Record<string, string> },
): Promise<Run> {
  const name = `tp-${++topicSeq}`;
  const client = new ClusterClient(bootstrap);
  try {
    await client.createTopic(name, topic.partitions, topic.rf, topic.configs);
    await until(`leaders and full ISRs of ${name}`, async () => {
      const md = await client.metadata(name);
      return md.partitions.size === topic.partitions && [...md.partitions.values()].every((p) => p.leader >= 0 && p.isr.length === topic.rf);
    });
  } finally {
    client.close();
  }
  // The broker processes: the host's children for --brokers N, else the process itself.
  const children = [...cluster.brokerPids().entries()].sort((a, b) => a[0] - b[0]).map(([, pid]) => pid);
  const pids = [cluster.pid, ...children];
  const i0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
  await new Promise((r) => setTimeout(r, 1000));
  const idleCores = pids.reduce((s, p) => s + cpuSeconds(p), 0) - i0;
  const loadBefore = load();
  const args = [
    SAMSA_BIN,
    'bench',
    'produce',
    '--bootstrap',
    bootstrap.join(','),
    '--topic',
    name,
    '--duration',
    `${SECONDS}s`,
    '--acks',
    topic.acks,
    '--record-size',
    '100',
    '--batch-size',
    '16384',
    '--max-in-flight',
    INFLIGHT,
    '--json',
  ];
  const gen = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  gen.stdout.on('data', (d) => (out += d));
  gen.stderr.on('data', (d) => (err += d));
  const each0 = pids.map(cpuSeconds);
  const b0 = each0.reduce((a, b) => a + b, 0);
  const t0 = Date.now();
  // The generator's CPU, sampled just before it exits (its /proc entry goes with it).
  let genCpu = 0;
  const sampler = setInterval(() => (genCpu = cpuSeconds(gen.pid!) || genCpu), 100);
  const code = await new Promise<number | null>((r) => gen.on('exit', (c) => r(c)));
  clearInterval(sampler);
  const wall = (Date.now() - t0) / 1000;
  const each1 = pids.map(cpuSeconds);
  const b1 = each1.reduce((a, b) => a + b, 0);
  if (code !== 0) throw new Error(`samsa bench produce exited ${code}: ${err.slice(-2000)}`);
  const r = JSON.parse(out) as { recordsPerSec: number; mbPerSec: number; latency: { p50Us: number; p99Us: number }; errors: Record<string, number> };
  await new Promise<void>((res) => execFile(process.execPath, [SAMSA_BIN, 'topics', 'delete', name, '--bootstrap', bootstrap.join(',')], () => res()));
  const run: Run = {
    label,
    recordsPerSec: r.recordsPerSec,
    mbPerSec: r.mbPerSec,
    p50: r.latency.p50Us / 1000,
    p99: r.latency.p99Us / 1000,
    brokerCores: (b1 - b0) / wall,
    perProcess: each1.map((c, i) => (c - each0[i]!) / wall),
    idleCores,
    generatorCores: genCpu / wall,
    errors: r.errors,
    load: loadBefore,
  };
  process.stderr.write(
    `  ${label}: ${Math.round(run.recordsPerSec).toLocaleString('en-US')} records/s, brokers ${run.brokerCores.toFixed(2)} cores (${run.perProcess.map((c) => c.toFixed(2)).join(' + ')}), generator ${run.generatorCores.toFixed(2)} cores, load ${loadBefore}\n`,
  );
  return run;
}

function table(runs: Run[]): string[] {
  return [
    '| run | records/s | MB/s | ack p50 / p99 ms | broker cores (per process) | brokers idle, the second before | generator cores | load average before | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...runs.map(
      (r) =>
        `| ${r.label} | ${Math.round(r.recordsPerSec).toLocaleString('en-US')} | ${r.mbPerSec.toFixed(1)} | ${r.p50.toFixed(2)} / ${r.p99.toFixed(2)} | ${r.brokerCores.toFixed(2)} (${r.perProcess.map((c) => c.toFixed(2)).join(' + ')}) | ${r.idleCores.toFixed(2)} | ${r.generatorCores.toFixed(2)} | ${r.load} | ${JSON.stringify(r.errors)} |`,
    ),
  ];
}

function ratio(runs: Run[], num: string, den: string): string {
  const mean = (l: string) => {
    const xs = runs.filter((r) => r.label.startsWith(l)).map((r) => r.recordsPerSec);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const pairs = runs.filter((r) => r.label.startsWith(num)).map((r, i) => r.recordsPerSec / runs.filter((x) => x.label.startsWith(den))[i]!.recordsPerSec);
  return `${(mean(num) / mean(den)).toFixed(2)}x of the means (per round: ${pairs.map((p) => p.toFixed(2)).join(', ')})`;
}

const cmd = `node --import tsx bench/cluster/throughput.ts --seconds ${SECONDS} --rounds ${ROUNDS} --parts ${values.parts} --inflight ${INFLIGHT} --rf3-acks ${RF3_ACKS}${values['data-dir'] ? ` --data-dir ${values['data-dir']}` : ''}${values['cpu-prof'] ? ` --cpu-prof ${values['cpu-prof']}` : ''}`;
const out: string[] = [
  `reproduce: ${cmd}`,
  `storage: ${values['data-dir'] ? 'disk' : 'memory'}; samsa bench produce: 100 B records, 16 KiB batches, ${INFLIGHT} in flight per leader connection, ${SECONDS} s a run`,
  '',
];
const parts = values.parts!.split(',');

// 'a', or 'rf3' for the RF=3 runs alone (to profile them).
if (parts.includes('a') || parts.includes('rf3')) {
  const rf3 = `RF=3 acks=${RF3_ACKS}`;
  process.stderr.write(`(a) samsa start --brokers 3: ${rf3} against RF=1 acks=1, 3 partitions\n`);
  const c = new SamsaProcess(['--brokers', '3', '--port', '0', '--log-level', 'warn', ...storageArgs('a')], { nodeArgs: NODE_ARGS });
  const runs: Run[] = [];
  try {
    const bootstrap = await c.ready();
    for (let i = 1; i <= ROUNDS; i++) {
      if (parts.includes('a')) runs.push(await produceRun(`RF=1 acks=1 #${i}`, c, bootstrap, { partitions: 3, rf: 1, acks: '1' }));
      runs.push(await produceRun(`${rf3} #${i}`, c, bootstrap, { partitions: 3, rf: 3, acks: RF3_ACKS, configs: { 'min.insync.replicas': '2' } }));
    }
  } finally {
    await c.stop();
  }
  out.push(`### (a) \`samsa start --brokers 3\`: ${rf3} against RF=1 acks=1 (3 partitions, one leader per broker)`, '', ...table(runs), '');
  if (parts.includes('a')) out.push(`${rf3} / RF=1 acks=1: **${ratio(runs, 'RF=3', 'RF=1')}** (goal for acks=all ≥ 0.50)`, '');
}

if (parts.includes('b')) {
  process.stderr.write('(b) samsa start --brokers 2 against samsa start, 8 partitions, acks=1\n');
  const one = new SamsaProcess(['--port', '0', '--log-level', 'warn', ...storageArgs('one')], { nodeArgs: NODE_ARGS });
  const two = new SamsaProcess(['--brokers', '2', '--port', '0', '--log-level', 'warn', ...storageArgs('two')], { nodeArgs: NODE_ARGS });
  const runs: Run[] = [];
  try {
    const [b1, b2] = await Promise.all([one.ready(), two.ready()]);
    for (let i = 1; i <= ROUNDS; i++) {
      runs.push(await produceRun(`1 broker #${i}`, one, b1!, { partitions: 8, rf: 1, acks: '1' }));
      runs.push(await produceRun(`--brokers 2 #${i}`, two, b2!, { partitions: 8, rf: 1, acks: '1' }));
    }
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
  out.push(
    '### (b) `samsa start --brokers 2` against one broker (`samsa start`), 8 partitions, RF=1, acks=1',
    '',
    ...table(runs),
    '',
    `--brokers 2 / 1 broker: **${ratio(runs, '--brokers 2', '1 broker')}** (goal ≥ 1.6)`,
    '',
  );
}

out.push(`load average after: ${load()}`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(0);
