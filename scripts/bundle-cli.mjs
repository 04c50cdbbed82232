#!/usr/bin/env node
// Bundles the CLI (dist/bundle/samsa-cli.mjs). Start-up time is a feature: loading a few files
// instead of ~150 ES modules saves tens of milliseconds per `samsa start` (bench/startup.mjs).
// Each command's code is its own chunk, loaded only when that command runs: `samsa start` does
// not parse the bench or admin commands.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start from an empty folder so no stale chunk lingers.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { 'samsa-cli': 'src/cli/main.ts' },
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  // Smaller source parses faster at every start; identifiers stay readable in stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Dependencies that use require() need it in an ES module bundle.
  banner: { js: "import { createRequire as __samsaRequire } from 'node:module'; const require = __samsaRequire(import.meta.url);" },
  logLevel: 'warning',
  // Native addons and the worker pool load files of their own at run time: keep them as packages.
  // etcd3 (clusters on etcd) loads its gRPC definitions from files beside its modules.
  external: ['piscina', 'snappy', 'lz4-napi', '@mongodb-js/zstd', 'etcd3'],
});
