// The piscina pool: jobs on the pool give exactly what inline jobs give, small jobs stay inline
// and large ones go to the pool, errors keep their class and Kafka code across the thread hop,
// the pool starts lazily, shuts down, never keeps the process alive, and loads its worker file
// from the TypeScript sources (tsx), from transpiled .js files (dist/) and from a bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ErrorCode, KafkaError } from '../../src/errors.js';
import { buildBatch } from '../../src/protocol/records/build.js';
import { iterateRecords } from '../../src/protocol/records/iterate.js';
import { readBatchHeader } from '../../src/protocol/records/header.js';
import { CompressionError, compressBatchSync, type TargetCodec } from '../../src/compression/index.js';
import { IDLE_TIMEOUT_MS, INLINE_MAX_BYTES, destroyPool, getPool, poolStarted, runJob, runsInline, type JobKind } from '../../src/workers/pool.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function batchOf(bytes: number, seed = 0): Buffer {
  const recs = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const value = Buffer.from(JSON.stringify({ i, seed, user: `user-${(i * 7919) % 5000}`, note: 'abc '.repeat(i % 30) }));
    recs.push({ key: Buffer.from(`k${i}`), value, headers: i % 4 ? [] : [{ key: 'h', value: Buffer.from('x') }] });
    n += value.length + 12;
  }
  return buildBatch(recs, { timestamp: 1_700_000_000_000 });
}

// The compiled copies these children run live outside the repo, where native/ and wasm/ cannot
// be found: they use the js backend, whatever SAMSA_ACCEL the suite runs with.
function runNode(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const env = { ...process.env, SAMSA_ACCEL: 'js' };
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
    });
  });
}

test.after(async () => {
  await destroyPool();
});

test('the pool is created lazily: importing the module starts no thread', () => {
  assert.is(poolStarted(), false);
});

test('pool options: cores - 1 threads (at least 1), none kept when idle', () => {
  const p = getPool();
  assert.is(p.options.maxThreads, Math.max(1, availableParallelism() - 1));
  assert.is(p.options.minThreads, 0);
  assert.is(p.options.idleTimeout, IDLE_TIMEOUT_MS);
  assert.is(p.threads.length, 0, 'no thread before the first job');
});

test('pool jobs give byte-identical results to inline jobs, for every kind and codec', async () => {
  const plain = batchOf(40_000);
  const cases: Array<[JobKind, Buffer, TargetCodec | undefined]> = [];
  for (const c of [1, 2, 3, 4] as const) {
    cases.push(['compressBatch', plain, c]);
    const compressed = c === 4 ? await runJob('compressBatch', { buf: plain, codec: 4 }, { where: 'inline' }) : compressBatchSync(plain, c);
    cases.push(['decompressBatch', compressed, undefined]);
    for (const t of [0, 1, 2, 3, 4] as const) cases.push(['recompressBatch', compressed, t]);
  }
  cases.push(['compressBatch', plain, 0], ['decompressBatch', plain, undefined], ['recompressBatch', plain, 3]);
  for (const [kind, buf, codec] of cases) {
    const inline = await runJob(kind, { buf, codec }, { where: 'inline' });
    const pooled = await runJob(kind, { buf, codec }, { where: 'pool' });
    assert.ok(Buffer.isBuffer(pooled));
    assert.ok(pooled.equals(inline), `${kind} ${buf[22]! & 7} -> ${codec}`);
  }
  assert.ok(getPool().completed >= cases.length);
});

test('a batch inside a large buffer: only the batch crosses, the buffer stays usable and untouched', async () => {
  const b = batchOf(10_000);
  const big = Buffer.alloc(8 << 20, 0xab);
  b.copy(big, 1234567);
  const before = Buffer.from(big);
  const c = await runJob('compressBatch', { buf: big, position: 1234567, codec: 2 }, { where: 'pool' });
  assert.is(big.length, 8 << 20, 'not detached');
  assert.ok(big.equals(before), 'not modified');
  const d = await runJob('decompressBatch', { buf: c }, { where: 'pool' });
  assert.ok(d.equals(b));
  assert.is(d.byteOffset, 0);
  assert.is(d.buffer.byteLength, d.length, 'the result owns its memory (transferred back)');
});

test('small jobs run inline, large ones on the pool (INLINE_MAX_BYTES)', async () => {
  const small = batchOf(1000);
  const large = batchOf(4 << 20);
  for (const codec of [1, 2, 3, 4] as const) {
    assert.ok(runsInline('compressBatch', { buf: small, codec }), `1 KiB compress ${codec} inline`);
    assert.not.ok(runsInline('compressBatch', { buf: large, codec }), `4 MiB compress ${codec} on the pool`);
    assert.ok(small.length < INLINE_MAX_BYTES.compress[codec]!);
  }
  const p = getPool();
  const done = p.completed;
  await runJob('compressBatch', { buf: small, codec: 1 });
  assert.is(p.completed, done, 'the small job did not touch the pool');
  const c = await runJob('compressBatch', { buf: large, codec: 1 });
  assert.is(p.completed, done + 1, 'the large job ran on the pool');
  assert.not.ok(runsInline('decompressBatch', { buf: c }), 'decompressing a 4 MiB gzip batch goes to the pool too');
  let n = 0;
  iterateRecords(await runJob('decompressBatch', { buf: c }), 0, () => void n++);
  assert.is(n, readBatchHeader(large, 0).recordCount);
});

