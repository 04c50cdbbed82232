// One client connection: frames in, responses out, in request order. Like Kafka, a connection
// handles one request at a time (the next one starts when the previous handler has finished), so
// the requests of one client are applied in the order it sent them; responses are written in the
// same order. Produce releases the connection early (after its appends), so a producer's
// pipelined requests overlap.
//
// What one connection can hold is bounded (Kafka bounds it by muting a channel until its one
// response is sent, SocketServer's Processor):
// - requests received but not handled: reading stops past maxQueuedRequestBytes, and while the
//   broker-wide queued.max.request.bytes is exceeded (ByteBudget);
// - responses finished but not yet handed to the kernel (waiting for earlier ones, or in the
//   socket's buffer because the client does not read): no request starts while they exceed
//   maxUnsentResponseBytes, nor while the broker-wide response budget is exceeded and this
//   connection holds any. So a client that never reads holds at most that plus one response
//   (one Fetch: Fetch is not released early), and clients that read are always served. Fetch
//   itself reads only what the broker-wide budget has left (handlers/fetch.ts).
import type { Socket } from 'node:net';
import { FrameDecoder } from '../protocol/frame-decoder.js';
import type { ByteBudget } from './byte-budget.js';
import type { Outcome, RequestProcessor } from './request-processor.js';
import type { Logger } from '../log.js';
import type { ClientInfo } from '../handlers/types.js';

export interface ConnectionLimits {
  maxRequestBytes: number; // socket.request.max.bytes
  idleMs: number; // connections.max.idle.ms
  maxQueuedRequestBytes: number; // stop reading when this much is received but not yet handled
  maxUnsentResponseBytes: number; // start no request, read nothing, while this much is unsent
  requestBudget: ByteBudget; // broker-wide: queued.max.request.bytes
  responseBudget: ByteBudget; // broker-wide: samsa.queued.max.response.bytes
}

// Requests of one connection in progress at once (Kafka clients pipeline up to 5 by default).
const MAX_IN_FLIGHT = 32;

interface Slot {
  outcome: Outcome | null;
  settled: Promise<void>;
  bytes: number; // of the response, once finished
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
  // Response bytes finished but not yet handed to the kernel, counted in the response budget.
  private heldResponseBytes = 0;
  // Request bytes received but not yet handled, as counted in the request budget.
  private countedRequestBytes = 0;
  private released = false; // budgets given back (closed)
  private roomWaiter: (() => void) | null = null;
  private readonly wakeForRoom = (): void => {
    const w = this.roomWaiter;
    this.roomWaiter = null;
    this.limits.responseBudget.cancel(this.wakeForRoom);
    w?.();
  };
  private readonly wakeForReading = (): void => this.updateFlow();

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
    socket.resume(); // listeners accept with pauseOnConnect
    if (limits.idleMs > 0) {
      socket.setTimeout(limits.idleMs);
      socket.on('timeout', () => {
        // Kafka's idle expiry also closes a connection whose client stopped reading responses.
        if (this.roomWaiter && this.heldResponseBytes > 0) {
          this.close(`client has not read its responses (${this.heldResponseBytes} bytes waiting) for connections.max.idle.ms (${limits.idleMs} ms)`);
          return;
        }
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
    this.countRequestBytes();
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
        if (!this.mayStart()) {
          await new Promise<void>((resolve) => this.waitForRoom(resolve));
          continue;
        }
        const frame = this.queue.shift()!;
        this.queuedBytes -= frame.length;
        this.countRequestBytes();
        this.updateFlow();
        const { outcome, released } = this.processor.start(frame, this);
        const slot: Slot = { outcome: null, settled: outcome.then((o) => this.finished(slot, o)), bytes: 0 };
        this.slots.push(slot);
        void slot.settled.then(() => this.flushSlots());
        // A request that did not release early has its response counted before the next one
        // may start (see mayStart).
        if (!(await released)) await slot.settled;
      }
    } catch (err) {
      this.close(`internal error: ${(err as Error).message}`);
    } finally {
      this.busy = false;
      this.afterWork();
    }
  }

  // A request may start unless this connection holds too many unsent response bytes, or the
  // broker-wide budget is exceeded and this connection holds some (one that holds none may
  // always start one, as every Kafka connection may have one request in progress).
  private mayStart(): boolean {
    const held = this.heldResponseBytes;
    return held <= this.limits.maxUnsentResponseBytes && (held === 0 || !this.limits.responseBudget.exhausted);
  }

  private waitForRoom(resolve: () => void): void {
    this.roomWaiter = resolve;
    this.checkRoom();
  }

  // Wakes the waiting pump if a request may start now; else waits for own bytes to leave (see
  // unhold) or, when only the broker-wide budget is in the way, for room in it.
  private checkRoom(): void {
    if (!this.roomWaiter) return;
    if (this.mayStart()) this.wakeForRoom();
    else if (this.heldResponseBytes <= this.limits.maxUnsentResponseBytes) this.limits.responseBudget.onRoom(this.wakeForRoom);
  }

