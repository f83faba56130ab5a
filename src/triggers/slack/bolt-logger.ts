import { inspect } from 'node:util';
import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../observability/logger.ts';

const line = (parts: readonly unknown[]): string =>
  parts.map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 3 }))).join(' ');

/** Bolt's logger interface over Baton's pino logger, so Bolt's lines are structured and redacted too. */
export function createBoltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'bolt' });
  let level: LogLevel = LogLevel.INFO;
  return {
    debug: (...parts: unknown[]) => child.debug(line(parts)),
    info: (...parts: unknown[]) => child.info(line(parts)),
    warn: (...parts: unknown[]) => child.warn(line(parts)),
    error: (...parts: unknown[]) => child.error(line(parts)),
    // pino's level (from the config) decides what is written; Bolt's own setting is only remembered.
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
