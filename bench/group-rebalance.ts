// Classic group rebalance latency against a separate samsa process, with samsa's own client
// speaking the raw protocol (10 members, one connection each):
//   (a) join: from the first JoinGroup of 10 members starting together to all 10 holding their
//       SyncGroup assignment (JoinGroup v9 with MEMBER_ID_REQUIRED, so two JoinGroups each);
//   (b) leave: from one member's LeaveGroup to the other 9 holding assignments of the next
//       generation (they learn of the rebalance from a Heartbeat answering REBALANCE_IN_PROGRESS,
//       so the heartbeat interval, BENCH_HEARTBEAT_MS, is part of this number).
// Goal: <= 100 ms each at samsa's default group.initial.rebalance.delay.ms=0. For scale: Kafka's
// consumer perf tool spent 4.1 s in rebalances here (its 3 s initial delay plus heartbeats).
// Floor, same run: the median ApiVersions round trip on the same connections; (a) needs at least
// three round trips per member (JoinGroup, JoinGroup, SyncGroup), (b) a heartbeat wait plus two.
//
// Reproduce: npm run build && npx tsx bench/group-rebalance.ts
// Knobs: BENCH_ROUNDS (20), BENCH_MEMBERS (10), BENCH_PARTITIONS (30), BENCH_HEARTBEAT_MS (10),
// BENCH_MODES (memory,disk), BENCH_JSON=1.
import { ClientConnection } from '../src/client/connection.js';
import { JoinGroupRequest } from '../src/protocol/generated/join-group-request.js';
import { JoinGroupResponse } from '../src/protocol/generated/join-group-response.js';
import { SyncGroupRequest } from '../src/protocol/generated/sync-group-request.js';
import { SyncGroupResponse } from '../src/protocol/generated/sync-group-response.js';
import { HeartbeatRequest } from '../src/protocol/generated/heartbeat-request.js';
import { HeartbeatResponse } from '../src/protocol/generated/heartbeat-response.js';
import { LeaveGroupRequest } from '../src/protocol/generated/leave-group-request.js';
import { LeaveGroupResponse } from '../src/protocol/generated/leave-group-response.js';
import { DescribeGroupsRequest } from '../src/protocol/generated/describe-groups-request.js';
import { DescribeGroupsResponse } from '../src/protocol/generated/describe-groups-response.js';
import { ApiVersionsRequest } from '../src/protocol/generated/api-versions-request.js';
import { FindCoordinatorRequest } from '../src/protocol/generated/find-coordinator-request.js';
import { FindCoordinatorResponse } from '../src/protocol/generated/find-coordinator-response.js';
import { ApiVersionsResponse } from '../src/protocol/generated/api-versions-response.js';
import { encodeAssignment, encodeSubscription } from '../src/coordinator/classic/consumer-protocol.js';
import { startSamsa } from './lib/samsa.js';
import { createTopic } from './lib/kafka.js';
import { env, envList, fmt, json, sleep, table } from './lib/report.js';
import { cpus, totalmem } from 'node:os';

const ROUNDS = env('BENCH_ROUNDS', 20);
const MEMBERS = env('BENCH_MEMBERS', 10);
const PARTITIONS = env('BENCH_PARTITIONS', 30);
const HEARTBEAT_MS = env('BENCH_HEARTBEAT_MS', 10);
const MODES = envList('BENCH_MODES', ['memory', 'disk']) as Array<'memory' | 'disk'>;
const TOPIC = 'rebalance-topic';
const REBALANCE_IN_PROGRESS = 27;
const MEMBER_ID_REQUIRED = 79;

class Member {
  memberId = '';
  generation = -1;
  assigned = -1; // generation of the assignment held
  private stopped = false;
  onAssigned: (() => void) | null = null;

  constructor(
    readonly conn: ClientConnection,
    readonly groupId: string,
  ) {}

  async join(): Promise<void> {
    for (;;) {
      const j = await this.conn.send(JoinGroupRequest, JoinGroupResponse, 9, {
        groupId: this.groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription([TOPIC]) }],
        reason: null,
      });
      if (j.errorCode === MEMBER_ID_REQUIRED) {
        this.memberId = j.memberId;
        continue;
      }
      if (j.errorCode !== 0) throw new Error(`JoinGroup: error ${j.errorCode}`);
      this.memberId = j.memberId;
      this.generation = j.generationId;
      // The leader assigns the partitions round robin over the members.
      const assignments = j.members.map((m, i) => ({
        memberId: m.memberId,
        assignment: encodeAssignment([{ topic: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => p % j.members.length === i) }]),
      }));
      const s = await this.conn.send(SyncGroupRequest, SyncGroupResponse, 5, {
        groupId: this.groupId,
        generationId: j.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: 'range',
        assignments,
      });
      if (s.errorCode === REBALANCE_IN_PROGRESS) continue;
      if (s.errorCode !== 0) throw new Error(`SyncGroup: error ${s.errorCode}`);
      this.assigned = j.generationId;
      this.onAssigned?.();
      return;
    }
  }

  /** Heartbeats every HEARTBEAT_MS; rejoins when the group rebalances. */
  async heartbeatLoop(): Promise<void> {
    while (!this.stopped) {
      await sleep(HEARTBEAT_MS);
      if (this.stopped) return;
      const h = await this.conn
        .send(HeartbeatRequest, HeartbeatResponse, 4, { groupId: this.groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null })
        .catch(() => null);
      if (h?.errorCode === REBALANCE_IN_PROGRESS && !this.stopped) await this.join();
    }
  }

  async leave(): Promise<void> {
    this.stopped = true;
    await this.conn.send(LeaveGroupRequest, LeaveGroupResponse, 5, {
      groupId: this.groupId,
      members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'bench' }],
    });
  }

  stop(): void {
    this.stopped = true;
  }
}

