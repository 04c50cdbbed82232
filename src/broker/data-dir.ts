// Start-up check of log.dirs before anything reads or writes them: each must be (or be creatable
// as) a directory samsa can write, else start-up stops with one line naming the path and why
// (SAMSA_DATA_DIR), instead of a stack trace from deep inside storage.
import { mkdirSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SamsaError, SamsaErrorCode } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOTDIR: 'a parent is a file, not a directory',
  EEXIST: 'it is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOENT: 'the path cannot be created',
};

export function checkDataDirs(dirs: readonly string[]): void {
  for (const dir of dirs) {
    try {
      makeDirs(dir);
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
      // Root passes every permission check, so only a real write proves the directory usable.
      const probe = join(dir, `.samsa-write-check-${process.pid}`);
      writeFileSync(probe, '');
      unlinkSync(probe);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const why = REASONS[code] ? `${REASONS[code]} (${code})` : (err as Error).message;
      throw new SamsaError(SamsaErrorCode.DATA_DIR, `cannot use data directory ${dir}: ${why}`, { cause: err });
    }
  }
}

// mkdir -p, one level at a time: Node 20's recursive mkdirSync spins forever under /proc.
function makeDirs(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir);
}
