import { setTimeout as sleep } from 'node:timers/promises';
import { APIError } from 'openai';
import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { ParameterMemory } from './parameter-memory.ts';

/** Failures after the headers that a fresh request can cure; the SDK only retries before them. */
const STREAM_FAILURES = new Set(['model_stream_cut', 'model_stream_stalled']);

export interface StreamRetryPolicy {
  /** Further attempts after the first one fails mid-stream. */
  retries: number;
  /** The wait before the first retry; it doubles for each one after. */
  baseDelayMs: number;
}

export interface CallWithRecoveryOptions<Body extends object, Result> {
  body: Body;
  /** Top-level body keys the call works without (caching hints, usage in the stream, tuning). */
  optionalKeys: readonly string[];
  /** The URL the body is posted to: what a refusal is remembered for. */
  endpoint: string;
  memory: ParameterMemory;
  streamRetry: StreamRetryPolicy;
  log: Logger;
  signal: AbortSignal | undefined;
  /** One complete streamed call with this body. */
  call: (body: Body) => Promise<Result>;
}

/**
 * Runs a model call until it succeeds or fails for good. Two kinds of failure are recovered
 * here: a stream cut or stalled after the headers (retried with backoff, a bounded number of
 * times), and an OpenAI-compatible server refusing an optional parameter with a 400 (sent again
 * without it, and left out of every later call to that endpoint).
 */
export async function callWithRecovery<Body extends object, Result>(
  options: CallWithRecoveryOptions<Body, Result>,
): Promise<Result> {
  const { endpoint, memory, log } = options;
  let body = withoutKeys(options.body, [...memory.unsupported(endpoint)]);
  let streamFailures = 0;
  for (;;) {
    try {
      return await options.call(body);
    } catch (error) {
      const refused = refusedParameter(error, body, options.optionalKeys);
      if (refused !== undefined) {
        if (memory.remember(endpoint, refused)) {
          log.warn(
            { endpoint, parameter: refused, reason: messageOf(error) },
            `The model server refused the optional parameter ${refused}; Baton leaves it out for this endpoint from now on`,
          );
        }
        body = withoutKeys(body, [refused]);
        continue;
      }
      if (!(error instanceof BatonError) || !STREAM_FAILURES.has(error.code)) throw error;
      streamFailures += 1;
      if (streamFailures > options.streamRetry.retries) throw exhausted(error, streamFailures);
      const delayMs = backoff(options.streamRetry.baseDelayMs, streamFailures);
      log.warn(
        { endpoint, code: error.code, attempt: streamFailures, delayMs },
        `${error.message} Retrying in ${delayMs} ms.`,
      );
      await pause(delayMs, options.signal, error);
    }
  }
}

/** The optional parameter a 400 (or a validating server's 422) names, if the body carries it. */
function refusedParameter(error: unknown, body: object, optionalKeys: readonly string[]): string | undefined {
  if (!(error instanceof BatonError) || error.code !== 'model_bad_request') return undefined;
  const cause = error.cause;
  if (!(cause instanceof APIError) || (cause.status !== 400 && cause.status !== 422)) return undefined;
  const text = `${cause.param ?? ''} ${cause.message} ${JSON.stringify(cause.error ?? '')}`;
  return optionalKeys.find((key) => key in body && mentions(text, key));
}

/** `reasoning` must match `'reasoning.effort'` but `stream` must not match `stream_options`. */
function mentions(text: string, key: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_])${key}($|[^A-Za-z0-9_])`).test(text);
}

function withoutKeys<Body extends object>(body: Body, keys: readonly string[]): Body {
  if (!keys.some((key) => key in body)) return body;
  const copy = { ...body } as Record<string, unknown>;
  for (const key of keys) delete copy[key];
  return copy as unknown as Body;
}

/** Doubling, with up to a quarter more at random so that many runs do not retry in step. */
function backoff(baseDelayMs: number, failures: number): number {
  const delay = baseDelayMs * 2 ** (failures - 1);
  return Math.round(delay + delay * 0.25 * Math.random());
}

async function pause(delayMs: number, signal: AbortSignal | undefined, failure: BatonError) {
  try {
    await sleep(delayMs, undefined, signal ? { signal } : {});
  } catch {
    throw new BatonError({
      code: 'model_cancelled',
      message: 'The model call was cancelled.',
      cause: failure,
    });
  }
}

function exhausted(error: BatonError, failures: number): BatonError {
  return new BatonError({
    code: error.code,
    message: `${error.message} Gave up after ${failures === 1 ? '1 attempt' : `${failures} attempts`}.`,
    retryable: true,
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
