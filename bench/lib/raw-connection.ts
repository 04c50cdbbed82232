// Moved to src/bench/raw-connection.ts (shared with `samsa bench`).
export * from '../../src/bench/raw-connection.js';
