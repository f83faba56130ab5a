import { LogLevel, type RetryOptions, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from '../../observability/logger.ts';

export interface SlackWebClientOptions {
  token: string;
  /** SLACK_API_URL (`https://slack.com/api/` when unset); tests point it at the fake. */
  apiUrl?: string;
  log: Logger;
  /** Defaults: 3 retries within about a minute. */
  retry?: RetryOptions;
  /** Per-request timeout; a hung connection must not stall a reply forever. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * The Web API's default policy retries for about 30 minutes; a reply that late is worse than a
 * logged failure. A 429 still waits its `Retry-After` (the client pauses, then retries).
 */
export const REPLY_RETRY_POLICY: RetryOptions = {
  retries: 3,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 10_000,
  maxRetryTime: 60_000,
  randomize: true,
};

const LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
};

/** The SDK's logger interface over Baton's pino logger (so tokens stay redacted). */
export function slackLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack-web-api' });
  // The SDK logs with console-style variadic arguments; they arrive as one joined line.
  const line = (parts: unknown[]) =>
    parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...parts: unknown[]) => child.debug(line(parts)),
    info: (...parts: unknown[]) => child.info(line(parts)),
    warn: (...parts: unknown[]) => child.warn(line(parts)),
    error: (...parts: unknown[]) => child.error(line(parts)),
    setLevel: () => {},
    getLevel: () => LEVELS[child.level] ?? LogLevel.INFO,
    setName: () => {},
  };
}

/** A WebClient for Baton's replies: bounded retries, honours 429 `Retry-After`, logs through pino. */
export function createSlackWebClient(options: SlackWebClientOptions): WebClient {
  return new WebClient(options.token, {
    // The SDK appends the method name to the URL as is.
    ...(options.apiUrl
      ? { slackApiUrl: options.apiUrl.endsWith('/') ? options.apiUrl : `${options.apiUrl}/` }
      : {}),
    logger: slackLogger(options.log),
    retryConfig: options.retry ?? REPLY_RETRY_POLICY,
    rejectRateLimitedCalls: false,
    timeout: options.timeoutMs ?? 20_000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
