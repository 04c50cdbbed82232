// requires: etcd
// The metadata quorum on a real etcd (issue 13): two EtcdQuorum instances play two brokers of one
// cluster. The metadata log keeps one order for both and lets only one of two appends at the same
// end through; a live node id cannot register twice; a broker whose process dies (keepalives stop,
// nothing revoked) drops out when its lease expires and the controller moves to the other; an etcd
// stopped for 10 s and started again loses no session and no record; an etcd that is not there
// is named in the error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Etcd3 } from 'etcd3';
import { EtcdQuorum } from '../../src/cluster/quorum/etcd-quorum.js';
import {
  DuplicateBrokerError,
  QuorumConflictError,
  QuorumUnavailableError,
  type BrokerRegistration,
  type MetadataRecord,
} from '../../src/cluster/quorum/quorum.js';
import type { MetadataChange } from '../../src/cluster/metadata-store.js';
import { startEtcd, type EtcdServer } from './etcd-server.js';

let etcd: EtcdServer;
const open: EtcdQuorum[] = [];

test.before(async () => {
  etcd = await startEtcd();
});
test.after(async () => {
  for (const q of open) await q.close().catch(() => {});
  await etcd?.close();
});

async function quorum(clusterId: string, sessionTimeoutMs = 1000): Promise<EtcdQuorum> {
  const q = await EtcdQuorum.open({ endpoints: [etcd.endpoint], clusterId, sessionTimeoutMs });
  open.push(q);
  return q;
}
const newCluster = () => `test-${randomUUID().slice(0, 8)}`;
const reg = (nodeId: number): BrokerRegistration => ({ nodeId, incarnationId: randomUUID(), host: '127.0.0.1', port: 9092 + nodeId, rack: null });
const change = (n: number): MetadataChange => ({ op: 'producerIds', nextProducerIdBlock: n });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

// A TCP relay in front of etcd that can cut one broker off (its connections reset, new ones
// refused) while etcd itself stays up for the others.
async function relayTo(endpoint: string): Promise<{ endpoint: string; cut(): void; heal(): void; close(): Promise<void> }> {
  const target = new URL(endpoint);
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) return client.destroy();
    const up = connect(Number(target.port), target.hostname);
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        up.destroy();
      });
    }
    client.pipe(up);
    up.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut: () => {
      cut = true;
      for (const s of sockets) s.destroy();
    },
    heal: () => {
      cut = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

// Everything follow() delivers, checked for order and gaps as it arrives.
function collect(q: EtcdQuorum, from = 0): { records: MetadataRecord[]; stop: () => void } {
  const records: MetadataRecord[] = [];
  let expected = from + 1;
  const stop = q.follow(from, (batch) => {
    for (const r of batch) {
      if (r.offset !== expected) throw new Error(`follow delivered offset ${r.offset}, expected ${expected}`);
      expected++;
      records.push(r);
    }
  });
  return { records, stop };
}

test('appends from two brokers reach both followers in one order, without gaps; a late follower starts where it asks', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id), await quorum(id)];
  const fa = collect(a);
  const fb = collect(b);
  let end = 0;
  for (let i = 1; i <= 6; i++) end = await (i % 2 ? a : b).append([change(i)], end);
  end = await a.append([change(7), change(8), change(9)], end);
  assert.is(end, 9);
  await until('both followers at 9', () => fa.records.length === 9 && fb.records.length === 9);
  assert.equal(fa.records, fb.records);
  assert.equal(
    fa.records.map((r) => r.change),
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map(change),
  );
  await until('logEnd 9 on both', () => a.logEnd() === 9 && b.logEnd() === 9);
  const late = collect(b, 4);
  await until('the late follower at 9', () => late.records.length === 5);
  assert.equal(
    late.records.map((r) => r.offset),
    [5, 6, 7, 8, 9],
  );
  fa.stop();
  fb.stop();
  late.stop();
});

