// Realistic record batches for the compression benches: JSON event values of about 150-400
// bytes, short keys, a header on every fourth record, timestamps a few ms apart. Deterministic.
import { buildBatch, type BuildRecord } from '../../src/protocol/records/build.js';

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EVENTS = ['page_view', 'click', 'add_to_cart', 'checkout', 'login', 'search'];
const PAGES = ['/home', '/product/12345', '/cart', '/search?q=shoes', '/account/settings', '/checkout/payment'];

/** An uncompressed v2 batch whose records take about `bytes` bytes. */
export function jsonBatch(bytes: number, seed = 1): Buffer {
  const rnd = mulberry32(seed);
  const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
  const recs: BuildRecord[] = [];
  const t0 = 1_700_000_000_000;
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const user = Math.floor(rnd() * 100_000);
    const value = JSON.stringify({
      event: pick(EVENTS),
      userId: `user-${user}`,
      sessionId: Math.floor(rnd() * 2 ** 48).toString(16),
      page: pick(PAGES),
      ts: t0 + i * 3,
      amount: Math.round(rnd() * 100_000) / 100,
      device: { os: pick(['ios', 'android', 'windows', 'macos', 'linux']), version: `${1 + Math.floor(rnd() * 17)}.${Math.floor(rnd() * 10)}` },
      tags: Array.from({ length: Math.floor(rnd() * 4) }, () => pick(['new', 'returning', 'promo', 'mobile', 'beta'])),
    });
    const key = Buffer.from(`user-${user}`);
    recs.push({
      key,
      value: Buffer.from(value),
      headers: i % 4 === 0 ? [{ key: 'trace-id', value: Buffer.from(Math.floor(rnd() * 2 ** 52).toString(16)) }] : [],
      timestamp: t0 + i * 3,
    });
    n += key.length + value.length + 12;
  }
  return buildBatch(recs, { timestamp: t0 });
}

export function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${n / (1 << 20)} MiB` : n >= 1024 ? `${n / 1024} KiB` : `${n} B`;
}
