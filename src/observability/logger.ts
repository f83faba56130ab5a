import { pino } from 'pino';
import { type KnownSecrets, redactSecrets } from './redact.ts';
import { activeSpanIds } from './tracing.ts';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level?: string;
  /** Secret values known at start (tokens from the environment); they are masked wherever they appear. */
  secrets?: KnownSecrets;
  destination?: pino.DestinationStream;
}

/** The root logger. Every string that leaves it passes through the redactor. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? [];
  return pino(
    {
      level: options.level ?? 'info',
      // Every line written inside a span names it, so logs and traces join on trace_id.
      mixin: activeSpanIds,
      hooks: {
        streamWrite: (line) => redactSecrets(line, secrets),
      },
    },
    options.destination,
  );
}

/** A logger that drops everything: for tests and for commands whose output is the terminal UI. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
