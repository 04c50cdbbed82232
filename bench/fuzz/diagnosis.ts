// What the broker said about itself during a `--diagnose` soak (loop-monitor.mjs's loop.jsonl):
// its event-loop blocks and GC pauses, summed up for the report and looked up for each probe
// that went unanswered, so that a reader can tell the broker holding its loop (a defect) from
// the machine not giving it CPU (load).
import { readFileSync } from 'node:fs';

interface Block {
  /** Wall-clock ms when the block began and its length; CPU the broker burnt meanwhile. */
  fromMs: number;
  gapMs: number;
  cpuMs: number;
}

export interface Diagnosis {
  facts: Array<[string, string]>;
  /** The longest block overlapping [fromMs, toMs] (wall clock), as a phrase. */
  during(fromMs: number, toMs: number): string;
}

export function readDiagnosis(file: string, startedAtMs: number): Diagnosis {
  const events = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; wallMs: number; gapMs?: number; cpuMs?: number; ms?: number });
  const blocks: Block[] = events.filter((e) => e.kind === 'block').map((e) => ({ fromMs: e.wallMs - e.gapMs!, gapMs: e.gapMs!, cpuMs: e.cpuMs! }));
  const gcs = events.filter((e) => e.kind === 'gc').map((e) => e.ms!);
  const longest = blocks.reduce<Block | null>((m, b) => (m === null || b.gapMs > m.gapMs ? b : m), null);
  const at = (b: Block) => `+${((b.fromMs - startedAtMs) / 1000).toFixed(1)} s`;
  const facts: Array<[string, string]> = [
    [
      'broker event-loop blocks (its own measure)',
      `${blocks.length} of >= 100 ms (${(blocks.reduce((s, b) => s + b.gapMs, 0) / 1000).toFixed(1)} s in all), ${blocks.filter((b) => b.gapMs >= 1000).length} of >= 1 s; longest ${longest ? `${longest.gapMs} ms with ${longest.cpuMs} ms CPU at ${at(longest)}` : 'none'}`,
    ],
    ['broker GC pauses', `${gcs.length} of >= 20 ms, ${(gcs.reduce((s, x) => s + x, 0) / 1000).toFixed(1)} s in all, longest ${Math.max(0, ...gcs)} ms`],
  ];
  return {
    facts,
    during(fromMs, toMs) {
      const over = blocks.filter((b) => b.fromMs < toMs && b.fromMs + b.gapMs > fromMs);
      if (over.length === 0) return 'broker loop not blocked >= 100 ms meanwhile';
      const b = over.reduce((m, x) => (x.gapMs > m.gapMs ? x : m));
      return `broker loop blocked ${b.gapMs} ms (${b.cpuMs} ms CPU) from ${at(b)}`;
    },
  };
}
