// The GitHub Actions files can't run from here (GitHub is unreachable), so they are checked here:
// 1. every workflow and composite action against GitHub's JSON schemas (SchemaStore), with
//    @action-validator/core, the wasm build of action-validator; a broken file must fail;
// 2. our own rules: a build entry per target of native/package.json on a runner of its OS, the
//    test matrix (Linux, macOS, Windows x Node 20, 22, 24), the accel jobs, the release order,
//    local actions and reusable workflows that exist, pinned Kafka schema commits;
// 3. the scripts the workflows call, on what this machine has: place-schemas.mjs against
//    ../shared/kafka-protocol, napi create-npm-dir + add-native-optional-deps.mjs, and
//    check-native-binary.mjs / smoke-native.mjs on the local native build.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { validateAction, validateWorkflow, type ValidationError } from '@action-validator/core';
import { parse } from 'yaml';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = fileURLToPath(new URL('../../', import.meta.url));
const githubDir = join(root, '.github');
const sharedProtocol = join(root, '..', 'shared', 'kafka-protocol');

type Yaml = Record<string, any>;

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, keep));
    else if (keep(name)) out.push(p);
  }
  return out;
}

const isYaml = (name: string): boolean => name.endsWith('.yml') || name.endsWith('.yaml');
const workflowFiles = filesUnder(join(githubDir, 'workflows'), isYaml);
const actionFiles = filesUnder(join(githubDir, 'actions'), (n) => n === 'action.yml' || n === 'action.yaml');

function load(file: string): Yaml {
  return parse(readFileSync(file, 'utf8')) as Yaml;
}

const workflow = (name: string): Yaml => load(join(githubDir, 'workflows', name));

/** One line per error, with the nested oneOf branches, for assertion messages. */
function describe(errors: ValidationError[], indent = ''): string {
  return errors
    .map((e) => {
      const path = 'path' in e ? e.path : '';
      const where = 'location' in e && e.location ? ` (line ${e.location.line})` : '';
      const nested = 'states' in e && e.states ? e.states.map((s) => describe(s.errors, indent + '  ')).join('\n') : '';
      return `${indent}${e.code} ${path} ${e.title}${e.detail ? `: ${e.detail}` : ''}${where}${nested ? `\n${nested}` : ''}`;
    })
    .join('\n');
}

function validate(file: string, text = readFileSync(file, 'utf8')): ValidationError[] {
  return (actionFiles.includes(file) ? validateAction(text) : validateWorkflow(text)).errors;
}

/** Every step of every job of a workflow, or of a composite action. */
function steps(doc: Yaml): Yaml[] {
  if (doc.runs?.steps) return doc.runs.steps as Yaml[];
  return Object.values((doc.jobs ?? {}) as Record<string, Yaml>).flatMap((j) => (j.steps ?? []) as Yaml[]);
}

const runText = (job: Yaml): string => ((job.steps ?? []) as Yaml[]).map((s) => String(s.run ?? '')).join('\n');

const napiConfig = JSON.parse(readFileSync(join(root, 'native', 'package.json'), 'utf8')) as { name: string; napi: { triples: { additional: string[] } } };
const targets = napiConfig.napi.triples.additional;

// ---- 1. schemas ----

test('the workflow and action files exist', () => {
  const names = workflowFiles.map((f) => relative(githubDir, f).replaceAll('\\', '/'));
  for (const w of ['workflows/ci.yml', 'workflows/build-native.yml', 'workflows/release.yml']) assert.ok(names.includes(w), `${w} in ${names.join(', ')}`);
  assert.ok(
    actionFiles.some((f) => f.includes('kafka-schemas')),
    'the kafka-schemas composite action',
  );
});

test('every workflow and action validates against GitHub’s schemas', () => {
  for (const file of [...workflowFiles, ...actionFiles]) {
    const errors = validate(file);
    assert.equal(errors.length, 0, `${relative(root, file)}:\n${describe(errors)}`);
  }
});

