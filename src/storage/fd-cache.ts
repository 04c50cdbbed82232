// Bounds the number of open segment files: many partitions must not exhaust file handles. Files
// are opened on use and the least recently used idle ones closed past the limit. A handle in use
// (a read or write in flight) is pinned until released.
import { closeSync, openSync } from 'node:fs';

interface Entry {
  fd: number;
  pins: number;
}

export class FdCache {
  private readonly open = new Map<string, Entry>(); // insertion order = LRU order

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.open.size;
  }

  // Opens (or reuses) `path` and pins it; call release(path) when the I/O is done.
  acquire(path: string, flags: string): number {
    const key = `${flags}:${path}`;
    let e = this.open.get(key);
    if (e) this.open.delete(key);
    else e = { fd: openSync(path, flags), pins: 0 };
    this.open.set(key, e);
    e.pins++;
    this.evict();
    return e.fd;
  }

  release(path: string, flags: string): void {
    const e = this.open.get(`${flags}:${path}`);
    if (e && e.pins > 0) e.pins--;
  }

  // Closes every handle of `path` (segment deleted or renamed).
  forget(path: string): void {
    for (const [key, e] of this.open) {
      if (key.endsWith(`:${path}`)) {
        this.open.delete(key);
        try {
          closeSync(e.fd);
        } catch {
          // already closed
        }
      }
    }
  }

  private evict(): void {
    if (this.open.size <= this.limit) return;
    for (const [key, e] of this.open) {
      if (this.open.size <= this.limit) break;
      if (e.pins > 0) continue;
      this.open.delete(key);
      closeSync(e.fd);
    }
  }

  closeAll(): void {
    for (const e of this.open.values()) {
      try {
        closeSync(e.fd);
      } catch {
        // already closed
      }
    }
    this.open.clear();
  }
}