test('a follower that starts on a long log reads it in pages, then follows; a batch larger than one etcd transaction is refused whole', async () => {
  const id = newCluster();
  const a = await quorum(id);
  let end = 0;
  for (let i = 0; i < 3; i++)
    end = await a.append(
      Array.from({ length: 100 }, (_, j) => change(i * 100 + j + 1)),
      end,
    );
  const f = collect(a);
  await until('the follower at 300', () => f.records.length === 300);
  end = await a.append([change(301)], end);
  await until('the follower at 301', () => f.records.length === 301);
  assert.equal(
    f.records.map((r) => r.change),
    Array.from({ length: 301 }, (_, i) => change(i + 1)),
  );
  const err = await a
    .append(
      Array.from({ length: 200 }, (_, j) => change(j)),
      end,
    )
    .catch((e) => e);
  assert.instance(err, RangeError);
  assert.match(err.message, /at most 128 operations/);
  assert.is(a.logEnd(), 301);
  f.stop();
});

test('two appends at the same log end: exactly one wins, the other learns the new end', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id), await quorum(id)];
  let end = 0;
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([a.append([change(round * 10 + 1)], end), b.append([change(round * 10 + 2), change(round * 10 + 3)], end)]);
    const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<number>[];
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.is(won.length, 1, `round ${round}: ${JSON.stringify(results)}`);
    const [winner] = won;
    const [loser] = lost;
    assert.ok(winner && loser);
    assert.instance(loser.reason, QuorumConflictError);
    assert.is((loser.reason as QuorumConflictError).logEnd, winner.value);
    end = winner.value;
  }
  // A stale writer is refused too, with the end it must catch up to.
  const err = await a.append([change(99)], 1).catch((e) => e);
  assert.instance(err, QuorumConflictError);
  assert.is(err.logEnd, end);
  const f = collect(a);
  await until('the follower at the end', () => f.records.length === end);
  f.stop();
});

test('a node id that is live cannot register again; once its session (or its quorum) closes it can', async () => {
  const id = newCluster();
  // Leases of 30 s: only a revocation frees the node id within the waits.
  const [a, b] = [await quorum(id, 30_000), await quorum(id, 30_000)];
  const s1 = await a.register(reg(1));
  const err = await b.register(reg(1)).catch((e) => e);
  assert.instance(err, DuplicateBrokerError);
  assert.match(err.message, /node\.id 1/);
  assert.instance(await a.register(reg(1)).catch((e) => e), DuplicateBrokerError);
  await until('b sees broker 1', () => b.liveBrokers().some((r) => r.nodeId === 1));
  await s1.close();
  await until('broker 1 gone', () => b.liveBrokers().length === 0);
  await b.register(reg(1));
  await until(
    'a sees broker 1 again',
    () =>
      a
        .liveBrokers()
        .map((r) => r.nodeId)
        .join() === '1',
  );
  // Closing the quorum ends its sessions (leases revoked), not just its connection.
  await b.close();
  await until('broker 1 gone once b closed', () => a.liveBrokers().length === 0);
});

test('a broker that dies without a word drops out when its lease expires; the controller moves to the other; the other keeps its session', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id), await quorum(id)];
  const sa = await a.register(reg(1));
  let aLost = false;
  sa.onLost(() => (aLost = true));
  const aCtl: boolean[] = [];
  a.campaign(1, (c) => aCtl.push(c));
  await until('a is controller', () => aCtl.join() === 'true');
  const sb = await b.register(reg(2));
  let bLost = false;
  sb.onLost(() => (bLost = true));
  const bCtl: boolean[] = [];
  b.campaign(2, (c) => bCtl.push(c));
  await until('both see brokers 1 and 2, controller 1', () =>
    [a, b].every(
      (q) =>
        q
          .liveBrokers()
          .map((r) => r.nodeId)
          .join() === '1,2' && q.controllerId() === 1,
    ),
  );
  assert.equal(bCtl, []);

  a.abandon(); // keepalives stop, the etcd client closes, nothing revoked
  await until(
    'b sees broker 1 gone',
    () =>
      b
        .liveBrokers()
        .map((r) => r.nodeId)
        .join() === '2',
  );
  await until('b is controller', () => bCtl.join() === 'true' && b.controllerId() === 2);
  assert.is(bLost, false);
  assert.is(aLost, false); // abandoned, not lost: that process is gone
  await sb.close();
  await until('broker 2 gone after close', () => b.liveBrokers().length === 0);
  assert.equal(bCtl, [true, false]);
});