test('the validator rejects broken workflows and actions', () => {
  const cases: Array<[string, string, 'workflow' | 'action']> = [
    ['an unknown job key', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz:\n      - run: echo\n', 'workflow'],
    [
      'a step with both run and uses',
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n        uses: actions/checkout@v4\n',
      'workflow',
    ],
    ['needs of a job that does not exist', 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: build\n    steps:\n      - run: echo\n', 'workflow'],
    ['a YAML syntax error', 'on: [push\njobs: {}\n', 'workflow'],
    ['an unknown trigger', 'on: pushed\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n', 'workflow'],
    ['a composite run step without shell', 'name: a\ndescription: b\nruns:\n  using: composite\n  steps:\n    - run: echo\n', 'action'],
    ['an action without runs', 'name: a\ndescription: b\n', 'action'],
  ];
  for (const [what, text, kind] of cases) {
    const errors = kind === 'workflow' ? validateWorkflow(text).errors : validateAction(text).errors;
    assert.ok(errors.length > 0, `${what} should not validate`);
  }
  // And a one-word break in our own ci.yml.
  const ci = readFileSync(join(githubDir, 'workflows', 'ci.yml'), 'utf8');
  const broken = ci.replace('    runs-on: ${{ matrix.os }}', '    run-on: ${{ matrix.os }}');
  assert.ok(broken !== ci, 'ci.yml has the test job’s runs-on line');
  assert.ok(validateWorkflow(broken).errors.length > 0, 'ci.yml with run-on for runs-on should not validate');
});

// ---- 2. our own rules ----

test('build-native.yml: one build per target of native/package.json, on a runner of its OS', () => {
  const doc = workflow('build-native.yml');
  assert.ok('workflow_call' in doc.on, 'build-native.yml is reusable (workflow_call)');
  const build = doc.jobs.build as Yaml;
  const include = build.strategy.matrix.include as Yaml[];
  assert.equal(include.map((e) => e.target).sort(), [...targets].sort(), 'matrix targets = napi.triples.additional');
  for (const e of include) {
    const t = String(e.target);
    const host = String(e.host);
    if (t.includes('linux')) assert.match(host, /^ubuntu-/, `${t} on ${host}`);
    if (t === 'x86_64-apple-darwin') assert.match(host, /^macos-.*intel$|^macos-13$/, `${t} needs an Intel Mac runner, not ${host}`);
    if (t === 'aarch64-apple-darwin') assert.match(host, /^macos-(1[4-9]|2\d|latest)$/, `${t} needs an arm64 Mac runner, not ${host}`);
    if (t.includes('windows')) assert.match(host, /^windows-/, `${t} on ${host}`);
    if (t.endsWith('linux-gnu')) assert.match(String(e.flags), /--zig-abi-suffix 2\.17/, `${t}: glibc floor`);
    if (t.includes('linux')) assert.ok(e.zig === true && String(e.flags).includes('--zig'), `${t} links with zig`);
  }
  const text = runText(build);
  assert.match(text, /npm run build:native -- --target "\$\{\{ matrix\.target \}\}"/);
  assert.match(text, /check-native-binary\.mjs --target "\$\{\{ matrix\.target \}\}"/);
  const upload = (build.steps as Yaml[]).find((s) => String(s.uses ?? '').startsWith('actions/upload-artifact@v4'));
  assert.ok(upload, 'build uploads with actions/upload-artifact@v4');
  assert.is(upload!.with.name, 'bindings-${{ matrix.target }}');
  assert.is(upload!.with['if-no-files-found'], 'error');
  // RUSTFLAGS in the environment would silently replace native/.cargo/config.toml's flags
  // (+crt-static on Windows, -crt-static on musl).
  const envs = [doc.env, build.env, ...(build.steps as Yaml[]).map((s) => s.env)].filter(Boolean) as Yaml[];
  assert.ok(!envs.some((e) => 'RUSTFLAGS' in e || 'CARGO_ENCODED_RUSTFLAGS' in e), 'no RUSTFLAGS in build-native.yml');
  // Every artifact is loaded on its own platform.
  const smoke = doc.jobs.smoke as Yaml;
  assert.equal((smoke.strategy.matrix.include as Yaml[]).map((e) => e.target).sort(), [...targets].sort(), 'smoke covers every target');
  assert.equal([smoke.needs].flat(), ['build']);
});

test('ci.yml: lint-typecheck, build-native, build-wasm, test on 3 OSes x Node 20/22/24, test-accel wasm and js', () => {
  const doc = workflow('ci.yml');
  for (const event of ['push', 'pull_request']) assert.ok(event in doc.on, `ci.yml runs on ${event}`);
  const jobs = doc.jobs as Record<string, Yaml>;
  for (const id of ['lint-typecheck', 'build-native', 'build-wasm', 'test', 'test-accel']) assert.ok(jobs[id], `job ${id}`);

  const lint = runText(jobs['lint-typecheck']!);
  assert.match(lint, /npm ci/);
  assert.match(lint, /npm run typecheck/);
  assert.match(lint, /npm run check:cycles/);
  assert.match(lint, /npm run lint/);
  assert.match(lint, /npm run codegen:check/);
  assert.ok(
    steps({ jobs: { l: jobs['lint-typecheck'] } }).some((s) => s.uses === './main/.github/actions/kafka-schemas'),
    'lint-typecheck gets the schemas',
  );

  assert.is(jobs['build-native']!.uses, './.github/workflows/build-native.yml');

  const wasm = runText(jobs['build-wasm']!);
  assert.match(wasm, /npm run build:wasm/);
  assert.match(wasm, /git diff --exit-code[^\n]*wasm\/build\/samsa\.wasm/);

  const t = jobs.test!;
  assert.ok([t.needs].flat().includes('build-native'), 'test needs build-native');
  const matrix = t.strategy.matrix as Yaml;
  const oses = (matrix.os as string[]).map(String);
  for (const family of [/^ubuntu-/, /^macos-/, /^windows-/])
    assert.ok(
      oses.some((o) => family.test(o)),
      `test runs on ${family}`,
    );
  assert.equal((matrix.node as unknown[]).map(String).sort(), ['20', '22', '24']);
  const buildTargets = new Set(targets);
  const expected: Record<string, RegExp> = { ubuntu: /^x86_64-unknown-linux-gnu$/, macos: /^aarch64-apple-darwin$/, windows: /^x86_64-pc-windows-msvc$/ };
  for (const os of oses) {
    const inc = (matrix.include as Yaml[]).find((i) => i.os === os);
    assert.ok(inc?.target, `test on ${os} names the native target it downloads`);
    assert.ok(buildTargets.has(inc!.target), `${inc!.target} is built`);
    assert.match(String(inc!.target), expected[os.split('-')[0]!]!, `the ${os} runner's own platform`);
  }
  const download = (t.steps as Yaml[]).find((s) => String(s.uses ?? '').startsWith('actions/download-artifact@v4'));
  assert.is(download?.with?.name, 'bindings-${{ matrix.target }}');
  const testRuns = runText(t);
  assert.match(testRuns, /^npm test$/m);
  assert.match(testRuns, /apt-get install[^\n]*kcat python3-kafka python3-confluent-kafka/);
  for (const pkg of ['python3-lz4', 'python3-snappy', 'python3-zstandard']) assert.ok(testRuns.includes(pkg), `installs ${pkg}`);
  assert.match(JSON.stringify(t.container), /bookworm/, 'Linux tests run on Debian 12, like .ci/run');

  const accel = jobs['test-accel']!;
  assert.equal((accel.strategy.matrix.accel as string[]).slice().sort(), ['js', 'wasm']);
  assert.is(accel.env?.SAMSA_ACCEL, '${{ matrix.accel }}');
  assert.match(runText(accel), /^npm test$/m);
  assert.match(String(accel['runs-on']), /^ubuntu-/);
});

test('release.yml: on v* tags, builds every target, publishes the platform packages and then samsa', () => {
  const doc = workflow('release.yml');
  assert.ok((doc.on.push.tags as string[]).includes('v*'), 'triggered by v* tags');
  assert.is(doc.jobs['build-native'].uses, './.github/workflows/build-native.yml');
  const publish = doc.jobs.publish as Yaml;
  assert.ok([publish.needs].flat().includes('build-native'));
  assert.is(publish.permissions['id-token'], 'write', 'provenance needs id-token: write');
  const list = publish.steps as Yaml[];
  const at = (re: RegExp): number => list.findIndex((s) => re.test(String(s.run ?? '')));
  const order = [
    at(/napi create-npm-dir -t \./),
    at(/napi artifacts/),
    at(/scripts\/add-native-optional-deps\.mjs/),
    at(/npm publish "\.\/\$dir" --access public --provenance/),
    at(/npm publish --access public --provenance/),
  ];
  assert.ok(
    order.every((i) => i >= 0),
    `all release steps present: ${order}`,
  );
  assert.equal(
    order,
    [...order].sort((a, b) => a - b),
    'create-npm-dir, artifacts, optional deps, platform packages, samsa',
  );
  const tokens = list.filter((s) => String(s.run ?? '').includes('npm publish')).map((s) => s.env?.NODE_AUTH_TOKEN);
  assert.equal(tokens, ['${{ secrets.NPM_TOKEN }}', '${{ secrets.NPM_TOKEN }}']);
  const download = list.find((s) => String(s.uses ?? '').startsWith('actions/download-artifact@v4'));
  assert.is(download?.with?.pattern, 'bindings-*');
});

test('every local action and reusable workflow used exists; remote actions are pinned', () => {
  const docs = [...workflowFiles, ...actionFiles].map((f) => ({ f, doc: load(f) }));
  for (const { f, doc } of docs) {
    const uses = [...steps(doc).map((s) => s.uses), ...Object.values((doc.jobs ?? {}) as Record<string, Yaml>).map((j) => j.uses)].filter(
      (u): u is string => typeof u === 'string',
    );
    for (const u of uses) {
      if (u.startsWith('./main/.github/actions/')) {
        const dir = join(root, u.slice('./main/'.length));
        assert.ok(existsSync(join(dir, 'action.yml')), `${relative(root, f)}: ${u} has an action.yml`);
      } else if (u.startsWith('./.github/workflows/')) {
        const target = join(root, u.slice(2));
        assert.ok(existsSync(target), `${relative(root, f)}: ${u} exists`);
        assert.ok('workflow_call' in load(target).on, `${u} can be called (workflow_call)`);
      } else if (u.startsWith('./')) {
        assert.unreachable(`${relative(root, f)}: ${u}: local actions are referenced from the main/ checkout`);
      } else {
        assert.match(u, /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/, `${relative(root, f)}: ${u} is pinned to a version`);
      }
    }
  }
});

test('the kafka-schemas action checks out apache/kafka at the commits pinned in shared/kafka-protocol/README.md', () => {
  const action = load(join(githubDir, 'actions', 'kafka-schemas', 'action.yml'));
  const checkouts = steps(action).filter((s) => s.with?.repository === 'apache/kafka');
  const pins: Record<string, string> = { '4.3.0': 'a9ce3221537b8653448750697915607dc7936cf3', '3.9.0': '84caaa6e9da06435411510a81fa321d4f99c351f' };
  assert.is(checkouts.length, 2);
  for (const [version, commit] of Object.entries(pins)) {
    const c = checkouts.find((s) => String(s.with.path).endsWith(`/${version}`));
    assert.ok(c, `a checkout for ${version}`);
    assert.is(c!.with.ref, commit, `${version} at ${commit}`);
    assert.is(c!.with['sparse-checkout'], 'clients/src/main/resources/common/message');
  }
  const readme = join(sharedProtocol, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    for (const [version, commit] of Object.entries(pins))
      assert.match(text, new RegExp(`\`${version.replaceAll('.', '\\.')}/\`[^\\n]*${commit}`), `README pins ${version} at ${commit}`);
  }
});

test('package.json: no @samsa/native-* optional dependencies yet (npm 11 `npm ci` fails on them), no install scripts', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
  };
  const native = Object.keys(pkg.optionalDependencies ?? {}).filter((n) => n.startsWith(`${napiConfig.name}-`));
  assert.equal(native, [], 'added at release time by scripts/add-native-optional-deps.mjs');
  for (const s of ['preinstall', 'install', 'postinstall']) assert.not.ok(pkg.scripts?.[s], `no ${s} script`);
});

