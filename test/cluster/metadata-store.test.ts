// The file metadata store (issue 11 item 4): changes are appended to samsa-metadata.log and
// folded into the samsa-metadata.json snapshot once the log outgrows it. On real files: what a
// store wrote, a fresh store reads back, through compaction, a crash between writing the
// snapshot and emptying the log, a torn last line, and a pre-change-log data dir (snapshot only).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMetadataStore, METADATA_FILE, METADATA_LOG, type MetadataChange, type MetadataSnapshot } from '../../src/cluster/metadata-store.js';
import type { TopicState } from '../../src/cluster/topic.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'samsa-mdstore-'));
  dirs.push(d);
  return d;
}
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// A model of the state the changes describe, to hand the store as its snapshot.
class Model {
  snap: MetadataSnapshot = { clusterId: 'c1', topics: [], brokerConfigs: {}, clusterConfigs: {}, nextProducerIdBlock: 0 };
  apply(c: MetadataChange): void {
    if (c.op === 'topic') this.snap.topics.push(c.topic);
    if (c.op === 'partitions') this.snap.topics.find((t) => t.id === c.id)!.partitions.push(...c.partitions);
    if (c.op === 'deleteTopic') this.snap.topics = this.snap.topics.filter((t) => t.id !== c.id);
    if (c.op === 'topicConfigs') this.snap.topics.find((t) => t.id === c.id)!.configs = c.configs;
    if (c.op === 'producerIds') this.snap.nextProducerIdBlock = c.nextProducerIdBlock;
  }
  record(store: FileMetadataStore, c: MetadataChange): void {
    this.apply(c);
    store.append(c, () => structuredClone(this.snap));
  }
}

const part = (p: number) => ({ partition: p, leader: 1, leaderEpoch: 0, replicas: [1], isr: [1] });
const topic = (i: number, n = 1): TopicState => ({
  name: `t-${i}`,
  id: `id-${i}`,
  partitions: Array.from({ length: n }, (_, p) => part(p)),
  configs: {},
  internal: false,
});

function workload(store: FileMetadataStore, model: Model): void {
  model.record(store, { op: 'cluster', clusterId: 'c1' });
  for (let i = 0; i < 150; i++) model.record(store, { op: 'topic', topic: topic(i) });
  model.record(store, { op: 'partitions', id: 'id-7', partitions: [part(1), part(2)] });
  model.record(store, { op: 'deleteTopic', id: 'id-3' });
  model.record(store, { op: 'topicConfigs', id: 'id-9', configs: { 'retention.ms': '1000' } });
  model.record(store, { op: 'producerIds', nextProducerIdBlock: 2000 });
}

function same(loaded: MetadataSnapshot | null, model: Model): void {
  assert.ok(loaded);
  assert.is(loaded.clusterId, model.snap.clusterId);
  assert.equal(loaded.topics, model.snap.topics);
  assert.is(loaded.nextProducerIdBlock, model.snap.nextProducerIdBlock);
}

test('changes appended without compaction are read back by a new store', () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir);
  const model = new Model();
  workload(store, model);
  store.close();
  assert.not.ok(existsSync(join(dir, METADATA_FILE)), 'no snapshot: the changes are all in the log');
  same(new FileMetadataStore(dir).load(), model);
});

test('compaction folds the log into the snapshot; later changes are appended after it', () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir, 8 * 1024);
  const model = new Model();
  workload(store, model);
  assert.ok(existsSync(join(dir, METADATA_FILE)), 'compacted at least once');
  assert.ok(statSync(join(dir, METADATA_LOG)).size < statSync(join(dir, METADATA_FILE)).size, 'the log was emptied at compaction');
  model.record(store, { op: 'topic', topic: topic(1000, 3) });
  store.close();
  same(new FileMetadataStore(dir).load(), model);
});

test('a crash after the snapshot was written but before the log was emptied repeats nothing', () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir, 8 * 1024);
  const model = new Model();
  workload(store, model);
  const log = readFileSync(join(dir, METADATA_LOG));
  // Append more, compact, then put the pre-compaction log back: as if the crash came between
  // the snapshot's rename and the log's truncation.
  model.record(store, { op: 'deleteTopic', id: 'id-10' });
  const before = readFileSync(join(dir, METADATA_LOG));
  store.compact(structuredClone(model.snap));
  store.close();
  writeFileSync(join(dir, METADATA_LOG), Buffer.concat([log.length > 0 ? log : Buffer.alloc(0), before.subarray(log.length)]));
  same(new FileMetadataStore(dir).load(), model);
});

test('a torn last line (a crash mid-append, never acknowledged) is cut off; the store appends after it', () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir);
  const model = new Model();
  workload(store, model);
  store.close();
  appendFileSync(join(dir, METADATA_LOG), '{"seq":99999,"op":"topic","topic":{"name":"torn');
  const again = new FileMetadataStore(dir);
  same(again.load(), model);
  model.record(again, { op: 'topic', topic: topic(2000) });
  again.close();
  same(new FileMetadataStore(dir).load(), model);
});

test('a corrupt line before the end stops the load with a clear error', () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir);
  const model = new Model();
  workload(store, model);
  store.close();
  const text = readFileSync(join(dir, METADATA_LOG), 'utf8').split('\n');
  text[5] = 'not json';
  writeFileSync(join(dir, METADATA_LOG), text.join('\n'));
  assert.throws(() => new FileMetadataStore(dir).load(), /samsa-metadata\.log is corrupt/);
});

test('concurrent appendAsync calls share fsyncs and are all read back; compaction waits until they are applied', async () => {
  const dir = tempDir();
  const store = new FileMetadataStore(dir, 1024);
  const model = new Model();
  model.record(store, { op: 'cluster', clusterId: 'c1' });
  const changes: MetadataChange[] = Array.from({ length: 60 }, (_, i) => ({ op: 'topic', topic: topic(500 + i, 2) }));
  await Promise.all(changes.map((c) => store.appendAsync(c)));
  // Not applied yet: no compaction may drop them, whatever the log's size.
  assert.not.ok(existsSync(join(dir, METADATA_FILE)));
  for (const c of changes) {
    model.apply(c);
    store.asyncChangeApplied(() => structuredClone(model.snap));
  }
  assert.ok(existsSync(join(dir, METADATA_FILE)), 'compacted once all were applied');
  same(new FileMetadataStore(dir).load(), model);
});

test('a data dir from before the change log (snapshot only) loads as it was', () => {
  const dir = tempDir();
  const snap: MetadataSnapshot = { clusterId: 'old', topics: [topic(1, 2)], brokerConfigs: { 'log.retention.ms': '5' }, nextProducerIdBlock: 3000 };
  writeFileSync(join(dir, METADATA_FILE), JSON.stringify(snap, null, 1));
  const store = new FileMetadataStore(dir);
  const loaded = store.load();
  assert.equal(loaded?.topics, snap.topics);
  assert.is(loaded?.nextProducerIdBlock, 3000);
  store.append({ op: 'topic', topic: topic(2) }, () => snap);
  store.close();
  assert.equal(
    new FileMetadataStore(dir).load()?.topics.map((t) => t.name),
    ['t-1', 't-2'],
  );
});

test.run();
