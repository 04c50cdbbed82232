// Readable log lines for a person at a terminal: `12:00:01.234 INFO  listening port=9092 ...`,
// the level coloured unless NO_COLOR is set. Loaded only when stdout is a TTY, so scripted and
// piped runs (JSON lines) pay nothing for it at start-up.
import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '90'],
  20: ['DEBUG', '36'],
  30: ['INFO ', '32'],
  40: ['WARN ', '33'],
  50: ['ERROR', '31'],
  60: ['FATAL', '35'],
};
const SKIP = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

export function formatLine(line: string, color: boolean): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof o['time'] === 'string' ? o['time'].slice(11, 23) : '';
  const [label, code] = LEVELS[o['level'] as number] ?? ['?    ', '0'];
  const lvl = color ? `\x1b[${code}m${label}\x1b[0m` : label;
  let stack = '';
  const fields: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (SKIP.has(k)) continue;
    if (k === 'err' && v && typeof v === 'object') {
      const e = v as { message?: string; stack?: string };
      fields.push(`err=${JSON.stringify(e.message ?? '')}`);
      if (e.stack) stack = `\n    ${e.stack.split('\n').join('\n    ')}`;
      continue;
    }
    fields.push(`${k}=${typeof v === 'string' && !/[\s"=]/.test(v) ? v : JSON.stringify(v)}`);
  }
  const msg = o['msg'] === undefined ? '' : typeof o['msg'] === 'string' ? o['msg'] : JSON.stringify(o['msg']);
  return `${time} ${lvl} ${msg}${fields.length ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}

// A synchronous pino destination on stdout (fd 1), as the JSON one is.
export function prettyDestination(fd = 1): DestinationStream {
  const color = !process.env['NO_COLOR'];
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line) writeSync(fd, formatLine(line, color));
    },
  };
}
