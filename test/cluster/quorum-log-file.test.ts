// The embedded quorum's log on disk (src/cluster/quorum/quorum-log-file.ts): appends survive a
// reopen with their offsets and the cluster id; a torn last line (a crash mid-append, never
// committed) is cut and the next append follows the last whole record; a bad line before the end
// stops the open with the file's name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedQuorum } from '../../src/cluster/quorum/embedded-quorum.js';

const records = (q: EmbeddedQuorum) => {
  const out: unknown[] = [];
  q.follow(0, (rs) => out.push(...rs));
  return out;
};

test('reopened: same cluster id and records; a torn last line is cut; corruption before the end is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-quorum-log-'));
  try {
    let q = EmbeddedQuorum.open(dir);
    const clusterId = q.clusterId;
    assert.is(await q.append([{ op: 'producerIds', nextProducerIdBlock: 1000 }], 0), 1);
    assert.is(
      await q.append(
        [
          { op: 'groupConfigs', groupId: 'g', configs: { 'consumer.session.timeout.ms': '50000' } },
          { op: 'producerIds', nextProducerIdBlock: 2000 },
        ],
        1,
      ),
      3,
    );
    await q.close();
    // A crash in the middle of the next append.
    appendFileSync(join(dir, 'metadata.log'), '{"offset":4,"op":"produc');
    q = EmbeddedQuorum.open(dir);
    assert.is(q.clusterId, clusterId);
    assert.is(q.logEnd(), 3);
    assert.equal(records(q), [
      { offset: 1, change: { op: 'producerIds', nextProducerIdBlock: 1000 } },
      { offset: 2, change: { op: 'groupConfigs', groupId: 'g', configs: { 'consumer.session.timeout.ms': '50000' } } },
      { offset: 3, change: { op: 'producerIds', nextProducerIdBlock: 2000 } },
    ]);
    assert.is(await q.append([{ op: 'producerIds', nextProducerIdBlock: 3000 }], 3), 4);
    await q.close();
    q = EmbeddedQuorum.open(dir, clusterId);
    assert.is(q.logEnd(), 4);
    await q.close();
    // Another cluster id for this quorum is refused.
    assert.throws(() => EmbeddedQuorum.open(dir, 'other'), /belongs to cluster\.id/);
    // A bad line in the middle.
    const lines = readFileSync(join(dir, 'metadata.log'), 'utf8').split('\n');
    lines[2] = '{not json';
    writeFileSync(join(dir, 'metadata.log'), lines.join('\n'));
    assert.throws(() => EmbeddedQuorum.open(dir), /metadata\.log is corrupt at byte/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
