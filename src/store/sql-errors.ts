import { BatonError } from '../observability/errors.ts';

/** SQLSTATE classes where the same statement can succeed later: connection loss, shutdown, contention. */
const RETRYABLE_STATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
const RETRYABLE_STATE_CLASSES = ['08'];
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/** The SQLSTATE (or the socket errno) of a driver error, looking through BatonError causes. */
export function sqlStateOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string' && !(current instanceof BatonError)) return code;
    current = current.cause;
  }
  return undefined;
}

/** Wraps a driver error so callers see one error type; the driver error stays the `cause`. */
export function toSqlError(error: unknown, sql: string): BatonError {
  if (error instanceof BatonError) return error;
  const state = sqlStateOf(error);
  const driverMessage = error instanceof Error ? error.message : String(error);
  const connectionLost =
    state !== undefined &&
    (CONNECTION_ERRNOS.has(state) || RETRYABLE_STATE_CLASSES.some((prefix) => state.startsWith(prefix)));
  if (connectionLost) {
    return new BatonError({
      code: 'store_unavailable',
      message: `the database is unreachable: ${driverMessage}`,
      retryable: true,
      hint: 'check DATABASE_URL and that the Postgres server is running',
      cause: error,
    });
  }
  return new BatonError({
    code: 'store_query_failed',
    message: `${driverMessage}${state ? ` [${state}]` : ''} in: ${firstLine(sql)}`,
    retryable: state !== undefined && RETRYABLE_STATES.has(state),
    cause: error,
  });
}

function firstLine(sql: string): string {
  const line = sql.trim().split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
