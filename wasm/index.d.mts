// TypeScript resolves `import ... from './index.mjs'` to this file; the types live in index.d.ts.
export * from './index.js';
