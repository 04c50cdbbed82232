// Structured logging: one JSON line per event (pino). Levels follow pino's names; `silent` mutes.
// On a terminal `samsa start` prints the same events as readable lines (src/log-pretty.ts).
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = 'json' | 'pretty';

export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  return pino({ level, base: { name: 'samsa' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ dest: 1, sync: true }));
}
