// Loads @confluentinc/kafka-javascript from test/clients/ckjs/node_modules, where
// scripts/install-ckjs.sh builds it (it is not a dependency of samsa). Its log lines are kept, not
// printed, so a failing test can show librdkafka's own account (CKJS_DEBUG=cgrp adds its debug
// contexts, e.g. cgrp,protocol).
import { createRequire } from 'node:module';

const require = createRequire(new URL('../clients/ckjs/package.json', import.meta.url));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ckjs: any = require('@confluentinc/kafka-javascript');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const KafkaJS: any = ckjs.KafkaJS;

export const logLines: string[] = [];

/** A KafkaJS-style logger for the client that records every line with the client's name. */
export function recordingLogger(name: string) {
  let level = KafkaJS.logLevel.INFO;
  const log = (lvl: string) => (message: string, extra?: unknown) => {
    if (lvl === 'DEBUG' && !process.env.CKJS_DEBUG) return;
    logLines.push(`${new Date().toISOString()} ${name} ${lvl} ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}`);
    if (logLines.length > 20_000) logLines.splice(0, 5_000);
  };
  return {
    info: log('INFO'),
    error: log('ERROR'),
    warn: log('WARN'),
    debug: log('DEBUG'),
    namespace: () => recordingLogger(name),
    setLogLevel: (l: number) => (level = l),
    get level() {
      return level;
    },
  };
}

/** The last `n` recorded client log lines, to append to a failure. */
export function lastLogLines(n = 200): string {
  return logLines.slice(-n).join('\n');
}