function stats(xs: number[]): { min: number; p50: number; p90: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { min: s[0]!, p50: at(0.5), p90: at(0.9), max: s[s.length - 1]! };
}

async function rtt(c: ClientConnection): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await c.send(ApiVersionsRequest, ApiVersionsResponse, 3, { clientSoftwareName: 'bench', clientSoftwareVersion: '0' });
    xs.push(performance.now() - t);
  }
  return stats(xs).p50;
}

async function runMode(mode: 'memory' | 'disk') {
  const samsa = await startSamsa({ storage: mode });
  try {
    await createTopic(samsa.port, TOPIC, {}, PARTITIONS);
    const conns = await Promise.all(
      Array.from({ length: MEMBERS }, async (_, i) => {
        const c = await ClientConnection.connect('127.0.0.1', samsa.port, { clientId: `bench-member-${i}` });
        await c.negotiate();
        return c;
      }),
    );
    const floor = await rtt(conns[0]!);
    // The first group lookup creates __consumer_offsets (offsets.topic.num.partitions=50
    // partitions): a one-off cost, reported apart from the rounds.
    const tc = performance.now();
    const fc = await conns[0]!.send(FindCoordinatorRequest, FindCoordinatorResponse, 4, { keyType: 0, coordinatorKeys: ['bench'] });
    if (fc.coordinators[0]?.errorCode !== 0) throw new Error(`FindCoordinator: error ${fc.coordinators[0]?.errorCode}`);
    const createOffsetsTopic = performance.now() - tc;
    const joins: number[] = [];
    const leaves: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const groupId = `bench-group-${mode}-${round}`;
      const members = conns.map((c) => new Member(c, groupId));
      const t0 = performance.now();
      await Promise.all(members.map((m) => m.join()));
      joins.push(performance.now() - t0);
      const first = members[0]!.assigned;
      if (!members.every((m) => m.assigned === first)) throw new Error(`round ${round}: members ended in different generations`);
      const loops = members.map((m) => m.heartbeatLoop());
      const stay = members.slice(0, -1);
      const done = new Promise<void>((resolve) => {
        const check = () => stay.every((m) => m.assigned > first) && resolve();
        for (const m of stay) m.onAssigned = check;
      });
      const t1 = performance.now();
      await members[MEMBERS - 1]!.leave();
      await done;
      leaves.push(performance.now() - t1);
      for (const m of members) m.stop();
      await Promise.all(loops);
      const d = await conns[0]!.send(DescribeGroupsRequest, DescribeGroupsResponse, 5, { groups: [groupId], includeAuthorizedOperations: false });
      const g = d.groups[0]!;
      if (g.groupState !== 'Stable' || g.members.length !== MEMBERS - 1)
        throw new Error(`round ${round}: group is ${g.groupState} with ${g.members.length} members`);
      await Promise.all(stay.map((m) => m.leave()));
    }
    for (const c of conns) c.close();
    return { mode, floor, createOffsetsTopic, join: stats(joins), leave: stats(leaves) };
  } finally {
    await samsa.destroy();
  }
}

console.log('# classic group rebalance: 10 members, raw protocol, separate samsa process');
console.log(
  `# ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpus()[0]?.model ?? '?'})  ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
const vars = Object.entries(process.env)
  .filter(([k]) => k.startsWith('BENCH_'))
  .map(([k, v]) => `${k}=${v} `)
  .join('');
console.log(`# reproduce: npm run build && ${vars}npx tsx bench/group-rebalance.ts`);
console.log(
  `# ${MEMBERS} members, ${PARTITIONS} partitions, ${ROUNDS} rounds per mode, heartbeat every ${HEARTBEAT_MS} ms, group.initial.rebalance.delay.ms=0 (samsa default)\n`,
);
const results = [];
for (const mode of MODES) results.push(await runMode(mode));
table(
  ['mode', 'phase', 'min ms', 'p50 ms', 'p90 ms', 'max ms', 'floor (ApiVersions RTT p50) ms'],
  results.flatMap((r) => [
    [r.mode, `join ${MEMBERS} -> all assigned`, fmt(r.join.min, 1), fmt(r.join.p50, 1), fmt(r.join.p90, 1), fmt(r.join.max, 1), fmt(r.floor, 2)],
    [r.mode, `1 leaves -> ${MEMBERS - 1} reassigned`, fmt(r.leave.min, 1), fmt(r.leave.p50, 1), fmt(r.leave.p90, 1), fmt(r.leave.max, 1), fmt(r.floor, 2)],
  ]),
);
for (const r of results)
  console.log(
    `${r.mode}: the first FindCoordinator, which creates __consumer_offsets (50 partitions), took ${fmt(r.createOffsetsTopic, 1)} ms (not in the rounds)`,
  );
const worst = Math.max(...results.map((r) => Math.max(r.join.p50, r.leave.p50)));
console.log(`\ngoal <= 100 ms each (p50): ${worst <= 100 ? 'met' : 'NOT met'} (worst p50 ${fmt(worst, 1)} ms)`);
json({ bench: 'group-rebalance', members: MEMBERS, partitions: PARTITIONS, heartbeatMs: HEARTBEAT_MS, results });
