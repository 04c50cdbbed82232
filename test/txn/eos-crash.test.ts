// Exactly-once under kill -9 (issue 6): a consume-transform-produce loop — read_committed in,
// transactions out, the consumer offsets in the same transaction (AddOffsetsToTxn +
// TxnOffsetCommit) — processes N input records while samsa, a separate process, is killed with
// SIGKILL and restarted twice at seeded random moments. After each crash the loop reconnects,
// calls InitProducerId with its transactional id (which fences the old epoch and aborts the open
// transaction), reads the group's committed offsets (OffsetFetch requireStable) and resumes.
// Afterwards a read_committed read of the output holds each input record's result exactly once,
// and the committed offsets equal the input log ends.
// N = 100,000 (the issue's number): the whole file takes about 3 s on this 2-core machine.
// Seed: EOS_SEED (default 6); N: EOS_N.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ClientConnection } from '../../src/client/connection.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import type { MessageCodec, Input } from '../../src/protocol/primitives/index.js';
import { ProduceRequest } from '../../src/protocol/generated/produce-request.js';
import { ProduceResponse } from '../../src/protocol/generated/produce-response.js';
import { InitProducerIdRequest } from '../../src/protocol/generated/init-producer-id-request.js';
import { InitProducerIdResponse } from '../../src/protocol/generated/init-producer-id-response.js';
import { CreateTopicsRequest } from '../../src/protocol/generated/create-topics-request.js';
import { CreateTopicsResponse } from '../../src/protocol/generated/create-topics-response.js';
import { FetchRequest } from '../../src/protocol/generated/fetch-request.js';
import { FetchResponse, type PartitionData } from '../../src/protocol/generated/fetch-response.js';
import { AddPartitionsToTxnRequest } from '../../src/protocol/generated/add-partitions-to-txn-request.js';
import { AddPartitionsToTxnResponse } from '../../src/protocol/generated/add-partitions-to-txn-response.js';
import { AddOffsetsToTxnRequest } from '../../src/protocol/generated/add-offsets-to-txn-request.js';
import { AddOffsetsToTxnResponse } from '../../src/protocol/generated/add-offsets-to-txn-response.js';
import { TxnOffsetCommitRequest } from '../../src/protocol/generated/txn-offset-commit-request.js';
import { TxnOffsetCommitResponse } from '../../src/protocol/generated/txn-offset-commit-response.js';
import { EndTxnRequest } from '../../src/protocol/generated/end-txn-request.js';
import { EndTxnResponse } from '../../src/protocol/generated/end-txn-response.js';
import { OffsetFetchRequest } from '../../src/protocol/generated/offset-fetch-request.js';
import { OffsetFetchResponse } from '../../src/protocol/generated/offset-fetch-response.js';
import { ListOffsetsRequest } from '../../src/protocol/generated/list-offsets-request.js';
import { ListOffsetsResponse } from '../../src/protocol/generated/list-offsets-response.js';

const N = Number(process.env.EOS_N ?? 100_000);
const SEED = Number(process.env.EOS_SEED ?? 6);
const PARTITIONS = 3;
const IN = 'eos-in';
const OUT = 'eos-out';
const GROUP = 'eos-group';
const TXN_ID = 'eos-loop';
const PER_PARTITION_PER_TXN = 400; // at most this many input records of each partition per transaction
const REQUEST_TIMEOUT_MS = 15_000;
const RECOVERY_DEADLINE_MS = 60_000;
const TEST_DEADLINE_MS = 170_000;

const bin = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

interface Samsa {
  child: ChildProcess;
  output: () => string;
}

async function startSamsa(dir: string, port: number): Promise<Samsa> {
  const child = spawn(process.execPath, [bin, 'start', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20000)));
  const t0 = Date.now();
  while (!(await tryConnect(port))) {
    if (child.exitCode !== null) throw new Error(`samsa exited with ${child.exitCode}:\n${out}`);
    if (Date.now() - t0 > 20_000) {
      child.kill('SIGKILL');
      throw new Error(`samsa did not listen on ${port} within 20 s:\n${out}`);
    }
    await sleep(20);
  }
  return { child, output: () => out };
}

