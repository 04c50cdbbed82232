// A broker-wide count of bytes held on behalf of connections, against a limit: request bytes
// received but not yet handled (Kafka's queued.max.request.bytes, its MemoryPool) and response
// bytes finished but not yet handed to the kernel. Connections that must wait for room register
// a callback; they are called back once the total is at or below the limit again.
export class ByteBudget {
  private usedBytes = 0;
  private readonly waiters = new Set<() => void>();

  // limit <= 0 means no limit (Kafka's -1 for queued.max.request.bytes).
  constructor(private limitBytes: number) {}

  get used(): number {
    return this.usedBytes;
  }

  get limit(): number {
    return this.limitBytes;
  }

  get exhausted(): boolean {
    return this.limitBytes > 0 && this.usedBytes > this.limitBytes;
  }

  add(n: number): void {
    this.usedBytes += n;
  }

  remove(n: number): void {
    this.usedBytes -= n;
    if (this.waiters.size > 0 && !this.exhausted) this.wakeAll();
  }

  // `fn` is called once, when there is room again.
  onRoom(fn: () => void): void {
    if (!this.exhausted) fn();
    else this.waiters.add(fn);
  }

  cancel(fn: () => void): void {
    this.waiters.delete(fn);
  }

  private wakeAll(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }
}
