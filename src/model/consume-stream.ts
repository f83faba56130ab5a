import { APIError } from 'openai';
import { BatonError } from '../observability/errors.ts';
import { type ModelCallContext, toModelError } from './model-errors.ts';

export interface ConsumeStreamOptions<Event> {
  context: ModelCallContext;
  /** Starts the request; the SDK applies its own timeout and retries until the headers arrive. */
  open: (signal: AbortSignal) => Promise<AsyncIterable<Event>>;
  onEvent: (event: Event) => void;
}

/**
 * Runs one streamed call. The SDK's timeout and retries end when the headers arrive, so what
 * happens after them is handled here: a quiet gap longer than `streamStallMs` aborts the call as
 * `model_stream_stalled`, and a connection lost mid-body fails it as `model_stream_cut`; both
 * are retryable by the caller. The SDK ends an aborted stream silently, so an abort is turned
 * back into an error here.
 */
export async function consumeStream<Event>(options: ConsumeStreamOptions<Event>): Promise<void> {
  const { context } = options;
  const controller = new AbortController();
  let stalled = false;
  let started = false;
  let eventFailure: unknown;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, context.streamStallMs);
  };
  const forwardAbort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    if (context.signal?.aborted) throw context.signal.reason;
    const stream = await untilAborted(options.open(controller.signal), context.signal);
    started = true;
    arm();
    for await (const event of stream) {
      arm();
      try {
        options.onEvent(event);
      } catch (error) {
        // The adapter's verdict on an event (a failure the server reported), not a lost connection.
        eventFailure = error;
        throw error;
      }
    }
    if (controller.signal.aborted) throw new Error('The stream was aborted.');
  } catch (error) {
    if (context.signal?.aborted) throw toModelError(error, context);
    if (stalled) throw streamStalled(error, context);
    if (started && error !== eventFailure && isConnectionLoss(error)) throw streamCut(error, context);
    throw toModelError(error, context);
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', forwardAbort);
  }
}

/**
 * After the headers, anything but a server-sent error event or an unreadable event is the
 * connection going away (undici says `terminated`, or a socket error).
 */
function isConnectionLoss(error: unknown): boolean {
  return !(error instanceof BatonError || error instanceof APIError || error instanceof SyntaxError);
}

function streamCut(error: unknown, context: ModelCallContext): BatonError {
  return new BatonError({
    code: 'model_stream_cut',
    message: `The connection to the model server at ${context.baseUrl} was lost in the middle of its answer: ${rootMessage(error)}.`,
    retryable: true,
    hint: 'Check the server and any proxy or load balancer in front of it (idle and response timeouts).',
    cause: error,
  });
}

function streamStalled(error: unknown, context: ModelCallContext): BatonError {
  return new BatonError({
    code: 'model_stream_stalled',
    message: `The model server stopped streaming its answer for more than ${context.streamStallMs} ms.`,
    retryable: true,
    hint: `Raise model.streamStallMs, or check that the server at ${context.baseUrl} is not overloaded.`,
    cause: error,
  });
}

/** A stream that ended cleanly but without its final event: as much a cut as a reset connection. */
export function streamEndedEarly(context: Pick<ModelCallContext, 'baseUrl'>): BatonError {
  return new BatonError({
    code: 'model_stream_cut',
    message: `The model server at ${context.baseUrl} ended the stream before the answer was complete.`,
    retryable: true,
    hint: 'Check the server and any proxy or load balancer in front of it (idle and response timeouts).',
  });
}

function rootMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * The SDK sleeps out a `Retry-After` without watching the signal, so a cancelled run could wait
 * minutes for it. Stop waiting at once; the SDK notices the abort when it wakes and gives up.
 */
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return pending;
  pending.catch(() => {});
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
