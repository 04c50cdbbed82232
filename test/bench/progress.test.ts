// The live progress line of `samsa bench` (meter.ts): drawn on stderr when stderr is a terminal,
// absent when it is a pipe. The terminal is a pseudo-terminal from util-linux `script`, so no real
// TTY is needed; where there is no util-linux `script` (macOS, Windows) the test has nothing to run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { root } from './helpers.js';

const hasScript = process.platform === 'linux' && /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const PROGRESS = /\r\x1b\[2Kproduce \d+s: [\d,]+ records\/s, [\d.]+ MB\/s, p99 so far [\d.]+ ms [\d,]+ records/;

let broker: Broker;

test.before(async () => {
  broker = await startBroker({ port: 0, logLevel: 'silent' });
});
test.after(async () => {
  await broker.close();
});

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `samsa ARGS` as a shell command line (the CLI through tsx, as test/bench/helpers.ts runs it). */
function commandLine(args: string[]): string {
  return [process.execPath, '--import', 'tsx', '-e', "import('./src/cli/main.ts').then(m => m.main(process.argv.slice(1)))", '--', ...args]
    .map(quote)
    .join(' ');
}

/** Runs a shell command line on a pseudo-terminal; resolves with everything the terminal showed. */
function onTerminal(line: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', line, '/dev/null'], {
      cwd: root,
      env: { ...process.env, SHELL: '/bin/sh', FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const limit = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, output });
    });
  });
}

const produce = (topic: string) => ['bench', 'produce', '--bootstrap', broker.bootstrap, '--topic', topic, '--duration', '3s', '--rate', '5000'];

test('on a terminal: a progress line with records/s, MB/s and p99 so far, then the summary', async () => {
  if (!hasScript) return;
  const r = await onTerminal(commandLine(produce('tty')));
  assert.is(r.code, 0, r.output);
  assert.match(r.output, PROGRESS, 'a progress line');
  assert.match(r.output, /records\/s, [\d.]+ MB\/s \([\d,]+ requests\)/, 'the summary');
  assert.match(r.output, /errors: none/);
});

test('stderr to a pipe (stdout still the terminal): no progress line', async () => {
  if (!hasScript) return;
  // stderr goes through `cat` (a pipe) to the terminal; stdout goes to the terminal directly.
  const r = await onTerminal(`{ ${commandLine(produce('piped'))} 2>&1 1>&3 3>&- | cat; } 3>&1`);
  assert.is(r.code, 0, r.output);
  assert.not.match(r.output, /records\/s, [\d.]+ MB\/s, p99 so far/, 'no progress line');
  assert.not.match(r.output, /\x1b\[2K/, 'no line erasing');
  assert.match(r.output, /records\/s, [\d.]+ MB\/s \([\d,]+ requests\)/, 'the summary still shows');
});

test.run();
