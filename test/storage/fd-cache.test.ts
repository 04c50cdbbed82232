// File handles stay bounded, and a handle a read is using survives the file being deleted or
// replaced under it (retention, the cleaner's swap) until that read releases it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, readSync, unlinkSync, rmSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdCache } from '../../src/storage/fd-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'samsa-fd-'));
const file = (n: number) => join(dir, `f${n}`);
for (let i = 0; i < 10; i++) writeFileSync(file(i), `file ${i}`);

const isOpen = (fd: number) => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};

test('at most `limit` idle handles stay open', () => {
  const c = new FdCache(3);
  const fds = [];
  for (let i = 0; i < 10; i++) {
    const fd = c.acquire(file(i), 'r');
    c.release(file(i), 'r', fd);
    fds.push(fd);
  }
  assert.is(c.size, 3);
  c.closeAll();
});

test('forget() while a read holds the handle: the read finishes on the old file', () => {
  const c = new FdCache(8);
  const fd = c.acquire(file(1), 'r');
  unlinkSync(file(1));
  c.forget(file(1));
  assert.ok(isOpen(fd), 'still open for the reader');
  const b = Buffer.alloc(6);
  readSync(fd, b, 0, 6, 0);
  assert.is(String(b), 'file 1');
  // A new file at the same path gets a handle of its own.
  writeFileSync(file(1), 'new 1!');
  const fd2 = c.acquire(file(1), 'r');
  assert.is.not(fd2, fd);
  c.release(file(1), 'r', fd);
  assert.not.ok(isOpen(fd) && fd !== fd2, 'the old handle closes when its reader releases it');
  assert.ok(isOpen(fd2));
  c.release(file(1), 'r', fd2);
  c.closeAll();
});

test('forgetIn() closes the handles of files directly in the given directories and no others', () => {
  const c = new FdCache(16);
  const sub = (d: string, n: string) => {
    mkdirSync(join(dir, d), { recursive: true });
    writeFileSync(join(dir, d, n), n);
    return join(dir, d, n);
  };
  const gone = [sub('t-0', 'a.log'), sub('t-0', 'a.index'), sub('t-1', 'a.log')];
  const kept = [sub('t-10', 'a.log'), sub('u-0', 'a.log'), file(2)];
  const idle = [...gone, ...kept].map((p) => {
    const fd = c.acquire(p, 'r');
    c.release(p, 'r', fd);
    return fd;
  });
  const pinned = c.acquire(gone[0]!, 'a');
  c.forgetIn(new Set([join(dir, 't-0'), join(dir, 't-1')]));
  assert.equal(idle.map(isOpen), [false, false, false, true, true, true]);
  assert.ok(isOpen(pinned), 'a handle in use stays open for its user');
  c.release(gone[0]!, 'a', pinned);
  assert.not.ok(isOpen(pinned), 'and closes when released');
  assert.is(c.size, 3);
  c.closeAll();
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
