// group.initial.rebalance.delay.ms: with Kafka's delay (here 1000 ms) the first rebalance of a new
// group waits, and waits once more for every member that joins meanwhile (bounded by the
// rebalance timeout), so members starting a little apart share the first generation. samsa's
// default (0) completes as soon as every known member has joined.
// The sleeps below are the behaviour under test (a member joining inside the delay, the first
// delay running out); what is asserted is the group's state, not how long anything took.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { GroupState } from '../../src/coordinator/coordinator.js';
import { waitFor } from '../groups/helpers.js';
import { connect, joinFully, sleep } from './helpers.js';

const DELAY_MS = 1000;
let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.initial.rebalance.delay.ms': DELAY_MS } });
});

test.after(async () => {
  await broker.close();
});

const group = (id: string) => broker.coordinator.group(id);

/** Waits until `n` members have joined the group (their JoinGroup is parked in the delay). */
const joined = (id: string, n: number) =>
  waitFor(
    () => (group(id)?.members.size ?? 0) >= n,
    10_000,
    () => `${n} members in ${id}: ${group(id)?.members.size ?? 0}`,
  );

test('members joining during the delay land in the first generation', async () => {
  const a = await connect(broker.bootstrap, 'a');
  const b = await connect(broker.bootstrap, 'b');
  const first = joinFully(a, 'delayed', { rebalanceTimeoutMs: 10_000 });
  await joined('delayed', 1);
  await sleep(DELAY_MS * 0.4); // inside the first delay
  const second = joinFully(b, 'delayed', { rebalanceTimeoutMs: 10_000 });
  await joined('delayed', 2);
  await sleep(DELAY_MS); // the first delay ran out; the second member extended it
  assert.is(group('delayed')?.state, GroupState.PreparingRebalance, 'the delay was extended for the second member');
  assert.is(group('delayed')?.generationId, 0);
  const [ja, jb] = await Promise.all([first, second]);
  assert.is(ja.errorCode, 0);
  assert.is(jb.errorCode, 0);
  assert.is(ja.generationId, 1);
  assert.is(jb.generationId, 1);
  assert.is(ja.leader, jb.leader);
  a.close();
  b.close();
});

test('the delay is not extended past the rebalance timeout', async () => {
  const a = await connect(broker.bootstrap, 'c');
  const b = await connect(broker.bootstrap, 'd');
  // A rebalance timeout of one delay leaves nothing to extend by.
  const first = joinFully(a, 'short', { rebalanceTimeoutMs: DELAY_MS });
  await joined('short', 1);
  await sleep(DELAY_MS * 0.4);
  const second = joinFully(b, 'short', { rebalanceTimeoutMs: DELAY_MS });
  await joined('short', 2);
  await sleep(DELAY_MS);
  // Generation 1 is there (a sync timeout may since have started another rebalance, never a generation).
  assert.is(group('short')?.generationId, 1, 'the join phase ended with the first delay');
  const [ja, jb] = await Promise.all([first, second]);
  assert.equal([ja.generationId, jb.generationId], [1, 1]);
  a.close();
  b.close();
});

test.run();
