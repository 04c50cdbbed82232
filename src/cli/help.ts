// Help text shared by every command: option tables (one line each), the environment variables
// samsa reads, and the one-line pointer that follows a usage error instead of a usage dump.

export type OptionRow = [flags: string, description: string];

export function formatOptions(title: string, rows: readonly OptionRow[]): string {
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  return `${title}:\n${rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`).join('\n')}`;
}

// Every variable samsa itself reads (grep process.env in src/).
export const ENVIRONMENT: readonly OptionRow[] = [
  ['SAMSA_ACCEL', 'hot-path backend: native, wasm or js (default: the first that loads, in that order)'],
  ['SAMSA_NATIVE_PATH', 'load the native addon from this .node file instead of native/'],
  ['SAMSA_DEBUG', 'set to 1 to print the stack of an unexpected CLI failure'],
  ['NO_COLOR', 'set to disable colours in the logs printed on a terminal'],
];

export const ENVIRONMENT_HELP = formatOptions('environment', ENVIRONMENT);

export function helpPointer(command: string): string {
  return `see 'samsa ${command} --help'`;
}

export function isHelpFlag(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}
