// The hostile side: `connections` sockets, each writing one mutated frame at a time and waiting
// for what the broker does with it: an answer, a close, or nothing (after `quietMs` the socket is
// dropped: a frame that announces more bytes than it carries is waited for, as Kafka would). A
// socket that got an answer is reused for the next frame, so frames also land mid-conversation.
// Answers are checked for the one thing that must hold whatever was sent: the correlation id.
import { connect, type Socket } from 'node:net';
import type { SeedFrame } from './corpus.js';
import { mutant, type Mutant } from './mutate.js';

export interface SendOptions {
  port: number;
  corpus: readonly SeedFrame[];
  seed: number;
  /** First frame index (default 0) and how many to send. */
  from?: number;
  frames: number;
  /** Only these frame indices (replay). */
  only?: number[];
  connections: number;
  maxSeconds: number;
  quietMs?: number;
  /** Frames not to send (a known defect that would stop the run); they are counted, not sent. */
  skip?: (m: Mutant) => boolean;
  /** Stop early (e.g. the broker died). */
  shouldStop?: () => boolean;
  /** Called after each frame's outcome (replay and the smoke test use it). */
  onOutcome?: (index: number, m: Mutant, outcome: Outcome) => void;
}

export type Outcome = 'answered' | 'closed' | 'quiet' | 'refused';

export interface SendResult {
  sent: number;
  seconds: number;
  framesPerSec: number;
  outcomes: Record<Outcome, number>;
  skipped: number;
  connectionsOpened: number;
  /** Answers whose correlation id is not the one sent, or more than one answer to one frame. */
  anomalies: Array<{ index: number; desc: string; what: string }>;
  stoppedBy: 'frames' | 'time' | 'stop';
}

class Conn {
  readonly socket: Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiter: ((o: Outcome, resp?: Buffer[]) => void) | null = null;
  private responses: Buffer[] = [];
  private timer: NodeJS.Timeout | null = null;
  closed = false;
  connected: Promise<boolean>;

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.socket.setNoDelay(true);
    // A broker whose event loop is stuck stops accepting; give up on the connect after 2 s.
    this.connected = new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), 2000);
      this.socket.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
      this.socket.once('error', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (d: Buffer) => this.onData(d));
    this.socket.on('close', () => {
      this.closed = true;
      this.settle('closed');
    });
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    while (this.buf.length >= 4) {
      const n = this.buf.readInt32BE(0);
      if (n < 0 || this.buf.length < 4 + n) break;
      this.responses.push(this.buf.subarray(4, 4 + n));
      this.buf = this.buf.subarray(4 + n);
    }
    if (this.responses.length > 0) this.settle('answered');
  }

  private settle(o: Outcome): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (this.timer) clearTimeout(this.timer);
    const r = this.responses;
    this.responses = [];
    w(o, r);
  }

  exchange(bytes: Buffer, quietMs: number): Promise<{ outcome: Outcome; responses: Buffer[] }> {
    return new Promise((resolve) => {
      if (this.closed) return resolve({ outcome: 'closed', responses: [] });
      this.waiter = (outcome, responses = []) => resolve({ outcome, responses });
      this.timer = setTimeout(() => this.settle('quiet'), quietMs);
      this.socket.write(bytes);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export async function sendMutants(o: SendOptions): Promise<SendResult> {
  const quietMs = o.quietMs ?? 250;
  const from = o.from ?? 0;
  const total = o.only ? o.only.length : o.frames;
  const deadline = Date.now() + o.maxSeconds * 1000;
  const outcomes: Record<Outcome, number> = { answered: 0, closed: 0, quiet: 0, refused: 0 };
  const anomalies: SendResult['anomalies'] = [];
  let next = 0;
  let sent = 0;
  let opened = 0;
  let skipped = 0;
  let stoppedBy: SendResult['stoppedBy'] = 'frames';
  const t0 = performance.now();

  const worker = async () => {
    let c: Conn | null = null;
    while (true) {
      if (next >= total) break;
      if (Date.now() >= deadline) {
        stoppedBy = 'time';
        break;
      }
      if (o.shouldStop?.()) {
        stoppedBy = 'stop';
        break;
      }
      const index = o.only ? o.only[next++]! : from + next++;
      const m = mutant(o.corpus, o.seed, index);
      if (o.skip?.(m)) {
        skipped++;
        continue;
      }
      if (!c || c.closed) {
        c = new Conn(o.port);
        opened++;
        if (!(await c.connected)) {
          outcomes.refused++;
          o.onOutcome?.(index, m, 'refused');
          c.destroy();
          c = null;
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
      }
      const { outcome, responses } = await c.exchange(m.bytes, quietMs);
      sent++;
      outcomes[outcome]++;
      if (m.consistent && responses.length > 1) anomalies.push({ index, desc: m.desc, what: `${responses.length} answers to one frame` });
      for (const r of m.consistent ? responses : []) {
        const corr = r.length >= 4 ? r.readInt32BE(0) : NaN;
        if (corr !== m.correlationId) anomalies.push({ index, desc: m.desc, what: `answer carries correlation id ${corr}, frame had ${m.correlationId}` });
      }
      o.onOutcome?.(index, m, outcome);
      if (outcome !== 'answered') {
        c.destroy();
        c = null;
      }
    }
    c?.destroy();
  };
  await Promise.all(Array.from({ length: o.connections }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return { sent, seconds, framesPerSec: sent / seconds, outcomes, skipped, connectionsOpened: opened, anomalies, stoppedBy };
}