test('a controller that resigns hands over at once; an ended session cannot stay controller', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id, 30_000), await quorum(id, 30_000)];
  await a.register(reg(1));
  const sb = await b.register(reg(2));
  const aCtl: boolean[] = [];
  const bCtl: boolean[] = [];
  const stopA = a.campaign(1, (c) => aCtl.push(c));
  await until('a is controller', () => aCtl.join() === 'true');
  b.campaign(2, (c) => bCtl.push(c));
  await until('b sees controller 1', () => b.controllerId() === 1);
  // Leases of 30 s: only the resignation can hand over within the wait.
  stopA();
  await until('b is controller', () => bCtl.join() === 'true' && a.controllerId() === 2, 5000);
  await sb.close();
  await until('b no longer controller', () => bCtl.join() === 'true,false' && a.controllerId() === null, 5000);
  assert.equal(aCtl, [true]);
});

test('a session whose lease etcd ends (revoked from outside) is lost: onLost fires, the controller steps down, the broker is gone', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id, 30_000), await quorum(id, 30_000)];
  const sa = await a.register(reg(1));
  let lost = 0;
  sa.onLost(() => lost++);
  const aCtl: boolean[] = [];
  a.campaign(1, (c) => aCtl.push(c));
  await until('a is controller', () => aCtl.join() === 'true' && b.controllerId() === 1);
  // An operator (or etcd itself at expiry) ends the lease: etcdctl lease revoke, on another client.
  const other = new Etcd3({ hosts: etcd.endpoint });
  try {
    const kv = (await other.get(`/samsa/${id}/brokers/1`).exec()).kvs[0];
    assert.ok(kv && kv.lease !== '0', 'the registration is under a lease');
    await other.leaseClient.leaseRevoke({ ID: kv.lease });
  } finally {
    other.close();
  }
  await until('onLost fired and the controller stepped down', () => lost === 1 && aCtl.join() === 'true,false', 5000);
  await until('b sees no broker and no controller', () => b.liveBrokers().length === 0 && b.controllerId() === null, 5000);
  // Lost is final for that session; the node can register anew.
  const again = await a.register(reg(1));
  await until('a is controller again', () => aCtl.join() === 'true,false,true', 5000);
  assert.is(lost, 1);
  await again.close();
});

test('a controller key already under our own lease (an attempt whose answer etcd never sent) is ours', async () => {
  const id = newCluster();
  const a = await quorum(id, 30_000);
  await a.register(reg(1));
  // What a campaign leaves when etcd commits its create and goes away before answering.
  const other = new Etcd3({ hosts: etcd.endpoint });
  try {
    const kv = (await other.get(`/samsa/${id}/brokers/1`).exec()).kvs[0];
    assert.ok(kv);
    await other
      .put(`/samsa/${id}/controller`)
      .value(JSON.stringify({ nodeId: 1 }))
      .lease(kv.lease);
  } finally {
    other.close();
  }
  await until('the cache sees controller 1', () => a.controllerId() === 1);
  const aCtl: boolean[] = [];
  a.campaign(1, (c) => aCtl.push(c));
  await until('a is controller', () => aCtl.join() === 'true', 5000);
});