  private finished(slot: Slot, o: Outcome): void {
    slot.outcome = o;
    if (o.kind !== 'respond' || this.released) return;
    let n = 0;
    for (const c of o.chunks) n += c.length;
    slot.bytes = n;
    this.heldResponseBytes += n;
    this.limits.responseBudget.add(n);
  }

  private unhold(n: number): void {
    if (this.released) return;
    this.heldResponseBytes -= n;
    this.limits.responseBudget.remove(n);
    this.checkRoom();
    this.updateFlow();
  }

  // Keeps the broker-wide count of received-but-unhandled request bytes in step with ours.
  private countRequestBytes(): void {
    if (this.released) return;
    const now = this.queuedBytes + this.decoder.bufferedBytes;
    const delta = now - this.countedRequestBytes;
    this.countedRequestBytes = now;
    if (delta > 0) this.limits.requestBudget.add(delta);
    else if (delta < 0) this.limits.requestBudget.remove(-delta);
  }

  // Writes the responses at the head of the line that are ready.
  private flushSlots(): void {
    while (this.slots.length > 0 && this.slots[0]!.outcome !== null && !this.closed) {
      const slot = this.slots.shift()!;
      const outcome = slot.outcome!;
      if (outcome.kind === 'close') {
        // Let the responses written before it reach the client, then close.
        this.close(outcome.reason, true);
        break;
      }
      if (outcome.kind === 'respond') this.write(outcome.chunks, slot.bytes);
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
  private write(chunks: Buffer[], bytes: number): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const last = chunks.length - 1;
    for (let i = 0; i < last; i++) this.socket.write(chunks[i]!);
    // Called once the response is handed to the kernel (or the socket is gone).
    this.socket.write(chunks[last]!, () => this.unhold(bytes));
  }

  private updateFlow(): void {
    if (this.closed) return;
    const queued = this.queuedBytes + this.decoder.bufferedBytes;
    const overBudget = queued > 0 && this.limits.requestBudget.exhausted;
    const tooMuch = queued > this.limits.maxQueuedRequestBytes || this.heldResponseBytes > this.limits.maxUnsentResponseBytes || overBudget;
    // A connection with nothing queued may always read (its next request), as Kafka's MemoryPool
    // lets a receive start while any memory is left; others resume when the budget has room.
    if (overBudget) this.limits.requestBudget.onRoom(this.wakeForReading);
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
    this.closing = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.countRequestBytes();
    this.wakeForRoom();
    if (flush) {
      this.socket.end();
      // Keep reading (onData ignores it) so the client's FIN is seen and the socket closes; a
      // paused socket is no active handle, and the listener's close would wait for it forever.
      this.socket.resume();
      setTimeout(() => this.socket.destroy(), 5000).unref();
    } else this.socket.destroy();
  }

  // The broker died (Broker.kill): the socket is closed at once, nothing more is read or written,
  // as the kernel closes a killed process's sockets (a reset if unread bytes remain). Not
  // resetAndDestroy: on Node 20 it left the closed socket's handle active.
  kill(): void {
    this.closed = true;
    this.closing = true;
    this.queue.length = 0;
    this.socket.destroy();
  }

  private onClose(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    // Give back what this connection still counts: its write callbacks no longer matter.
    if (!this.released) {
      this.released = true;
      this.limits.requestBudget.remove(this.countedRequestBytes);
      this.countedRequestBytes = 0;
      this.limits.responseBudget.remove(this.heldResponseBytes);
      this.heldResponseBytes = 0;
    }
    this.limits.requestBudget.cancel(this.wakeForReading);
    this.wakeForRoom();
    this.notifyDrained();
    this.processor.connectionClosed(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // Graceful shutdown: stop reading, finish the requests already received, flush, end.
  async shutdown(timeoutMs: number): Promise<void> {
    if (this.closed) {
      // Closed with a flush (see close): give the client a moment to take the last bytes.
      if (!this.socket.destroyed) await this.endWithin(Math.min(timeoutMs, 1000));
      return;
    }
    this.closing = true;
    this.socket.pause();
    // The timers are not unref'd: a graceful close must finish (and the logs be closed after it)
    // even when nothing else keeps the event loop alive, e.g. a connection whose socket closed
    // while a request of it was still waiting for room. They are cleared as soon as not needed.
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<void>((resolve) => {
      if (!this.busy && this.queue.length === 0 && this.slots.length === 0) resolve();
      else this.drainWaiters.push(resolve);
      this.socket.once('close', () => resolve());
    });
    const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([drained, expired]);
    clearTimeout(timer);
    if (this.closed) return;
    await this.endWithin(Math.min(timeoutMs, 1000));
  }

  // Ends the socket and waits for it to close, destroying it after `ms`.
  private endWithin(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.socket.end();
    });
  }

  private notifyDrained(): void {
    if (this.busy || this.queue.length > 0 || this.slots.length > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
