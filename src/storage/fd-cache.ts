// Bounds the number of open segment files: many partitions must not exhaust file handles. Files
// are opened on use and the least recently used idle ones closed past the limit. A handle in use
// (a read or write in flight) is pinned until released.
import { closeSync, openSync } from 'node:fs';
import { sep } from 'node:path';

interface Entry {
  fd: number;
  pins: number;
  // Forgotten (file deleted or renamed) while pinned: closed when the last user releases it.
  doomed: boolean;
}

export class FdCache {
  private readonly open = new Map<string, Entry>(); // insertion order = LRU order
  private readonly doomed = new Map<string, Entry>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.open.size;
  }

  // Opens (or reuses) `path` and pins it; call release(path) when the I/O is done.
  acquire(path: string, flags: string): number {
    const key = `${flags}:${path}`;
    let e = this.open.get(key);
    if (e) this.open.delete(key);
    else e = { fd: openSync(path, flags), pins: 0, doomed: false };
    this.open.set(key, e);
    e.pins++;
    this.evict();
    return e.fd;
  }

  // `fd` is the handle acquire() returned: after a forget() the path may already name a new file
  // with a handle of its own.
  release(path: string, flags: string, fd: number): void {
    const key = `${flags}:${path}`;
    const open = this.open.get(key);
    const e = open !== undefined && open.fd === fd ? open : this.doomed.get(`${key}:${fd}`);
    if (!e || e.pins === 0) return;
    e.pins--;
    if (e.pins === 0 && e.doomed) {
      this.doomed.delete(`${key}:${fd}`);
      closeQuietly(e.fd);
    }
  }

  // Closes every handle of `path` (segment deleted or renamed). A handle a read is still using
  // is closed when that read releases it, so the read finishes on the old file.
  forget(path: string): void {
    for (const [key, e] of this.open) if (key.endsWith(`:${path}`)) this.drop(key, e);
  }

  // forget() for every file directly inside one of `dirs` (a deleted topic's partitions): one
  // pass over the open handles, not one per file, and no directory listing.
  forgetIn(dirs: ReadonlySet<string>): void {
    for (const [key, e] of this.open) {
      const path = key.slice(key.indexOf(':') + 1);
      if (dirs.has(path.slice(0, path.lastIndexOf(sep)))) this.drop(key, e);
    }
  }

  private drop(key: string, e: Entry): void {
    this.open.delete(key);
    if (e.pins > 0) {
      e.doomed = true;
      this.doomed.set(`${key}:${e.fd}`, e);
    } else closeQuietly(e.fd);
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
    for (const e of this.open.values()) closeQuietly(e.fd);
    for (const e of this.doomed.values()) closeQuietly(e.fd);
    this.open.clear();
    this.doomed.clear();
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