// ---- 3. the scripts, on this machine ----

function run(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const placeSchemas = 'place-schemas.mjs rebuilds shared/kafka-protocol/<version> byte for byte from a flat copy (as in Kafka’s tree)';
// Without ../shared/kafka-protocol there is nothing to rebuild: skipped, saying why (scripts/run-tests.mjs prints it).
const schemasTest = existsSync(join(sharedProtocol, '4.3.0'))
  ? test
  : (console.log(`skipped: ${placeSchemas}: needs schemas (../shared/kafka-protocol beside the checkout)`), test.skip);
schemasTest(placeSchemas, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'samsa-schemas-'));
  try {
    for (const version of ['4.3.0', '3.9.0']) {
      const src = join(sharedProtocol, version);
      const flat = join(tmp, 'flat', version);
      mkdirSync(flat, { recursive: true });
      const originals = [...filesUnder(src, (n) => n.endsWith('.json'))];
      for (const f of originals) copyFileSync(f, join(flat, f.split(/[\\/]/).at(-1)!));
      const out = join(tmp, 'out', version);
      const r = run([join(githubDir, 'actions', 'kafka-schemas', 'place-schemas.mjs'), flat, out]);
      assert.is(r.code, 0, r.stderr);
      const rel = (dir: string): string[] => filesUnder(dir, () => true).map((f) => relative(dir, f).replaceAll('\\', '/'));
      assert.equal(rel(out), rel(src), `${version}: same files in the same places`);
      for (const f of rel(src)) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(src, f))), `${version}/${f} identical`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('napi create-npm-dir makes @samsa/native-<platform> for every target; add-native-optional-deps.mjs lists them all', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'samsa-release-'));
  try {
    mkdirSync(join(tmp, 'native'));
    copyFileSync(join(root, 'package.json'), join(tmp, 'package.json'));
    copyFileSync(join(root, 'native', 'package.json'), join(tmp, 'native', 'package.json'));
    const napi = run([join(root, 'node_modules', '@napi-rs', 'cli', 'scripts', 'index.js'), 'create-npm-dir', '-t', '.'], join(tmp, 'native'));
    assert.is(napi.code, 0, napi.stderr);
    const platforms = readdirSync(join(tmp, 'native', 'npm')).sort();
    assert.is(platforms.length, targets.length);
    const r = run([join(root, 'scripts', 'add-native-optional-deps.mjs'), '--root', tmp, '--no-binaries']);
    assert.is(r.code, 0, r.stderr);
    const pkg = JSON.parse(readFileSync(join(tmp, 'package.json'), 'utf8')) as { version: string; optionalDependencies: Record<string, string> };
    assert.equal(
      pkg.optionalDependencies,
      Object.fromEntries(platforms.map((p) => [`@samsa/native-${p}`, pkg.version])),
      'every platform package at samsa’s version',
    );
    for (const p of platforms) {
      const sub = JSON.parse(readFileSync(join(tmp, 'native', 'npm', p, 'package.json'), 'utf8')) as Yaml;
      assert.is(sub.name, `@samsa/native-${p}`);
      assert.is(sub.version, pkg.version);
      assert.is(sub.main, `samsa-native.${p}.node`);
      assert.equal(sub.os, [p.split('-')[0]]);
      if (p.startsWith('linux-')) assert.equal(sub.libc, [p.endsWith('musl') ? 'musl' : 'glibc']);
    }
    // A missing binary stops the release.
    const strict = run([join(root, 'scripts', 'add-native-optional-deps.mjs'), '--root', tmp]);
    assert.is.not(strict.code, 0);
    assert.match(strict.stderr, /binary samsa-native\.[\w-]+\.node is missing/);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

const localTriple: Record<string, string> = {
  'linux-x64-gnu': 'x86_64-unknown-linux-gnu',
  'linux-arm64-gnu': 'aarch64-unknown-linux-gnu',
  'darwin-arm64': 'aarch64-apple-darwin',
  'darwin-x64': 'x86_64-apple-darwin',
  'win32-x64-msvc': 'x86_64-pc-windows-msvc',
};
/** napi-rs's name for this process's platform, as src/accel/native.ts computes it. */
function localPlatformName(): string {
  if (process.platform === 'win32') return `win32-${process.arch}-msvc`;
  if (process.platform !== 'linux') return `${process.platform}-${process.arch}`;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return `linux-${process.arch}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
}
const localPlatform = localPlatformName();
const localBuild = join(root, 'native', `samsa-native.${localPlatform}.node`);

test('check-native-binary.mjs and smoke-native.mjs on the local native build', () => {
  const triple = localTriple[localPlatform];
  if (!triple || !existsSync(localBuild)) {
    console.log(`  (skipped: no ${relative(root, localBuild)}; npm run build:native makes it)`);
    return;
  }
  const check = (args: string[]): Yaml => {
    const r = run([join(root, 'scripts', 'check-native-binary.mjs'), '--json', ...args, localBuild]);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Yaml;
  };
  const ok = check(['--target', triple, '--max-glibc', '99.0']);
  assert.equal(ok.problems, [], JSON.stringify(ok));
  assert.is(ok.arch, process.arch);
  const other = triple.startsWith('x86_64') ? triple.replace('x86_64', 'aarch64') : triple.replace('aarch64', 'x86_64');
  assert.ok(
    (check(['--target', other]).problems as string[]).some((p) => p.startsWith('CPU ')),
    'a binary of the wrong CPU is refused',
  );
  if (ok.format === 'elf' && ok.newestGlibc) {
    const floor = check(['--target', triple, '--max-glibc', '2.2']);
    assert.ok(
      (floor.problems as string[]).some((p) => p.includes(`GLIBC_${ok.newestGlibc}`)),
      'a binary above the glibc floor is refused',
    );
    assert.ok((ok.napiLeftToLoader as number) > 0, 'napi_* are left to the dynamic loader on Linux');
  }
  const smoke = run([join(root, 'scripts', 'smoke-native.mjs'), localBuild]);
  assert.is(smoke.code, 0, smoke.stdout + smoke.stderr);
  assert.match(smoke.stdout, /loaded; version /);
});

test.run();
