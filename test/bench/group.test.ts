// `samsa bench consume --group`: bench processes as members of one classic consumer group against a
// real broker: disjoint range assignments per generation, every record consumed once across the
// members (offsets handed over by commits at each rebalance), committed offsets at the log end
// afterwards (`samsa groups describe`), and a later member resuming from the committed offsets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { endOffsets } from '../../src/bench/session.js';
import { parseBootstrap } from '../../src/cli/topics/options.js';
import { samsa, type Run } from './helpers.js';
import type { BenchResult, GroupResult } from '../../src/bench/types.js';

let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});
test.after(async () => {
  await broker.close();
});

const sum = (m: Map<number, number>) => [...m.values()].reduce((a, x) => a + x, 0);
const ends = (topic: string, on = broker) => endOffsets(parseBootstrap(on.bootstrap, ''), 10_000, topic);

function parse(r: Run, what: string): BenchResult {
  assert.is(r.code, 0, `${what}: ${r.stderr}`);
  return JSON.parse(r.stdout) as BenchResult;
}

async function produce(topic: string, records: number, create = false, on = broker): Promise<void> {
  const r = await samsa(
    'bench',
    'produce',
    '--bootstrap',
    on.bootstrap,
    '--topic',
    topic,
    ...(create ? ['--create-topic', '--partitions', '4'] : []),
    '--records',
    String(records),
    '--batch-size',
    '2048',
    '--json',
  );
  assert.is(parse(r, 'produce').records, records);
}

/** Generations both members were in must split the partitions between them, all of them. */
function assertDisjoint(a: GroupResult, b: GroupResult, partitions: number): number {
  let common = 0;
  for (const ga of a.generations) {
    const gb = b.generations.find((g) => g.generationId === ga.generationId);
    if (!gb) continue;
    common++;
    const both = ga.partitions.filter((p) => gb.partitions.includes(p));
    assert.equal(both, [], `generation ${ga.generationId}: ${ga.partitions} and ${gb.partitions} overlap`);
    assert.equal(
      [...ga.partitions, ...gb.partitions].sort((x, y) => x - y),
      Array.from({ length: partitions }, (_, i) => i),
      `generation ${ga.generationId} assigns every partition`,
    );
    assert.ok(ga.leader !== gb.leader, 'one leader per generation');
  }
  return common;
}

/** `samsa groups describe`: per partition, CURRENT-OFFSET and LOG-END-OFFSET. */
async function describe(group: string, on = broker): Promise<{ state: string; rows: Map<number, { current: string; end: string }> }> {
  const r = await samsa('groups', 'describe', group, '--bootstrap', on.bootstrap);
  assert.is(r.code, 0, r.stderr);
  const state = /State: (\w+)/.exec(r.stdout)?.[1] ?? '?';
  const rows = new Map<number, { current: string; end: string }>();
  for (const line of r.stdout.split('\n')) {
    const c = line.trim().split(/\s+/);
    if (c[0] === group && c.length >= 6 && /^\d+$/.test(c[2]!)) rows.set(Number(c[2]), { current: c[3]!, end: c[4]! });
  }
  return { state, rows };
}

test('two members started together: disjoint partitions, every record consumed once, offsets committed at the end', async () => {
  // Kafka's default initial rebalance delay (samsa's is 0), so members started together tend to join one generation.
  const b3 = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.initial.rebalance.delay.ms': 3000 } });
  try {
    await produce('gt1', 20_000, true, b3);
    const end = await ends('gt1', b3);
    assert.is(sum(end), 20_000);
    // Each stays 8 s after its first assignment: long enough that the two overlap even if one starts late.
    const args = [
      'bench',
      'consume',
      '--bootstrap',
      b3.bootstrap,
      '--topic',
      'gt1',
      '--group',
      'g1',
      '--duration',
      '8s',
      '--session-timeout-ms',
      '6000',
      '--json',
    ];
    const [a, b] = (await Promise.all([samsa(...args), samsa(...args)])).map((r, i) => parse(r, `member ${i}`)) as [BenchResult, BenchResult];
    assert.is(a.records + b.records, 20_000, `${a.records} + ${b.records}`);
    assert.ok(a.group && b.group, 'the result names the group');
    assert.is(a.group.groupId, 'g1');
    assert.is.not(a.group.memberId, b.group.memberId);
    assert.ok(assertDisjoint(a.group, b.group, 4) >= 1, 'the two were in one generation together');
    assert.equal({ ...a.errors, ...b.errors }, {});
    const d = await describe('g1', b3);
    assert.is(d.state, 'Empty', 'both left');
    assert.is(d.rows.size, 4);
    for (const [p, row] of d.rows) assert.equal(row, { current: String(end.get(p)), end: String(end.get(p)) }, `partition ${p}`);
  } finally {
    await b3.close();
  }
});

