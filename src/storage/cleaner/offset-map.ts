// The cleaner's key -> latest offset map over the dirty part of a log (Kafka's OffsetMap /
// SkimpyOffsetMap, storage/.../log/SkimpyOffsetMap.java).
//
// Kafka stores a 16-byte MD5 of every key in a fixed hash table sized by
// log.cleaner.dedupe.buffer.size. Here a JS Map holds short keys themselves (no collisions at all)
// and the MD5 of longer ones (as Kafka, a collision between two keys is accepted as impossible),
// each prefixed by one byte so a raw key never equals a digest. `capacity` bounds the entries as
// Kafka's slots do: when the map is full the clean stops at a segment boundary, and the rest of
// the dirty log is cleaned next round.
import { createHash } from 'node:crypto';

/** Keys up to this many bytes are stored as they are; longer ones as their MD5 digest. */
const RAW_KEY_MAX = 32;

/**
 * About 100 bytes of heap per entry with short keys: 1M entries ~ 100 MB, the same order as
 * Kafka's default 128 MiB dedupe buffer (5.6M slots of 24 bytes, which is why Kafka fits more).
 */
export const DEFAULT_MAP_CAPACITY = 1 << 20;

export function mapKey(buf: Buffer, start: number, length: number): string {
  if (length <= RAW_KEY_MAX) return '\u0000' + buf.toString('latin1', start, start + length);
  return (
    '\u0001' +
    createHash('md5')
      .update(buf.subarray(start, start + length))
      .digest()
      .toString('latin1')
  );
}

export class OffsetMap {
  private readonly map = new Map<string, number>();
  /** The last offset the map covers (records after it are not judged by it); -1: none. */
  latestOffset = -1;

  constructor(readonly capacity = DEFAULT_MAP_CAPACITY) {}

  get size(): number {
    return this.map.size;
  }

  get full(): boolean {
    return this.map.size >= this.capacity;
  }

  put(key: string, offset: number): void {
    this.map.set(key, offset);
  }

  /** The latest offset of `key` in the dirty range, or -1 when the key is not there. */
  get(key: string): number {
    return this.map.get(key) ?? -1;
  }

  updateLatestOffset(offset: number): void {
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  clear(): void {
    this.map.clear();
    this.latestOffset = -1;
  }
}
