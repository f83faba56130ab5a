/**
 * One error type for the whole product. The `code` is stable (logs, metrics, tests match on it),
 * `retryable` tells callers whether trying again can help, and `hint` says what to do next.
 */
export class BatonError extends Error {
  override readonly name = 'BatonError';
  readonly code: string;
  readonly retryable: boolean;
  readonly hint: string | undefined;

  constructor(options: {
    code: string;
    message: string;
    retryable?: boolean;
    hint?: string;
    cause?: unknown;
  }) {
    super(options.message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.hint = options.hint;
  }
}

export function isBatonError(error: unknown): error is BatonError {
  return error instanceof BatonError;
}

/** One plain line for a person: the message and, when there is one, what to do next. */
export function describeError(error: unknown): string {
  if (isBatonError(error)) return error.hint ? `${error.message} (${error.hint})` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
