// The bench's own socket (samsa bench and the bench/ suite): writes pre-encoded request frames and splits the byte stream back into
// response frames without the per-frame cost of a general client. Small frames are delivered
// whole (a view of the chunk when possible); large frames (Fetch responses of many MiB) deliver
// only their first `headBytes` bytes and their size, unless `sampleWhole(index)` asks for the
// whole frame (to check it with the generated codec now and then). A consumer that only counts
// bytes then costs about what the ceiling's does.
import { connect, type Socket } from 'node:net';

export interface RawConnectionOptions {
  /** Frames up to this size are delivered whole. */
  wholeLimit?: number;
  /** How much of a larger frame to keep for the handler. */
  headBytes?: number;
  /** Whether to also keep frame number `index` (0-based) whole. */
  sampleWhole?: (index: number) => boolean;
}

/** `head` is the whole frame when `whole` is true. The 4-byte size prefix is not included. */
export type FrameHandler = (head: Buffer, size: number, whole: boolean) => void;

export class RawConnection {
  onFrame: FrameHandler = () => {};
  onClose: (err: Error | null) => void = () => {};
  bytesIn = 0;
  frames = 0;
  private readonly wholeLimit: number;
  private readonly headBytes: number;
  private readonly sampleWhole: (index: number) => boolean;
  private prefix = Buffer.alloc(4);
  private prefixLen = 0;
  private size = 0;
  private remaining = 0; // payload bytes of the current frame still to come; 0 = reading a size prefix
  private got = 0;
  private buf: Buffer | null = null; // whole frame or head
  private isWhole = false;

  private constructor(
    readonly socket: Socket,
    opts: RawConnectionOptions,
  ) {
    this.wholeLimit = opts.wholeLimit ?? 1024 * 1024;
    this.headBytes = opts.headBytes ?? 256;
    this.sampleWhole = opts.sampleWhole ?? (() => false);
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => this.onData(c));
    let closed = false;
    const close = (err: Error | null) => {
      if (closed) return;
      closed = true;
      this.onClose(err);
    };
    socket.on('error', (e) => close(e));
    socket.on('close', () => close(null));
  }

  static connect(port: number, opts: RawConnectionOptions = {}, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new RawConnection(s, opts));
      });
      s.once('error', reject);
    });
  }

  /** Writes the parts of one or more frames with one writev; returns false when the socket's buffer is full. */
  write(parts: readonly Buffer[]): boolean {
    if (parts.length === 1) return this.socket.write(parts[0]!);
    this.socket.cork();
    let ok = true;
    for (const p of parts) ok = this.socket.write(p);
    this.socket.uncork();
    return ok;
  }

  drain(): Promise<void> {
    return new Promise((r) => this.socket.once('drain', () => r()));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    const n = chunk.length;
    let off = 0;
    while (off < n) {
      if (this.remaining === 0) {
        // Fast path: a whole small frame inside this chunk, delivered as a view.
        if (this.prefixLen === 0 && n - off >= 4) {
          const size = chunk.readInt32BE(off);
          if (size <= this.wholeLimit && n - off - 4 >= size) {
            off += 4 + size;
            this.deliver(chunk.subarray(off - size, off), size, true);
            continue;
          }
        }
        while (this.prefixLen < 4 && off < n) this.prefix[this.prefixLen++] = chunk[off++]!;
        if (this.prefixLen < 4) return;
        this.prefixLen = 0;
        this.size = this.prefix.readInt32BE(0);
        if (this.size < 0) throw new Error(`negative frame size ${this.size}`);
        this.got = 0;
        this.isWhole = this.size <= this.wholeLimit || this.sampleWhole(this.frames);
        this.buf = Buffer.allocUnsafe(this.isWhole ? this.size : Math.min(this.size, this.headBytes));
        this.remaining = this.size;
        if (this.size === 0) {
          this.deliver(this.buf, 0, true);
          continue;
        }
      }
      const take = Math.min(this.remaining, n - off);
      const keep = Math.min(take, this.buf!.length - this.got);
      if (keep > 0) chunk.copy(this.buf!, this.got, off, off + keep);
      this.got += take;
      this.remaining -= take;
      off += take;
      if (this.remaining === 0) {
        const b = this.buf!;
        this.buf = null;
        this.deliver(b, this.size, this.isWhole);
      }
    }
  }

  private deliver(head: Buffer, size: number, whole: boolean): void {
    this.frames++;
    this.onFrame(head, size, whole);
  }
}