test('a broker cut off from etcd past its TTL: the others see it gone; back in touch it learns its session is lost, and its follower reads past a compacted history', async () => {
  const id = newCluster();
  const relay = await relayTo(etcd.endpoint);
  try {
    const a = await quorum(id);
    const b = await EtcdQuorum.open({ endpoints: [relay.endpoint], clusterId: id, sessionTimeoutMs: 1000 });
    open.push(b);
    await a.register(reg(1));
    const sb = await b.register(reg(2));
    let bLost = 0;
    sb.onLost(() => bLost++);
    const fb = collect(b);
    let end = await a.append([change(1)], 0);
    await until('b follows record 1 and sees brokers 1 and 2', () => fb.records.length === 1 && b.liveBrokers().length === 2);

    relay.cut();
    await until(
      'a sees broker 2 gone',
      () =>
        a
          .liveBrokers()
          .map((r) => r.nodeId)
          .join() === '1',
    );
    assert.is(bLost, 0); // b cannot know yet: etcd is unreachable for it, nothing more
    assert.is(b.liveBrokers().length, 2);
    for (let i = 2; i <= 4; i++) end = await a.append([change(i)], end);
    // History b's watches would resume from is compacted away: they are cancelled on reconnect.
    const other = new Etcd3({ hosts: etcd.endpoint });
    try {
      const rev = (await other.get(`/samsa/${id}/log/end`).exec()).header.revision;
      await other.kv.compact({ revision: rev, physical: true });
    } finally {
      other.close();
    }
    relay.heal();
    await until('b learns its session is lost', () => bLost === 1, 15_000);
    await until('b follows records 2-4', () => fb.records.length === 4, 15_000);
    assert.equal(
      fb.records.map((r) => r.change),
      [1, 2, 3, 4].map(change),
    );
    await until(
      'b sees only broker 1',
      () =>
        b
          .liveBrokers()
          .map((r) => r.nodeId)
          .join() === '1',
      15_000,
    );
    fb.stop();
  } finally {
    await relay.close();
  }
});

test('etcd stopped for 10 s and started again: sessions and the controller survive, appends resume, follow has no gap', async () => {
  const id = newCluster();
  const [a, b] = [await quorum(id, 2000), await quorum(id, 2000)];
  const sa = await a.register(reg(1));
  const sb = await b.register(reg(2));
  let lost = 0;
  sa.onLost(() => lost++);
  sb.onLost(() => lost++);
  const aCtl: boolean[] = [];
  a.campaign(1, (c) => aCtl.push(c));
  await until('a is controller', () => aCtl.join() === 'true');
  b.campaign(2, () => {});
  await until('b sees controller 1', () => b.controllerId() === 1);
  const fa = collect(a);
  const fb = collect(b);
  let end = 0;
  for (let i = 1; i <= 3; i++) end = await a.append([change(i)], end);

  await etcd.stop();
  const err = await b.append([change(100)], end).catch((e) => e);
  assert.instance(err, QuorumUnavailableError);
  assert.match(err.message, etcd.endpoint);
  await sleep(10_000); // the outage itself: five lease TTLs
  assert.is(lost, 0);
  assert.equal(aCtl, [true]);
  assert.is(a.liveBrokers().length, 2);
  await etcd.restart();

  // The first append after the restart may still find the connection down: retry until it is up.
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      end = await b.append([change(4)], end);
      break;
    } catch (e) {
      if (!(e instanceof QuorumUnavailableError) || Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
  await a.append([change(5), change(6)], end);
  await until('both followers at 6', () => fa.records.length === 6 && fb.records.length === 6, 15_000);
  assert.equal(
    fa.records.map((r) => r.change),
    [1, 2, 3, 4, 5, 6].map(change),
  );
  assert.equal(fb.records, fa.records);
  // The leases live on: two more TTLs later both brokers are registered, nobody lost a session.
  const watchUntil = Date.now() + 5000;
  while (Date.now() < watchUntil) {
    for (const q of [a, b])
      assert.is(
        q
          .liveBrokers()
          .map((r) => r.nodeId)
          .join(),
        '1,2',
      );
    await sleep(100);
  }
  assert.is(lost, 0);
  assert.equal(aCtl, [true]);
  assert.is(b.controllerId(), 1);
  fa.stop();
  fb.stop();
});

test('an etcd that is not there: open rejects within its timeout naming the endpoint', async () => {
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const started = Date.now();
  const err = await EtcdQuorum.open({ endpoints: [`127.0.0.1:${port}`], clusterId: 'nowhere', sessionTimeoutMs: 1000, connectTimeoutMs: 1500 }).catch((e) => e);
  const took = Date.now() - started;
  assert.instance(err, QuorumUnavailableError);
  assert.match(err.message, `cannot reach etcd at http://127.0.0.1:${port}`);
  assert.ok(took < 1500 + 1000, `took ${took} ms`);
});

test.run();
