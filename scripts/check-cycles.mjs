#!/usr/bin/env node
// Checks the import graph between the top-level parts of src/ (each folder, and each file that
// sits directly in src/) for cycles, using dependency-cruiser to read the imports (type-only
// imports and dynamic import() included: a folder that names another's types depends on it).
//
// A folder-level import "a -> b" is on a cycle when b also reaches a. There are none since issue
// 12 (the layer order is the table "Layers and folders" of docs/ARCHITECTURE.md), and
// scripts/known-cycles.txt, the list of allowed ones, is empty; the check fails
// - on a folder-level import on a cycle that the list does not have (a new cycle), and
// - on a listed import that is no longer on a cycle (`--update` removes such lines; it never
//   adds one).
// Each import on a cycle is printed with the shortest way back, and the files behind each step.
//
// Usage: node scripts/check-cycles.mjs [--verbose] [--update]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const listFile = join(root, 'scripts/known-cycles.txt');
const update = process.argv.includes('--update');
const verbose = process.argv.includes('--verbose');

// The graph, as dependency-cruiser reads it with the project's tsconfig (NodeNext: './x.js'
// resolves to './x.ts').
const cruiser = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const run = spawnSync(process.execPath, [cruiser, 'src', '--no-config', '--ts-config', 'tsconfig.json', '--ts-pre-compilation-deps', '--output-type', 'json'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});
if (run.status !== 0 || !run.stdout) {
  console.error(`check-cycles: dependency-cruiser failed (exit ${run.status})\n${run.stderr}`);
  process.exit(2);
}
const { modules } = JSON.parse(run.stdout);

// 'src/storage/log.ts' -> 'storage'; 'src/errors.ts' -> 'errors.ts'; outside src/ -> null.
function part(path) {
  if (!path.startsWith('src/')) return null;
  const rest = path.slice(4);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash);
}

// Folder-level edges, each with the file imports behind it.
const edges = new Map(); // 'a -> b' -> { from, to, files: [{ from, to, typeOnly }] }
for (const m of modules) {
  const from = part(m.source);
  if (from === null) continue;
  for (const d of m.dependencies) {
    const to = part(d.resolved);
    if (to === null || to === from) continue;
    const key = `${from} -> ${to}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, files: [] }));
    e.files.push({ from: m.source, to: d.resolved, typeOnly: d.dependencyTypes.includes('type-only') });
  }
}
const out = new Map();
for (const e of edges.values()) {
  if (!out.has(e.from)) out.set(e.from, []);
  out.get(e.from).push(e.to);
}

// Shortest path from a to b over folder edges (BFS), or null.
function path(a, b) {
  const prev = new Map([[a, null]]);
  const queue = [a];
  while (queue.length > 0) {
    const n = queue.shift();
    if (n === b) {
      const p = [];
      for (let x = b; x !== null; x = prev.get(x)) p.unshift(x);
      return p;
    }
    for (const next of (out.get(n) ?? []).sort()) {
      if (!prev.has(next)) {
        prev.set(next, n);
        queue.push(next);
      }
    }
  }
  return null;
}

// An edge a -> b is on a cycle exactly when b reaches a. A new cycle always brings at least one
// such edge that was not on a cycle before, so comparing these sets catches every new cycle.
const onCycle = new Map();
for (const [key, e] of edges) {
  const back = path(e.to, e.from);
  if (back) onCycle.set(key, { ...e, cycle: [e.from, ...back] });
}

function describe(key) {
  const e = onCycle.get(key);
  const lines = [`  ${key}    (cycle: ${e.cycle.join(' -> ')})`];
  const steps = e.cycle.slice(1).map((to, i) => edges.get(`${e.cycle[i]} -> ${to}`));
  for (const step of steps) {
    const shown = verbose ? step.files : step.files.slice(0, 1);
    const more = step.files.length - shown.length;
    const types = step.files.every((f) => f.typeOnly) ? ', all type-only' : '';
    for (const f of shown) {
      const suffix = more > 0 ? ` (+${more} more${types})` : '';
      lines.push(`      ${step.from} -> ${step.to}: ${f.from} imports ${f.to}${f.typeOnly ? ' (type)' : ''}${suffix}`);
    }
  }
  return lines.join('\n');
}

const HEADER = `# Folder-level imports in src/ allowed to lie on an import cycle between top-level folders:
# none since issue 12. Checked by \`npm run check:cycles\` (scripts/check-cycles.mjs): a cycle
# not listed here fails, and so does a listed line that is no longer on a cycle. Never add lines
# to make a new cycle pass: import the other way round (a narrow interface declared by the
# importing folder), or move the shared code to the lower folder.
`;

const allowed = new Set(
  readFileSync(listFile, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim().replace(/\s+/g, ' '))
    .filter((l) => l !== ''),
);
const added = [...onCycle.keys()].filter((k) => !allowed.has(k)).sort();
const gone = [...allowed].filter((k) => !onCycle.has(k)).sort();
const known = [...onCycle.keys()].filter((k) => allowed.has(k)).sort();

// --update drops the lines of cycles that are gone and never adds one, so that updating cannot
// wave a new cycle through.
if (update) {
  if (added.length > 0) {
    console.error(`check-cycles: not updating: ${added.length} folder import(s) on a NEW cycle (remove them first):`);
    for (const k of added) console.error(describe(k));
    process.exit(1);
  }
  writeFileSync(listFile, HEADER + [...onCycle.keys()].sort().join('\n') + (onCycle.size ? '\n' : ''));
  console.log(`check-cycles: scripts/known-cycles.txt now lists ${onCycle.size} folder import(s) on cycles (${gone.length} removed, ${added.length} added)`);
  process.exit(0);
}

if (known.length > 0) {
  console.log(`check-cycles: ${known.length} known folder import(s) on cycles (scripts/known-cycles.txt):`);
  for (const k of known) console.log(describe(k));
}
if (added.length > 0) {
  console.error(`\ncheck-cycles: FAIL: ${added.length} folder import(s) on a NEW cycle between top-level src/ folders:`);
  for (const k of added) console.error(describe(k));
  console.error('Import the other way round, or move the shared code to the lower folder.');
}
if (gone.length > 0) {
  console.error(`\ncheck-cycles: FAIL: ${gone.length} listed import(s) no longer on a cycle; delete them from scripts/known-cycles.txt:`);
  for (const k of gone) console.error(`  ${k}`);
}
const parts = new Set([...edges.values()].flatMap((e) => [e.from, e.to]));
console.log(
  `\ncheck-cycles: ${parts.size} top-level parts, ${edges.size} folder imports, ${onCycle.size} on cycles (${known.length} known, ${added.length} new), ${gone.length} stale list line(s)`,
);
process.exit(added.length > 0 || gone.length > 0 ? 1 : 0);