function stopSamsa(s: Samsa, sig: NodeJS.Signals): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      s.child.kill('SIGKILL');
      resolve();
    }, 10_000);
    s.child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    s.child.kill(sig);
  });
}

// Every request is bounded: a broker that never answers fails the call (and closes the connection).
function call<Req, Res>(c: ClientConnection, req: MessageCodec<Req>, res: MessageCodec<Res>, version: number, body: Input<Req>): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const t = setTimeout(() => {
      c.close();
      reject(new Error(`${req.name} v${version} timed out after ${REQUEST_TIMEOUT_MS} ms`));
    }, REQUEST_TIMEOUT_MS);
    c.send(req, res, version, body).then(
      (r) => {
        clearTimeout(t);
        resolve(r);
      },
      (e: Error) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

async function client(port: number): Promise<ClientConnection> {
  const c = await ClientConnection.connect('127.0.0.1', port, { clientId: 'eos-crash', timeoutMs: 2000 });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([c.negotiate(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('ApiVersions timed out')), REQUEST_TIMEOUT_MS)))]);
  } catch (err) {
    c.close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return c;
}

class BrokerError extends Error {
  constructor(
    readonly what: string,
    readonly code: number,
    readonly detail: string = '',
  ) {
    super(`${what} failed with error ${code}${detail ? ` (${detail})` : ''}`);
  }
}

interface FetchedRecord {
  offset: number;
  key: string;
  value: string;
}

// The records of a fetch response a read_committed consumer keeps: control batches dropped, and
// the batches of aborted transactions dropped (Kafka's consumer-side filtering with the
// abortedTransactions list). Also returns the offset to fetch next.
function committedRecords(p: PartitionData, fetchOffset: number): { records: FetchedRecord[]; next: number } {
  const buf = (p.records as Buffer | null) ?? Buffer.alloc(0);
  const aborted = [...(p.abortedTransactions ?? [])].sort((a, b) => a.firstOffset - b.firstOffset);
  const active = new Set<number>();
  const records: FetchedRecord[] = [];
  let next = fetchOffset;
  for (let pos = 0; pos + 61 <= buf.length;) {
    const h = readBatchHeader(buf, pos);
    if (pos + h.size > buf.length) break; // a partial batch at the end
    const last = h.baseOffset + h.lastOffsetDelta;
    while (aborted.length > 0 && aborted[0]!.firstOffset <= last) active.add(aborted.shift()!.producerId);
    if (h.isControl) {
      iterateRecords(buf, pos, (_o, _t, key) => {
        if (key && key.readInt16BE(2) === 0) active.delete(h.producerId); // ABORT marker
      });
    } else if (!(h.isTransactional && active.has(h.producerId))) {
      iterateRecords(buf, pos, (offset, _t, key, value) => {
        if (offset >= fetchOffset) records.push({ offset, key: String(key), value: String(value) });
      });
    }
    next = Math.max(next, last + 1);
    pos += h.size;
  }
  return { records, next };
}

async function fetchCommitted(c: ClientConnection, topic: string, offsets: number[], maxBytes = 1 << 20): Promise<PartitionData[]> {
  const r = await call(c, FetchRequest, FetchResponse, 12, {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: maxBytes * offsets.length,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: offsets.map((fetchOffset, partition) => ({
          partition,
          fetchOffset,
          partitionMaxBytes: maxBytes,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
        })),
      },
    ],
  });
  if (r.errorCode !== 0) throw new BrokerError('Fetch', r.errorCode);
  const parts = r.responses[0]!.partitions.slice().sort((a, b) => a.partitionIndex - b.partitionIndex);
  for (const p of parts) if (p.errorCode !== 0) throw new BrokerError('Fetch', p.errorCode, `${topic}-${p.partitionIndex}`);
  return parts;
}

async function committedOffsets(c: ClientConnection): Promise<number[]> {
  const r = await call(c, OffsetFetchRequest, OffsetFetchResponse, 7, {
    groupId: GROUP,
    topics: [{ name: IN, partitionIndexes: [0, 1, 2] }],
    requireStable: true,
  });
  if (r.errorCode !== 0) throw new BrokerError('OffsetFetch', r.errorCode);
  const out = [0, 0, 0];
  for (const t of r.topics) {
    for (const p of t.partitions) {
      if (p.errorCode !== 0) throw new BrokerError('OffsetFetch', p.errorCode, `${t.name}-${p.partitionIndex}`);
      out[p.partitionIndex] = p.committedOffset < 0 ? 0 : p.committedOffset;
    }
  }
  return out;
}

