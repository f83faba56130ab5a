import { AuthenticationError, RateLimitError, SandboxError, ServiceBusyError } from 'e2b';
import { BatonError, isBatonError } from '../../observability/errors.ts';

/** The one line a person sees when E2B does not accept the key (wrong, revoked, or out of quota). */
export const E2B_REFUSED_MESSAGE = 'E2B refused the API key';

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as { statusCode?: unknown }).statusCode === 'number'
    ? (error as { statusCode: number }).statusCode
    : undefined;

/** A refusal of the key itself: 401, or 403 (a team without quota, a disabled key). Not retried. */
export function isKeyRefusal(error: unknown): boolean {
  return error instanceof AuthenticationError || statusOf(error) === 403;
}

/** 429 (after the SDK's own Retry-After waits) and 5xx: E2B may answer the same call later. */
export function isTransient(error: unknown): boolean {
  if (isKeyRefusal(error)) return false;
  if (error instanceof RateLimitError || error instanceof ServiceBusyError) return true;
  const status = statusOf(error);
  return error instanceof SandboxError && status !== undefined && status >= 500;
}

/** What the rest of Baton sees of an E2B failure: a stable code, and one plain line. */
export function toBatonError(error: unknown, doing: string): BatonError {
  if (isBatonError(error)) return error;
  if (isKeyRefusal(error)) {
    return new BatonError({ code: 'e2b_key_refused', message: E2B_REFUSED_MESSAGE, cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new BatonError({
    code: isTransient(error) ? 'e2b_unavailable' : 'e2b_failed',
    message: `E2B could not ${doing}: ${detail.split('\n')[0]}`,
    retryable: isTransient(error),
    hint: isTransient(error) ? 'E2B is busy or rate limiting; the run can be retried' : undefined,
    cause: error,
  });
}

export interface RetryPolicy {
  /** Calls in all, the first included. */
  attempts: number;
  /** The first wait; each next one doubles, with jitter. */
  baseDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one E2B API call, again on 429/5xx with exponential backoff. A 429 that carries
 * Retry-After is first waited out by the SDK itself (it retries such replayable requests), so this
 * layer adds the 5xx case and a 429 without the header. A refused key stops at once.
 */
export async function withRetry<T>(doing: string, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  const sleep = policy.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.attempts) throw toBatonError(error, doing);
      const delay = policy.baseDelayMs * 2 ** (attempt - 1);
      await sleep(delay + Math.floor(Math.random() * (delay / 2)));
    }
  }
}
