// The embedded quorum's log on disk, for a cluster with a data dir (startCluster({ dataDir }),
// `samsa start --brokers N --data-dir`): `<dataDir>/quorum/metadata.log`, one JSON line per
// record, the first line naming the cluster id. Each append is written and fsynced before the
// quorum commits it (KRaft's controller commits a record once it is on disk), so a restart finds
// every committed record again, with the same offsets and the same cluster id. The changes use
// the encoding of samsa-metadata.log (metadata-store.ts: partitions as runs).
// A torn last line (a crash mid-append: never committed) is cut at load; a bad line before the
// end is corruption and stops the start. No snapshots yet: the log is replayed whole.
import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { decodeChange, encodeChange } from '../metadata-store.js';
import type { MetadataRecord } from './quorum.js';

export const QUORUM_LOG = 'metadata.log';

export class QuorumLogFile {
  readonly path: string;
  private bytes = 0;

  constructor(readonly dir: string) {
    this.path = join(dir, QUORUM_LOG);
  }

  // The cluster id and records stored, or null for a new quorum.
  load(): { clusterId: string; records: MetadataRecord[] } | null {
    if (!existsSync(this.path)) return null;
    const buf = readFileSync(this.path);
    let clusterId: string | null = null;
    const records: MetadataRecord[] = [];
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(0x0a, pos);
      let rec: Record<string, unknown> | null;
      try {
        rec = JSON.parse(buf.toString('utf8', pos, nl < 0 ? buf.length : nl)) as Record<string, unknown>;
      } catch {
        rec = null;
      }
      if (nl < 0 || rec === null) {
        if (nl < 0 || nl === buf.length - 1) break; // a torn last line: never committed
        throw new Error(`metadata quorum log ${this.path} is corrupt at byte ${pos}; restore it or move it away`);
      }
      if (clusterId === null) {
        if (typeof rec.clusterId !== 'string') throw new Error(`metadata quorum log ${this.path} does not start with the cluster id`);
        clusterId = rec.clusterId;
      } else {
        const { offset, ...change } = rec;
        if (offset !== records.length + 1) throw new Error(`metadata quorum log ${this.path} skips from offset ${records.length} to ${String(offset)}`);
        records.push({ offset: offset as number, change: decodeChange(change) });
      }
      pos = nl + 1;
    }
    if (pos < buf.length) {
      const fd = openSync(this.path, 'r+');
      try {
        ftruncateSync(fd, pos);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.bytes = pos;
    if (clusterId === null) return null;
    return { clusterId, records };
  }

  // A new quorum: the header line.
  create(clusterId: string): void {
    mkdirSync(this.dir, { recursive: true });
    this.bytes = 0;
    this.write([JSON.stringify({ clusterId })], true);
  }

  // Makes records durable (written and fsynced) before they are committed.
  append(records: readonly MetadataRecord[]): void {
    this.write(records.map((r) => JSON.stringify({ offset: r.offset, ...encodeChange(r.change) })));
  }

  private write(lines: string[], truncate = false): void {
    const data = Buffer.from(lines.join('\n') + '\n');
    const fd = openSync(this.path, truncate ? 'w' : 'r+');
    try {
      let off = 0;
      try {
        while (off < data.length) off += writeSync(fd, data, off, data.length - off, this.bytes + off);
        fsyncSync(fd);
      } catch (err) {
        // Nothing of a failed append may stay: the next one starts where this one did.
        try {
          ftruncateSync(fd, this.bytes);
        } catch {
          /* the load cuts a torn last line anyway */
        }
        throw err;
      }
      this.bytes += data.length;
    } finally {
      closeSync(fd);
    }
    if (truncate) {
      const d = openSync(this.dir, 'r');
      try {
        fsyncSync(d);
      } finally {
        closeSync(d);
      }
    }
  }
}
