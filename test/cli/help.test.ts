// Conventional help for every command of the real CLI (built dist/): `--help` / `-h` /
// `samsa help CMD` print usage with one described line per option and the environment variables
// samsa reads, on stdout with exit 0; usage errors are one line plus a pointer to that help.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin/samsa.js');

function samsa(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Every line of an options: block starts with the flag and has a description after it.
function assertDescribed(text: string, what: string): void {
  const rows = text.split('\n').filter((l) => /^ {2}-/.test(l));
  assert.ok(rows.length > 0, `${what}: no option rows in\n${text}`);
  for (const row of rows) assert.match(row, /^ {2}-\S.*?\S {2,}\S/, `${what}: option without a description: '${row}'`);
}

const SUBCOMMANDS: Record<string, string[]> = {
  topics: ['list', 'create', 'describe', 'delete', 'alter-config'],
  groups: ['list', 'describe', 'delete', 'reset-offsets'],
  bench: ['produce', 'consume', 'e2e', 'compare'],
};

test('samsa --help lists every command with a description and the environment variables', async () => {
  for (const args of [['--help'], ['-h'], ['help'], []]) {
    const r = await samsa(...args);
    assert.is(r.code, 0, args.join(' '));
    assert.match(r.stdout, /^samsa \d+\.\d+\.\d+ /);
    for (const c of ['start', 'topics', 'groups', 'bench', 'version', 'help'])
      assert.match(r.stdout, new RegExp(`\\n  ${c}\\b[^\\n]* {2,}\\S`), `${c} described`);
    assertDescribed(r.stdout, args.join(' '));
  }
});

test('every environment variable the code reads is in the help', async () => {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts'))
        for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/process\.env(?:\.|\[')([A-Z_][A-Z0-9_]*)/g)) names.add(m[1]!);
    }
  };
  walk(join(root, 'src'));
  assert.ok(names.has('SAMSA_ACCEL'));
  const r = await samsa('--help');
  for (const n of names) assert.match(r.stdout, new RegExp(`\\n  ${n} +\\S`), `${n} is listed with a description`);
});

test('samsa start --help, -h and samsa help start', async () => {
  for (const args of [
    ['start', '--help'],
    ['start', '-h'],
    ['help', 'start'],
  ]) {
    const r = await samsa(...args);
    assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^usage: samsa start /);
    for (const flag of ['--port', '--host', '--data-dir', '--memory', '--config', '--set', '--log-level', '--help'])
      assert.match(r.stdout, new RegExp(`\\n  (-\\w, )?${flag}\\b`), flag);
    assert.match(r.stdout, /SAMSA_ACCEL/);
    assertDescribed(r.stdout, args.join(' '));
  }
});

test('every topics, groups and bench subcommand has --help and samsa help CMD SUB', async () => {
  const runs: Promise<void>[] = [];
  for (const [cmd, subs] of Object.entries(SUBCOMMANDS)) {
    runs.push(
      samsa(cmd, '--help').then((r) => {
        assert.is(r.code, 0, `${cmd} --help: ${r.stderr}`);
        for (const s of subs) assert.match(r.stdout, new RegExp(`\\n  ${s} +\\S`), `${cmd} --help describes ${s}`);
      }),
    );
    for (const sub of subs) {
      for (const args of [
        [cmd, sub, '--help'],
        ['help', cmd, sub],
      ]) {
        runs.push(
          samsa(...args).then((r) => {
            assert.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
            assert.match(r.stdout, new RegExp(`^usage: samsa ${cmd} ${sub}`), args.join(' '));
            assertDescribed(r.stdout, args.join(' '));
          }),
        );
      }
    }
  }
  await Promise.all(runs);
});

test('-V and --version print the version', async () => {
  for (const flag of ['-V', '--version']) {
    const r = await samsa(flag);
    assert.is(r.code, 0);
    assert.match(r.stdout, /^samsa \d+\.\d+\.\d+ \(node /);
  }
});

test('usage errors: one line, then a pointer to the help, exit 2', async () => {
  const cases: [string[], RegExp, string][] = [
    [['frobnicate'], /unknown command 'frobnicate'/, 'samsa --help'],
    [['start', '--bogus'], /Unknown option '--bogus'/, 'samsa start --help'],
    [['start', '--port', 'x'], /--port must be an integer/, 'samsa start --help'],
    [['topics'], /topics needs a subcommand/, 'samsa topics --help'],
    [['groups', 'nope'], /unknown groups subcommand 'nope'/, 'samsa groups --help'],
    [['bench', 'compare', 'one.json'], /compare needs at least two result files/, 'samsa bench compare --help'],
    [['bench', 'produce'], /--bootstrap host:port is required/, 'samsa bench produce --help'],
  ];
  for (const [args, re, pointer] of cases) {
    const r = await samsa(...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.split('\n');
    assert.is(lines.length, 3, `${args.join(' ')}: two lines, got\n${r.stderr}`);
    assert.match(lines[0]!, /^samsa: /);
    assert.match(lines[0]!, re);
    assert.is(lines[1], `see '${pointer}'`);
  }
});

test.run();
