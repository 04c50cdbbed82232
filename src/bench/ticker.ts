// A precise schedule tick for open-loop load. Node's timers fire on whole milliseconds, up to
// ~1 ms late, and a 1,000/s schedule would show that as latency. A worker thread sleeps
// precisely (Atomics.wait takes fractional ms) and posts each due index; the post wakes the main
// event loop at once. No thread spins. `total` of Infinity ticks until terminated.
import { Worker } from 'node:worker_threads';

const TICKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { startAbs, intervalMs, total } = workerData;
const cell = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
for (let i = 0; i < (total < 0 ? Infinity : total); i++) {
  const wait = startAbs + i * intervalMs - now();
  if (wait > 0) Atomics.wait(cell, 0, 0, wait);
  parentPort.postMessage(i);
}
`;

/** Starts ticking at `start` (performance.now() ms), one tick every `intervalMs`. */
export function startTicker(start: number, intervalMs: number, total: number): Worker {
  const w = new Worker(TICKER, {
    eval: true,
    workerData: { startAbs: performance.timeOrigin + start, intervalMs, total: Number.isFinite(total) ? total : -1 },
  });
  w.unref();
  return w;
}
