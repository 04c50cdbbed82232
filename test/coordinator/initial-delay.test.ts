// group.initial.rebalance.delay.ms: with Kafka's delay (here 300 ms) the first rebalance of a new
// group waits, and waits once more for every member that joins meanwhile (bounded by the
// rebalance timeout), so members starting a little apart share the first generation. samsa's
// default (0) completes as soon as every known member has joined.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { connect, joinFully, sleep } from './helpers.js';

let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent', config: { 'group.initial.rebalance.delay.ms': 300 } });
});

test.after(async () => {
  await broker.close();
});

test('members joining during the delay land in the first generation', async () => {
  const a = await connect(broker.bootstrap, 'a');
  const b = await connect(broker.bootstrap, 'b');
  const started = Date.now();
  const first = joinFully(a, 'delayed', { rebalanceTimeoutMs: 5000 });
  await sleep(100);
  const second = joinFully(b, 'delayed', { rebalanceTimeoutMs: 5000 });
  const [ja, jb] = await Promise.all([first, second]);
  const took = Date.now() - started;
  assert.is(ja.errorCode, 0);
  assert.is(jb.errorCode, 0);
  assert.is(ja.generationId, 1);
  assert.is(jb.generationId, 1);
  assert.is(ja.leader, jb.leader);
  assert.ok(took >= 550, `the delay was extended once for the second member (${took} ms)`);
  a.close();
  b.close();
});

test('the delay is not extended past the rebalance timeout', async () => {
  const a = await connect(broker.bootstrap, 'c');
  const b = await connect(broker.bootstrap, 'd');
  const started = Date.now();
  const first = joinFully(a, 'short', { rebalanceTimeoutMs: 100 });
  await sleep(100);
  const [ja, jb] = await Promise.all([first, joinFully(b, 'short', { rebalanceTimeoutMs: 100 })]);
  const took = Date.now() - started;
  assert.equal([ja.generationId, jb.generationId], [1, 1]);
  assert.ok(took >= 280 && took < 550, `one delay, no extension (${took} ms)`);
  a.close();
  b.close();
});

test.run();