test('a member rejoins on REBALANCE_IN_PROGRESS: hands partitions over with a commit and takes them back', async () => {
  await produce('gt2', 4000, true);
  // A wants 8000 records: it reads the first 4000 and waits for more.
  const aRun = samsa(
    'bench',
    'consume',
    '--bootstrap',
    broker.bootstrap,
    '--topic',
    'gt2',
    '--group',
    'g2',
    '--records',
    '8000',
    '--session-timeout-ms',
    '6000',
    '--json',
  );
  // Its periodic commit shows it has read them all.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const d = await describe('g2').catch(() => null);
    if (d && d.state === 'Stable' && d.rows.size === 4 && [...d.rows.values()].reduce((x, r) => x + (Number(r.current) || 0), 0) === 4000) break;
    assert.ok(Date.now() < deadline, 'member A committed 4000 records');
    await new Promise((r) => setTimeout(r, 200));
  }
  // B joins: A must stop, commit and rejoin; B's partitions start at A's commits, so B reads nothing and leaves.
  const b = parse(await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--topic', 'gt2', '--group', 'g2', '--json'), 'member B');
  assert.is(b.records, 0);
  assert.ok(b.group && b.group.generations.length >= 1);
  assert.is(b.group.partitions.length, 2, `range gives B two of four partitions: ${b.group.partitions}`);
  await produce('gt2', 4000);
  const a = parse(await aRun, 'member A');
  assert.is(a.records, 8000);
  assert.ok(a.group);
  assert.ok(a.group.generations.length >= 3, `A joined, rejoined for B, rejoined after B left: ${JSON.stringify(a.group.generations)}`);
  assert.is(assertDisjoint(a.group, b.group, 4), 1);
  assert.equal(a.group.generations.at(-1)!.partitions, [0, 1, 2, 3]);
  const end = await ends('gt2');
  assert.equal(a.group.committed, Object.fromEntries([...end].map(([p, o]) => [String(p), o])));
  assert.equal({ ...a.errors, ...b.errors }, {});
});

test('a member resumes from the committed offsets; --from applies only without a commit', async () => {
  // g2 committed gt2 at the log end: nothing new to read.
  const again = parse(await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--topic', 'gt2', '--group', 'g2', '--json'), 'resume');
  assert.is(again.records, 0);
  await produce('gt2', 500);
  const more = parse(await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--topic', 'gt2', '--group', 'g2', '--json'), 'resume after 500 more');
  assert.is(more.records, 500);
  assert.equal(more.group!.partitions, [0, 1, 2, 3]);
  const end = await ends('gt2');
  assert.is(sum(end), 8500);
  assert.equal(more.group!.committed, Object.fromEntries([...end].map(([p, o]) => [String(p), o])));
  // A new group: latest reads nothing (and commits the log end), earliest everything.
  const fresh = parse(
    await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--topic', 'gt2', '--group', 'g-new', '--from', 'latest', '--json'),
    'from latest',
  );
  assert.is(fresh.records, 0);
  const d = await describe('g-new');
  assert.is(d.rows.size, 4);
  for (const [p, row] of d.rows) assert.is(row.current, String(end.get(p)), `g-new committed its start (the log end) for ${p}`);
  const all = parse(await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--topic', 'gt2', '--group', 'g-all', '--json'), 'from earliest');
  assert.is(all.records, 8500);
});

test('--group is for consume, and not with --partitions', async () => {
  const r = await samsa('bench', 'produce', '--bootstrap', broker.bootstrap, '--group', 'x');
  assert.is(r.code, 2);
  assert.match(r.stderr, /^samsa: --group is for bench consume/);
  const p = await samsa('bench', 'consume', '--bootstrap', broker.bootstrap, '--group', 'x', '--partitions', '0,1');
  assert.is(p.code, 2);
  assert.match(p.stderr, /leave out --partitions/);
});

test.run();
