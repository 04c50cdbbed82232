#!/usr/bin/env node
// The `samsa` command. The CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import nodeModule from 'node:module';

// Node 22.1+ caches compiled code between runs (most of samsa's start-up is compiling); Node 20
// has no such cache and skips this.
nodeModule.enableCompileCache?.();
import('../dist/bundle/samsa-cli.mjs').then(
  (cli) => cli.main(process.argv.slice(2)),
  (err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
      console.error('samsa: dist/ is missing; run `npm install` or `npm run build` first');
      process.exit(1);
    }
    throw err;
  },
);
