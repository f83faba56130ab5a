import { type ModelCallContext, toModelError } from './model-errors.ts';

export interface ConsumeStreamOptions<Event> {
  context: Omit<ModelCallContext, 'stalled'>;
  /** Starts the request; the SDK applies its own timeout and retries until the headers arrive. */
  open: (signal: AbortSignal) => Promise<AsyncIterable<Event>>;
  onEvent: (event: Event) => void;
}

/**
 * Runs one streamed call. The SDK's timeout ends when the headers arrive, so a server that stops
 * mid-stream would hang the run forever; here a quiet gap longer than timeoutMs aborts the call.
 * The SDK ends an aborted stream silently, so an abort is turned back into an error here.
 */
export async function consumeStream<Event>(options: ConsumeStreamOptions<Event>): Promise<void> {
  const { context } = options;
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, context.timeoutMs);
  };
  const forwardAbort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', forwardAbort, { once: true });
  try {
    if (context.signal?.aborted) throw context.signal.reason;
    const stream = await untilAborted(options.open(controller.signal), context.signal);
    arm();
    for await (const event of stream) {
      arm();
      options.onEvent(event);
    }
    if (controller.signal.aborted) throw new Error('The stream was aborted.');
  } catch (error) {
    throw toModelError(error, { ...context, stalled });
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', forwardAbort);
  }
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