async function logEnds(c: ClientConnection, topic: string): Promise<number[]> {
  const r = await call(c, ListOffsetsRequest, ListOffsetsResponse, 5, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp: -1 })) }],
  });
  const out = [0, 0, 0];
  for (const p of r.topics[0]!.partitions) {
    assert.is(p.errorCode, 0, `ListOffsets ${topic}-${p.partitionIndex}`);
    out[p.partitionIndex] = p.offset;
  }
  return out;
}

const inputValue = (i: number) => `value-${i}-abcdefghijklmnopqrstuvwxyz`;

test(`consume-transform-produce of ${N} records, exactly once across two kill -9`, async () => {
  const started = Date.now();
  const rnd = mulberry32(SEED);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-eos-crash-'));
  const port = await freePort();
  let samsa = await startSamsa(dir, port);
  const stats = { transactions: 0, recoveries: 0, fencedOpenTxns: 0, kills: 0, errors: new Map<string, number>() };
  try {
    // ---- setup: topics and N keyed input records (plain produce) ----
    const admin = await client(port);
    for (const name of [IN, OUT]) {
      const r = await call(admin, CreateTopicsRequest, CreateTopicsResponse, 7, {
        topics: [{ name, numPartitions: PARTITIONS, replicationFactor: 1 }],
        timeoutMs: 5000,
      });
      assert.is(r.topics[0]!.errorCode, 0, `create ${name}`);
    }
    const perPartition: Array<Array<{ key: Buffer; value: Buffer }>> = [[], [], []];
    for (let i = 0; i < N; i++) perPartition[i % PARTITIONS]!.push({ key: Buffer.from(`k${i}`), value: Buffer.from(inputValue(i)) });
    const sends: Promise<unknown>[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      for (let i = 0; i < perPartition[p]!.length; i += 1000) {
        const records = perPartition[p]!.slice(i, i + 1000);
        sends.push(
          call(admin, ProduceRequest, ProduceResponse, 9, {
            acks: -1,
            timeoutMs: 10000,
            topicData: [{ name: IN, partitionData: [{ index: p, records: buildBatch(records) }] }],
          }).then((r) => assert.is(r.responses[0]!.partitionResponses[0]!.errorCode, 0, 'input produce')),
        );
      }
    }
    await Promise.all(sends);
    const inputEnds = await logEnds(admin, IN);
    assert.equal(
      inputEnds.reduce((a, b) => a + b, 0),
      N,
      'all input records written',
    );
    admin.close();

    // ---- the crash schedule: two seeded moments, by committed progress plus a random delay ----
    const crashAt = [Math.floor(N * (0.15 + 0.25 * rnd())), Math.floor(N * (0.55 + 0.25 * rnd()))];
    const crashDelay = [Math.floor(rnd() * 40), Math.floor(rnd() * 40)];
    let processed = 0; // records committed (as the loop knows it)
    let inTxn = false;
    // Typed by `as`: it is set inside a callback, and a plain initialiser narrows it to null.
    let crashing = null as Promise<void> | null;
    let expectingCrash = false; // from a kill until the loop has recovered from it
    const crash = (i: number) => {
      expectingCrash = true;
      crashing = (async () => {
        await sleep(crashDelay[i]!);
        const openTxn = inTxn;
        await stopSamsa(samsa, 'SIGKILL');
        stats.kills++;
        if (openTxn) stats.fencedOpenTxns++;
        samsa = await startSamsa(dir, port);
      })();
    };

    // ---- the loop ----
    let c: ClientConnection | null = null;
    let pid = { producerId: -1, producerEpoch: -1 };
    let seq = [0, 0, 0];
    let positions = [0, 0, 0];
    const done = () => positions.every((p, i) => p >= inputEnds[i]!);

    const recover = async () => {
      const deadline = Date.now() + RECOVERY_DEADLINE_MS;
      for (;;) {
        if (Date.now() > deadline) throw new Error(`could not recover within ${RECOVERY_DEADLINE_MS} ms:\n${samsa.output()}`);
        try {
          if (!c || c.closed) c = await client(port);
          const r = await call(c, InitProducerIdRequest, InitProducerIdResponse, 4, {
            transactionalId: TXN_ID,
            transactionTimeoutMs: 60000,
            producerId: -1,
            producerEpoch: -1,
          });
          if (r.errorCode !== 0) throw new BrokerError('InitProducerId', r.errorCode);
          pid = { producerId: r.producerId, producerEpoch: r.producerEpoch };
          seq = [0, 0, 0];
          positions = await committedOffsets(c);
          return;
        } catch (err) {
          const code = err instanceof BrokerError ? `${err.what}:${err.code}` : 'io';
          stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
          // Retriable: CONCURRENT_TRANSACTIONS (markers being written), UNSTABLE_OFFSET_COMMIT,
          // COORDINATOR_LOAD_IN_PROGRESS, and connection errors while samsa restarts.
          if (err instanceof BrokerError && ![51, 88, 14, 15, 16].includes(err.code)) throw err;
          await sleep(50);
        }
      }
    };

    const oneTransaction = async (conn: ClientConnection) => {
      const parts = await fetchCommitted(conn, IN, positions, 64 * 1024);
      const batches: Array<{ partition: number; records: Array<{ key: Buffer; value: Buffer }> }> = [];
      const next = positions.slice();
      for (const p of parts) {
        const { records } = committedRecords(p, positions[p.partitionIndex]!);
        const take = records.slice(0, PER_PARTITION_PER_TXN);
        if (take.length === 0) continue;
        next[p.partitionIndex] = take[take.length - 1]!.offset + 1;
        // The result: keyed by the input position, the value uppercased.
        batches.push({
          partition: p.partitionIndex,
          records: take.map((r) => ({ key: Buffer.from(`${IN}-${p.partitionIndex}@${r.offset}`), value: Buffer.from(r.value.toUpperCase()) })),
        });
      }
      if (batches.length === 0) return;
      inTxn = true;
      const add = await call(conn, AddPartitionsToTxnRequest, AddPartitionsToTxnResponse, 3, {
        v3AndBelowTransactionalId: TXN_ID,
        v3AndBelowProducerId: pid.producerId,
        v3AndBelowProducerEpoch: pid.producerEpoch,
        v3AndBelowTopics: [{ name: OUT, partitions: batches.map((b) => b.partition) }],
      });
      for (const t of add.resultsByTopicV3AndBelow)
        for (const p of t.resultsByPartition) if (p.partitionErrorCode !== 0) throw new BrokerError('AddPartitionsToTxn', p.partitionErrorCode);
      const produced = await call(conn, ProduceRequest, ProduceResponse, 9, {
        transactionalId: TXN_ID,
        acks: -1,
        timeoutMs: 10000,
        topicData: [
          {
            name: OUT,
            partitionData: batches.map((b) => ({
              index: b.partition,
              records: buildBatch(b.records, {
                producerId: pid.producerId,
                producerEpoch: pid.producerEpoch,
                baseSequence: seq[b.partition]!,
                transactional: true,
              }),
            })),
          },
        ],
      });
      for (const p of produced.responses[0]!.partitionResponses) if (p.errorCode !== 0) throw new BrokerError('Produce', p.errorCode, p.errorMessage ?? '');
      for (const b of batches) seq[b.partition]! += b.records.length;
      const ao = await call(conn, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse, 3, {
        transactionalId: TXN_ID,
        producerId: pid.producerId,
        producerEpoch: pid.producerEpoch,
        groupId: GROUP,
      });
      if (ao.errorCode !== 0) throw new BrokerError('AddOffsetsToTxn', ao.errorCode);
      const toc = await call(conn, TxnOffsetCommitRequest, TxnOffsetCommitResponse, 3, {
        transactionalId: TXN_ID,
        groupId: GROUP,
        producerId: pid.producerId,
        producerEpoch: pid.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: IN,
            partitions: batches.map((b) => ({
              partitionIndex: b.partition,
              committedOffset: next[b.partition]!,
              committedLeaderEpoch: -1,
              committedMetadata: '',
            })),
          },
        ],
      });
      for (const t of toc.topics) for (const p of t.partitions) if (p.errorCode !== 0) throw new BrokerError('TxnOffsetCommit', p.errorCode);
      const end = await call(conn, EndTxnRequest, EndTxnResponse, 3, {
        transactionalId: TXN_ID,
        producerId: pid.producerId,
        producerEpoch: pid.producerEpoch,
        committed: true,
      });
      if (end.errorCode !== 0) throw new BrokerError('EndTxn', end.errorCode);
      inTxn = false;
      stats.transactions++;
      for (const b of batches) processed += b.records.length;
      positions = next;
      for (let i = 0; i < crashAt.length; i++) {
        if (crashAt[i]! >= 0 && processed >= crashAt[i]!) {
          crashAt[i] = -1;
          crash(i);
        }
      }
    };

    await recover();
    while (!done()) {
      if (Date.now() - started > TEST_DEADLINE_MS) throw new Error(`the loop did not finish in time: positions ${positions}, ends ${inputEnds}`);
      try {
        await oneTransaction(c!);
      } catch (err) {
        inTxn = false;
        const code = err instanceof BrokerError ? `${err.what}:${err.code}` : 'io';
        stats.errors.set(code, (stats.errors.get(code) ?? 0) + 1);
        // A broker error outside a crash is a bug: fail with it rather than hide it.
        if (err instanceof BrokerError && !expectingCrash) throw err;
        stats.recoveries++;
        if (c) (c as ClientConnection).close();
        c = null;
        if (crashing) await crashing;
        await recover();
        expectingCrash = false;
      }
    }
    if (crashing) await crashing;
    assert.is(stats.kills, 2, 'samsa was killed twice');
    (c as ClientConnection | null)?.close();

    // ---- verification: a read_committed read of the output, and the committed offsets ----
    const v = await client(port);
    const outEnds = await logEnds(v, OUT);
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    const offsets = [0, 0, 0];
    for (let rounds = 0; offsets.some((o, i) => o < outEnds[i]!); rounds++) {
      assert.ok(rounds < 100_000, 'output read finishes');
      const parts = await fetchCommitted(v, OUT, offsets);
      let progressed = false;
      for (const p of parts) {
        const { records, next } = committedRecords(p, offsets[p.partitionIndex]!);
        for (const r of records) {
          if (seen.has(r.key)) duplicates.push(r.key);
          seen.set(r.key, r.value);
        }
        if (next > offsets[p.partitionIndex]!) progressed = true;
        offsets[p.partitionIndex] = next;
      }
      assert.ok(
        progressed || offsets.every((o, i) => o >= outEnds[i]!),
        `the output read progresses (at ${offsets}, ends ${outEnds}, LSO ${parts.map((p) => p.lastStableOffset)})`,
      );
    }
    assert.equal(duplicates.slice(0, 10), [], `${duplicates.length} duplicated results`);
    const missing: string[] = [];
    const wrong: string[] = [];
    for (let i = 0; i < N; i++) {
      const p = i % PARTITIONS;
      const key = `${IN}-${p}@${Math.floor(i / PARTITIONS)}`;
      const value = seen.get(key);
      if (value === undefined) missing.push(key);
      else if (value !== inputValue(i).toUpperCase()) wrong.push(`${key}=${value}`);
    }
    assert.equal(missing.slice(0, 10), [], `${missing.length} missing results`);
    assert.equal(wrong.slice(0, 10), [], `${wrong.length} wrong results`);
    assert.is(seen.size, N, 'exactly N results');
    assert.equal(await committedOffsets(v), inputEnds, 'the committed offsets are the input log ends');
    v.close();
    console.log(
      `eos-crash: N=${N} seed=${SEED} transactions=${stats.transactions} kills=${stats.kills} (with an open transaction: ${stats.fencedOpenTxns}) recoveries=${stats.recoveries} ` +
        `errors=${JSON.stringify(Object.fromEntries(stats.errors))} output log end=${outEnds.reduce((a, b) => a + b, 0)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await stopSamsa(samsa, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
