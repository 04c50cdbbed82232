// Reassembles length-prefixed Kafka frames from TCP chunks. One `data` event is not one request:
// a chunk may hold half a size prefix, several frames, or the start of a 100 MiB one. A frame that
// lies within one chunk is returned as a view of it (no copy); only frames that span chunks are
// joined.

export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`frame size ${size} is negative or above the limit of ${limit} bytes`);
  }
}

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = -1; // payload size of the frame being assembled, -1 while the prefix is incomplete

  constructor(private readonly maxFrameBytes: number) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  // Set once a size prefix above the limit (or below zero) is seen: the stream cannot be framed
  // past it. The frames before it are still returned, so they are answered first.
  error: FrameTooLargeError | null = null;

  // Adds a chunk and returns the complete frames (payload without the 4-byte size prefix).
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    if (this.error) return frames;
    try {
      this.collect(chunk, frames);
    } catch (err) {
      if (!(err instanceof FrameTooLargeError)) throw err;
      this.error = err;
      this.chunks = [];
      this.buffered = 0;
    }
    return frames;
  }

  private collect(chunk: Buffer, frames: Buffer[]): void {
    if (this.buffered === 0) {
      // Fast path: walk frames in place while they are whole within this chunk.
      let off = 0;
      while (chunk.length - off >= 4) {
        const size = this.checkSize(chunk.readInt32BE(off));
        if (chunk.length - off - 4 < size) break;
        frames.push(chunk.subarray(off + 4, off + 4 + size));
        off += 4 + size;
      }
      if (off === chunk.length) return;
      chunk = chunk.subarray(off);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) break;
        this.need = this.checkSize(this.peekInt32());
      }
      if (this.buffered < 4 + this.need) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      frames.push(all.subarray(4, 4 + this.need));
      const rest = all.subarray(4 + this.need);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      this.need = -1;
    }
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(size, this.maxFrameBytes);
    return size;
  }

  private peekInt32(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 8));
    return head.readInt32BE(0);
  }
}