test('many jobs at once: every result right', async () => {
  const inputs = Array.from({ length: 24 }, (_, i) => batchOf(20_000 + i * 1000, i));
  const outs = await Promise.all(inputs.map((b, i) => runJob('compressBatch', { buf: b, codec: ((i % 4) + 1) as TargetCodec }, { where: 'pool' })));
  const back = await Promise.all(outs.map((c) => runJob('decompressBatch', { buf: c }, { where: 'pool' })));
  back.forEach((d, i) => assert.ok(d.equals(inputs[i]!), `job ${i}`));
});

test('errors cross the thread hop with their class and code', async () => {
  const c = compressBatchSync(batchOf(20_000), 1);
  const truncated = Buffer.from(c.subarray(0, 200));
  truncated.writeInt32BE(200 - 12, 8);
  for (const where of ['pool', 'inline'] as const) {
    await runJob('decompressBatch', { buf: truncated }, { where }).then(
      () => assert.unreachable('resolved'),
      (e) => {
        assert.instance(e, CompressionError, where);
        assert.is(e.code, ErrorCode.CORRUPT_MESSAGE);
        assert.is(e.codec, 1);
        assert.match(e.message, /^gzip: /);
      },
    );
    const lying = Buffer.from(batchOf(2000));
    lying.writeInt32BE(readBatchHeader(lying, 0).recordCount + 1, 57);
    await runJob('recompressBatch', { buf: lying, codec: 3 }, { where }).then(
      () => assert.unreachable('resolved'),
      (e) => {
        assert.instance(e, KafkaError, where);
        assert.not.instance(e, CompressionError);
        assert.is(e.code, ErrorCode.INVALID_RECORD);
      },
    );
    await runJob('compressBatch', { buf: c, codec: 2 }, { where }).then(
      () => assert.unreachable('resolved'),
      (e) => assert.instance(e, TypeError, where),
    );
    await runJob('decompressBatch', { buf: c.subarray(0, 30) }, { where }).then(
      () => assert.unreachable('resolved'),
      (e) => assert.is(e.code, ErrorCode.CORRUPT_MESSAGE, where),
    );
  }
});

test('destroyPool stops the threads; the next job starts a new pool', async () => {
  const p = getPool();
  await runJob('compressBatch', { buf: batchOf(5000), codec: 1 }, { where: 'pool' });
  assert.ok(p.threads.length >= 1);
  await destroyPool();
  assert.is(poolStarted(), false);
  assert.is(p.threads.length, 0);
  const d = await runJob('compressBatch', { buf: batchOf(5000), codec: 3 }, { where: 'pool' });
  assert.is(d[22]! & 7, 3);
  assert.is.not(getPool(), p);
  await destroyPool();
});

test('a process that used the pool and never closed it still exits on its own', async () => {
  const r = await runNode(['--import', 'tsx', 'test/workers/fixtures/one-pool-job.ts'], 60_000);
  assert.is(r.code, 0, r.stderr);
  assert.ok(JSON.parse(r.stdout.trim()).bytes > 0);
  // Well before the idle timeout would have stopped the thread.
  assert.ok(r.ms < IDLE_TIMEOUT_MS, `took ${r.ms} ms`);
});

test('compiled .js (as in dist/) and a bundle one level up both find workers/tasks.js', async () => {
  const out = join(ROOT, 'node_modules/.cache/samsa-pool-test');
  rmSync(out, { recursive: true, force: true });
  const srcFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, 'src', dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(ROOT, 'src', dir, f));
  await build({
    entryPoints: [...srcFiles('compression'), ...srcFiles('workers'), ...srcFiles('accel'), ...srcFiles('protocol/records'), join(ROOT, 'src/errors.ts')],
    outdir: out,
    outbase: join(ROOT, 'src'),
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  // Inside node_modules a folder needs its own package.json to be ESM.
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  try {
    const poolUrl = pathToFileURL(join(out, 'workers/pool.js')).href;
    const r = await runNode([join(ROOT, 'test/workers/fixtures/compiled-pool.mjs'), poolUrl], 60_000);
    assert.is(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout.trim()), { codec: 3, same: true });

    // The CLI bundle case: dist/samsa-cli.mjs with the pool inlined, dist/workers/tasks.js beside.
    mkdirSync(out, { recursive: true });
    await build({
      stdin: {
        contents: `import { runOnPool, destroyPool } from './src/workers/pool.ts';
import { buildBatch } from './src/protocol/records/build.ts';
const b = buildBatch([{ key: Buffer.from('k'), value: Buffer.from('bundled '.repeat(100)) }]);
const c = await runOnPool('compressBatch', { buf: b, codec: 2 });
console.log(JSON.stringify({ codec: c[22] & 7, same: (await runOnPool('decompressBatch', { buf: c })).equals(b) }));
await destroyPool();`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: join(out, 'bundle.mjs'),
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    const b = await runNode([join(out, 'bundle.mjs')], 60_000);
    assert.is(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout.trim()), { codec: 2, same: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
