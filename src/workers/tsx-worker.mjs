// The pool's worker entry when samsa runs from its TypeScript sources under tsx (tests, benches).
// Node 20 ignores `--import tsx` in a worker's execArgv and does not pass the main thread's loader
// hooks to workers, so the worker registers tsx's loader itself, then loads the tasks. Compiled
// builds (dist/) load tasks.js directly and never use this file.
import { register } from 'tsx/esm/api';

register();
const tasks = await import('./tasks.ts');

export const { decompressBatch, compressBatch, recompressBatch, validateBatch, echo } = tasks;
