// Failover time (issue 13): from `kill -9` of a partition's leader to the first acknowledged
// acks=all write on the new leader, over --kills N kills (default 20), for
//   embedded: `samsa start --brokers 3 --memory` (the child process that leads is killed; the
//             host expires its session, the controller moves the leadership, the host restarts
//             the child after 1 s);
//   etcd:     three `samsa start --node-id i --cluster etcd://... --memory` processes and a real
//             etcd (test/cluster/etcd-server.ts), --set broker.session.timeout.ms=T (the lease TTL
//             is T rounded up to whole seconds); the killed process is started again by this
//             script, on the same port, once the failover is measured.
// Topic: 1 partition, RF=3, min.insync.replicas=2. Before each kill the ISR is full (3) and an
// acks=all write to the leader has succeeded; connections to every broker are open, as a
// client's would be.
// The writer is samsa's own ClientConnection. After the kill it asks a surviving broker for
// Metadata every --poll-ms (10) ms, round-robin over the survivors; as soon as a survivor names a
// leader other than the killed broker, it sends a one-record acks=all Produce there, and retries
// (after --poll-ms) on any error (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, a timeout). The
// time is from just before kill(2) to that Produce's successful answer.
// Nothing is asserted; the numbers are printed with the command and the load average.
//   node --import tsx bench/cluster/failover.ts [--kills 20] [--modes embedded,etcd] [--session-timeout-ms 3000] [--poll-ms 10] [--victim leader|controller] [--set K=V ...]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { startEtcd } from '../../test/cluster/etcd-server.js';
import { makeBatch } from '../lib/kafka.js';
import { errorInfo } from '../../src/errors.js';
import { ClusterClient, SamsaProcess, load, percentile, sleep, until } from './lib.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '20' },
    modes: { type: 'string', default: 'embedded,etcd' },
    'session-timeout-ms': { type: 'string', default: '3000' },
    'poll-ms': { type: 'string', default: '10' },
    victim: { type: 'string', default: 'leader' },
    // Broker properties for every broker (repeatable), e.g. replica.fetch.wait.max.ms=100.
    set: { type: 'string', multiple: true, default: [] },
  },
});
const KILLS = Number(values.kills);
const SESSION_MS = Number(values['session-timeout-ms']);
const POLL_MS = Number(values['poll-ms']);
const TOPIC = 'failover';
// --victim leader: one partition, its leader is killed. --victim controller: three partitions
// (one led by each broker), the controller is killed and the partition it leads is measured, so
// the failover includes electing a new controller.
const VICTIM = values.victim === 'controller' ? 'controller' : 'leader';
const PARTITIONS = VICTIM === 'controller' ? 3 : 1;
const SETS = (values.set ?? []).flatMap((kv) => ['--set', kv]);
const BATCH = makeBatch(200, 100).batch;

interface Kill {
  victim: number;
  wasController: boolean;
  newLeader: number;
  epoch: number;
  ms: number;
  metadataTries: number;
  errors: Record<string, number>;
}

/** The cluster under test, however it runs: brokers by id, kill -9 one, bring it back. */
interface Target {
  name: string;
  bootstrap: string[];
  kill9(id: number): Promise<void>;
  /** Resolves once the killed broker runs again (restarted by the host, or by us). */
  revive(id: number): Promise<void>;
  close(): Promise<void>;
}

async function embedded(): Promise<Target> {
  const host = new SamsaProcess(['--brokers', '3', '--port', '0', '--memory', '--log-level', 'warn', ...SETS]);
  const bootstrap = await host.ready();
  let killedPid = 0;
  return {
    name: 'embedded quorum (`samsa start --brokers 3 --memory`)',
    bootstrap,
    kill9: async (id) => {
      const pid = host.brokerPids().get(id);
      if (pid === undefined) throw new Error(`no process for broker ${id}`);
      killedPid = pid;
      process.kill(pid, 'SIGKILL');
    },
    revive: async (id) => {
      await until(`the host to restart broker ${id}`, () => {
        const pid = host.brokerPids().get(id);
        return pid !== undefined && pid !== killedPid;
      });
    },
    close: () => host.stop(),
  };
}

async function etcd(): Promise<Target> {
  const server = await startEtcd();
  const url = `etcd://${server.endpoint.replace(/^https?:\/\//, '')}`;
  const args = (id: number, port: number) => [
    '--memory',
    '--port',
    String(port),
    '--log-level',
    'warn',
    '--node-id',
    String(id),
    '--cluster',
    url,
    '--cluster-id',
    'failover-bench',
    '--set',
    `broker.session.timeout.ms=${SESSION_MS}`,
    ...SETS,
  ];
  const procs = [0, 1, 2].map((id) => new SamsaProcess(args(id, 0)));
  const bootstrap = (await Promise.all(procs.map((p) => p.ready()))).map((b) => b[0]!);
  const ports = bootstrap.map((b) => Number(b.slice(b.lastIndexOf(':') + 1)));
  return {
    name: `etcd (three \`samsa start --node-id i --cluster etcd://...\` processes, broker.session.timeout.ms=${SESSION_MS}, lease TTL ${Math.max(1, Math.ceil(SESSION_MS / 1000))} s)`,
    bootstrap,
    kill9: async (id) => {
      const p = procs[id]!;
      p.child.kill('SIGKILL');
    },
    revive: async (id) => {
      await procs[id]!.exited;
      // The same node id on the same port; its old lease has expired (that is what moved the leader).
      for (let attempt = 0; ; attempt++) {
        const p = new SamsaProcess(args(id, ports[id]!));
        procs[id] = p;
        try {
          await p.ready();
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await sleep(500);
        }
      }
    },
    close: async () => {
      await Promise.all(procs.map((p) => p.stop()));
      await server.close();
    },
  };
}

