// One client connection: frames in, responses out, in request order. Like Kafka, a connection
// handles one request at a time (the next one starts when the previous handler has finished), so
// the requests of one client are applied in the order it sent them; responses are written in the
// same order. Reading stops while too much is queued in either direction (backpressure).
import type { Socket } from 'node:net';
import { FrameDecoder } from './frame-decoder.js';
import type { Outcome, RequestProcessor } from './request-processor.js';
import type { Logger } from '../log.js';
import type { ClientInfo } from '../handlers/types.js';

export interface ConnectionLimits {
  maxRequestBytes: number; // socket.request.max.bytes
  idleMs: number; // connections.max.idle.ms
  maxQueuedRequestBytes: number; // stop reading when this much is received but not yet handled
  maxUnsentResponseBytes: number; // stop reading while this much is waiting in the socket
}

// Requests of one connection in progress at once (Kafka clients pipeline up to 5 by default).
const MAX_IN_FLIGHT = 32;

interface Slot {
  outcome: Outcome | null;
  settled: Promise<void>;
}

export class Connection {
  readonly client: ClientInfo;
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private busy = false;
  private paused = false;
  private closing = false;
  private closed = false;
  private idleSince = Date.now();
  private drainWaiters: Array<() => void> = [];
  // Requests started whose responses are not written yet, in request order.
  private readonly slots: Slot[] = [];
  private corked = false;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly processor: RequestProcessor,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    readonly listener: { name: string; host: string; port: number },
  ) {
    this.client = {
      connectionId: id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      clientSoftwareName: null,
      clientSoftwareVersion: null,
    };
    this.decoder = new FrameDecoder(limits.maxRequestBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', (err) => this.log.debug({ conn: id, err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
    if (limits.idleMs > 0) {
      socket.setTimeout(limits.idleMs);
      socket.on('timeout', () => {
        if (this.busy || this.queue.length > 0 || this.slots.length > 0) return;
        this.log.info({ conn: id, client: this.describe(), idleMs: Date.now() - this.idleSince }, 'closing idle connection (connections.max.idle.ms)');
        this.socket.destroy();
      });
    }
  }

  describe(): string {
    return `${this.client.remoteAddress}:${this.client.remotePort}`;
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    const frames = this.decoder.push(chunk);
    for (const f of frames) {
      this.queue.push(f);
      this.queuedBytes += f.length;
    }
    if (this.decoder.error) {
      // Answer what came before the bad size prefix, then close (see pump).
      this.closing = true;
      this.socket.pause();
    }
    this.updateFlow();
    void this.pump();
  }

  // Requests start in arrival order, each once the previous one has released the connection
  // (by default when its handler finished; Produce releases right after its appends, so a
  // producer's pipelined requests overlap their file writes while keeping their order).
  // Responses are written strictly in request order, whatever order they complete in.
  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        if (this.slots.length >= MAX_IN_FLIGHT) {
          await this.slots[0]!.settled;
          continue;
        }
        const frame = this.queue.shift()!;
        this.queuedBytes -= frame.length;
        const { outcome, released } = this.processor.start(frame, this);
        const slot: Slot = { outcome: null, settled: outcome.then((o) => void (slot.outcome = o)) };
        this.slots.push(slot);
        void slot.settled.then(() => this.flushSlots());
        await released;
      }
    } catch (err) {
      this.close(`internal error: ${(err as Error).message}`);
    } finally {
      this.busy = false;
      this.afterWork();
    }
  }

  // Writes the responses at the head of the line that are ready.
  private flushSlots(): void {
    while (this.slots.length > 0 && this.slots[0]!.outcome !== null && !this.closed) {
      const outcome = this.slots.shift()!.outcome!;
      if (outcome.kind === 'close') {
        this.close(outcome.reason);
        break;
      }
      if (outcome.kind === 'respond') this.write(outcome.chunks);
      this.idleSince = Date.now();
    }
    this.updateFlow();
    this.afterWork();
  }

  private afterWork(): void {
    if (this.busy || this.slots.length > 0) return;
    const bad = this.decoder.error;
    if (bad && !this.closed && this.queue.length === 0) {
      this.close(`request size ${bad.size} is invalid or exceeds socket.request.max.bytes (${bad.limit})`, true);
    }
    this.notifyDrained();
  }

  // Responses completing in the same tick leave in one write (cork until the next tick).
  private write(chunks: Buffer[]): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    for (const c of chunks) this.socket.write(c);
  }

  private updateFlow(): void {
    if (this.closed) return;
    const tooMuch =
      this.queuedBytes + this.decoder.bufferedBytes > this.limits.maxQueuedRequestBytes ||
      this.socket.writableLength > this.limits.maxUnsentResponseBytes;
    if (tooMuch && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!tooMuch && this.paused && !this.closing) {
      this.paused = false;
      this.socket.resume();
    }
  }

  // Closes this connection only, with a log line saying why; the broker keeps serving others.
  // `flush` lets responses already written reach the client first.
  close(reason: string, flush = false): void {
    if (this.closed) return;
    this.log.warn({ conn: this.id, client: this.describe(), clientId: this.processor.lastClientId(this) }, `closing connection: ${reason}`);
    this.closed = true;
    this.queue.length = 0;
    if (flush) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 5000).unref();
    } else this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.notifyDrained();
    this.processor.connectionClosed(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // Graceful shutdown: stop reading, finish the requests already received, flush, end.
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    this.socket.pause();
    const drained = new Promise<void>((resolve) => {
      if (!this.busy && this.queue.length === 0 && this.slots.length === 0) resolve();
      else this.drainWaiters.push(resolve);
    });
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([drained, timer]);
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, Math.min(timeoutMs, 1000)).unref();
    });
  }

  private notifyDrained(): void {
    if (this.busy || this.queue.length > 0 || this.slots.length > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
