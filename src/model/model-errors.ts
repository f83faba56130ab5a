import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { BatonError } from '../observability/errors.ts';

/** What the adapter knew about the call, so the error can say where and how long. */
export interface ModelCallContext {
  baseUrl: string;
  model: string;
  timeoutMs: number;
  maxRetries: number;
  /** The caller's signal: when it fired, whatever the SDK threw is a cancellation. */
  signal?: AbortSignal;
  /** The longest quiet gap between two events of a stream before it counts as stalled. */
  streamStallMs: number;
}

/** Statuses the SDK retries by itself (unless the server says `x-should-retry: false`). */
function sdkRetried(error: APIError, status: number): boolean {
  if (error.headers?.get('x-should-retry') === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string' && body.message) return body.message;
  return error.message.replace(/^\d{3}\s*/, '') || 'no message';
}

function serverCode(error: APIError): string | undefined {
  return typeof error.code === 'string' ? error.code : undefined;
}

function rootCauseMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

/** Turns whatever the OpenAI SDK threw into a BatonError with a stable `model_*` code. */
export function toModelError(error: unknown, context: ModelCallContext): BatonError {
  if (error instanceof BatonError) return error;
  const attempts = context.maxRetries + 1;
  if (context.signal?.aborted || error instanceof APIUserAbortError) {
    return new BatonError({
      code: 'model_cancelled',
      message: 'The model call was cancelled.',
      cause: error,
    });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new BatonError({
      code: 'model_timeout',
      message: `The model server did not answer within ${context.timeoutMs} ms (${attemptsText(attempts)}).`,
      retryable: true,
      hint: `Raise model.timeoutMs, or check that the server at ${context.baseUrl} is not overloaded.`,
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new BatonError({
      code: 'model_connection',
      message: `Could not connect to the model server at ${context.baseUrl} (${attemptsText(attempts)}): ${rootCauseMessage(error)}.`,
      retryable: true,
      hint: `Check that ${context.baseUrl} is reachable and correct (model.baseUrl or OPENAI_BASE_URL).`,
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number')
    return fromStatus(error, error.status, context);
  if (error instanceof APIError) {
    // No status: the server reported the failure inside a stream that had started well.
    return new BatonError({
      code: 'model_server_error',
      message: `The model server failed while answering: ${serverMessage(error)}`,
      retryable: true,
      hint: 'The provider may be having trouble; try again later or check its status page.',
      cause: error,
    });
  }
  return new BatonError({
    code: 'model_protocol',
    message: `The model server sent a reply Baton could not read: ${rootCauseMessage(error)}.`,
    hint: `Check that ${context.baseUrl} speaks the OpenAI API (model.api is chat-completions or responses).`,
    cause: error,
  });
}

function fromStatus(error: APIError, status: number, context: ModelCallContext): BatonError {
  const message = serverMessage(error);
  const code = serverCode(error);
  const tries = sdkRetried(error, status) ? ` after ${attemptsText(context.maxRetries + 1)}` : '';
  if (status === 401 || status === 403) {
    return new BatonError({
      code: 'model_auth',
      message: `The model server refused Baton's credentials (HTTP ${status}): ${message}`,
      hint: 'Check OPENAI_API_KEY, and that this key may use the configured model.',
      cause: error,
    });
  }
  if (status === 429) {
    const outOfQuota = code === 'insufficient_quota';
    return new BatonError({
      code: 'model_rate_limited',
      message: `The model server is rate-limiting Baton (HTTP 429)${tries}: ${message}`,
      retryable: !outOfQuota,
      hint: outOfQuota
        ? 'The API account is out of quota: check its billing and limits.'
        : 'Wait a minute and try again, or lower the number of concurrent runs.',
      cause: error,
    });
  }
  if (status === 404) {
    return new BatonError({
      code: 'model_not_found',
      message: `The model server has no model or endpoint for this request (HTTP 404): ${message}`,
      hint: `Check model.name (${context.model}), model.api and the base URL ${context.baseUrl}.`,
      cause: error,
    });
  }
  if (code === 'context_length_exceeded') {
    return new BatonError({
      code: 'model_context_overflow',
      message: `The conversation no longer fits in the model's context window (HTTP ${status}): ${message}`,
      hint: 'Lower agent.compactAtFraction or model.contextWindowTokens so the history is compacted sooner.',
      cause: error,
    });
  }
  if (status >= 500 || status === 408 || status === 409) {
    return new BatonError({
      code: 'model_server_error',
      message: `The model server failed (HTTP ${status})${tries}: ${message}`,
      retryable: true,
      hint: 'The provider may be having trouble; try again later or check its status page.',
      cause: error,
    });
  }
  return new BatonError({
    code: 'model_bad_request',
    message: `The model server rejected the request (HTTP ${status}): ${message}`,
    hint: 'The server message names the problem; a parameter this model does not support is a common cause.',
    cause: error,
  });
}