async function fullIsr(client: ClusterClient): Promise<{ leader: number; controller: number; partition: number }> {
  return until(
    'three brokers and full ISRs',
    async () => {
      const md = await client.metadata(TOPIC);
      const all = [...md.partitions.values()];
      if (md.brokers.length !== 3 || all.length !== PARTITIONS || all.some((p) => p.leader < 0 || p.isr.length !== 3)) return null;
      // The partition to measure: 0, or the one the controller leads.
      const partition = VICTIM === 'controller' ? [...md.partitions.entries()].find(([, p]) => p.leader === md.controller)?.[0] : 0;
      if (partition === undefined) return null;
      const st = md.partitions.get(partition)!;
      // Every broker reachable, and the leader takes an acks=all write.
      for (const id of md.brokers) await client.metadata(TOPIC, id);
      const code = await client.produce(st.leader, TOPIC, partition, BATCH, -1);
      return code === 0 ? { leader: st.leader, controller: md.controller, partition } : null;
    },
    60_000,
    50,
  );
}

async function measure(target: Target): Promise<Kill[]> {
  const client = new ClusterClient(target.bootstrap);
  await until('the cluster to accept CreateTopics', () => client.createTopic(TOPIC, PARTITIONS, 3, { 'min.insync.replicas': '2' }).then(() => true));
  const kills: Kill[] = [];
  try {
    for (let k = 0; k < KILLS; k++) {
      const { leader: victim, controller, partition } = await fullIsr(client);
      const survivors = [0, 1, 2].filter((id) => id !== victim);
      const errors: Record<string, number> = {};
      const note = (what: string) => (errors[what] = (errors[what] ?? 0) + 1);
      const t0 = performance.now();
      await target.kill9(victim);
      let tries = 0;
      let result: Kill | null = null;
      while (!result) {
        if (performance.now() - t0 > 60_000) throw new Error(`no acknowledged write 60 s after killing broker ${victim}: ${JSON.stringify(errors)}`);
        const via = survivors[tries++ % survivors.length]!;
        try {
          const st = (await client.metadata(TOPIC, via)).partitions.get(partition);
          if (st && st.leader >= 0 && st.leader !== victim) {
            const code = await client.produce(st.leader, TOPIC, partition, BATCH, -1);
            if (code === 0)
              result = {
                victim,
                wasController: controller === victim,
                newLeader: st.leader,
                epoch: st.epoch,
                ms: performance.now() - t0,
                metadataTries: tries,
                errors,
              };
            else note(errorInfo(code)?.name ?? `error ${code}`);
          }
        } catch (err) {
          note((err as Error).message.replace(/\d+/g, 'N').slice(0, 60));
        }
        if (!result) await sleep(POLL_MS);
      }
      client.forget(victim);
      kills.push(result);
      process.stderr.write(
        `  kill ${k + 1}/${KILLS}: broker ${victim}${result.wasController ? ' (controller)' : ''} -> leader ${result.newLeader} epoch ${result.epoch} in ${result.ms.toFixed(0)} ms ${JSON.stringify(errors)}\n`,
      );
      await target.revive(victim);
    }
  } finally {
    client.close();
  }
  return kills;
}

function report(name: string, kills: Kill[]): string {
  const ms = kills.map((k) => k.ms).sort((a, b) => a - b);
  const errs: Record<string, number> = {};
  for (const k of kills) for (const [e, n] of Object.entries(k.errors)) errs[e] = (errs[e] ?? 0) + n;
  const lines = [
    `### ${name}`,
    '',
    `kills: ${kills.length}; kill -9 → first acknowledged acks=all write on the new leader: **p50 ${percentile(ms, 0.5).toFixed(0)} ms, max ${ms[ms.length - 1]!.toFixed(0)} ms** (min ${ms[0]!.toFixed(0)} ms, p90 ${percentile(ms, 0.9).toFixed(0)} ms)`,
    `controller killed in ${kills.filter((k) => k.wasController).length} of them; errors seen on the way (all kills): ${JSON.stringify(errs)}`,
    '',
    '| kill | victim | new leader (epoch) | ms | metadata asks |',
    '|---|---|---|---|---|',
    ...kills.map(
      (k, i) => `| ${i + 1} | ${k.victim}${k.wasController ? ' (controller)' : ''} | ${k.newLeader} (${k.epoch}) | ${k.ms.toFixed(0)} | ${k.metadataTries} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

const cmd = `node --import tsx bench/cluster/failover.ts --kills ${KILLS} --modes ${values.modes} --session-timeout-ms ${SESSION_MS} --poll-ms ${POLL_MS} --victim ${VICTIM}${(values.set ?? []).map((kv) => ` --set ${kv}`).join('')}`;
const out: string[] = [`reproduce: ${cmd}`, `load average before: ${load()}`, ''];
for (const mode of values.modes!.split(',')) {
  const target = mode === 'etcd' ? await etcd() : mode === 'embedded' ? await embedded() : null;
  if (!target) throw new Error(`unknown mode ${mode}`);
  process.stderr.write(`${target.name}\n`);
  try {
    out.push(report(target.name, await measure(target)));
  } finally {
    await target.close();
  }
  out.push(`load average after: ${load()}`, '');
}
process.stdout.write(`${out.join('\n')}\n`);
process.exit(0);
