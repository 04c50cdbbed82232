#!/usr/bin/env node
// Start-up benchmark: spawn `samsa start --port 0 --memory` until it accepts a TCP connection,
// RUNS times, and report the median time and the idle RSS after start. The ceiling, measured in
// the same run the same way, is a bare `node` process that opens a listening socket and prints
// its port: nothing samsa does can start faster than that.
// Reproduce: npm run build && node bench/startup.mjs [runs]
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.argv[2] ?? 20);
const root = fileURLToPath(new URL('..', import.meta.url));

const SAMSA = [process.execPath, [`${root}bin/samsa.js`, 'start', '--port', '0', '--memory', '--log-level', 'info']];
const CEILING = [
  process.execPath,
  ['-e', "const s=require('net').createServer(()=>{}).listen(0,'127.0.0.1',()=>console.log(JSON.stringify({msg:'listening',port:s.address().port})))"],
];

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function once([cmd, args]) {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m && /listening/.test(out)) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${out}`)));
  });
  while (!(await tryConnect(port))) await new Promise((r) => setTimeout(r, 1));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await new Promise((r) => setTimeout(r, 300)); // let it settle to idle
  const rss = rssKiB(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  return { ms, rssMiB: rss / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function series(name, spec) {
  await once(spec); // warm the file cache
  const rows = [];
  for (let i = 0; i < RUNS; i++) rows.push(await once(spec));
  const r = {
    name,
    runs: RUNS,
    medianMs: median(rows.map((x) => x.ms)),
    minMs: Math.min(...rows.map((x) => x.ms)),
    maxMs: Math.max(...rows.map((x) => x.ms)),
    idleRssMiB: median(rows.map((x) => x.rssMiB)),
  };
  console.log(
    `${name.padEnd(34)} median ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, max ${r.maxMs.toFixed(1)}), idle RSS ${r.idleRssMiB.toFixed(1)} MiB`,
  );
  return r;
}

console.log(`start-up to first accepted connection, ${RUNS} runs each (node ${process.version})`);
const ceiling = await series('ceiling: bare node listen(0)', CEILING);
const samsa = await series('samsa start --port 0 --memory', SAMSA);
console.log(`samsa takes ${(samsa.medianMs - ceiling.medianMs).toFixed(1)} ms more than the ceiling; goal <= 100 ms and <= 60 MiB`);
if (process.env.BENCH_JSON) console.log(JSON.stringify({ ceiling, samsa }));
