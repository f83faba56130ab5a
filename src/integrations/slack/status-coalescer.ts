/** Timer seams: tests pass a manual clock; production uses setTimeout (unref'd). */
export type SetTimer = (callback: () => void, ms: number) => unknown;
export type ClearTimer = (handle: unknown) => void;

export const defaultSetTimer: SetTimer = (callback, ms) => {
  const handle = setTimeout(callback, ms);
  handle.unref();
  return handle;
};
export const defaultClearTimer: ClearTimer = (handle) =>
  clearTimeout(handle as ReturnType<typeof setTimeout>);

export interface CoalescerOptions<Value> {
  send(value: Value): Promise<void>;
  /** At most one send per this interval (chat.update is Tier 3, shared by the workspace). */
  minIntervalMs: number;
  /** Re-send the last value when nothing new arrived for this long (keeps the message alive). */
  refreshMs: number;
  now(): number;
  setTimer: SetTimer;
  clearTimer: ClearTimer;
  /** Milliseconds to wait when `send` failed for rate limiting; undefined for other failures. */
  retryAfterMs(error: unknown): number | undefined;
  onError(error: unknown): void;
}

export interface Coalescer<Value> {
  /** Latest value wins; sent when the interval allows and nothing is in flight. */
  push(value: Value): void;
  /** Resolves when no send is in flight (a scheduled one may follow). */
  settle(): Promise<void>;
  /** Stops the timers, waits for the send in flight and sends `last` (retrying rate limits). */
  close(last?: Value): Promise<void>;
}

const FINAL_ATTEMPTS = 4;

/** Latest-wins, one-in-flight, rate-limited delivery of a changing value. */
export function createCoalescer<Value>(options: CoalescerOptions<Value>): Coalescer<Value> {
  let pending: { value: Value } | undefined;
  let lastSent: { value: Value } | undefined;
  let inFlight: Promise<void> | undefined;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let blockedUntil = 0;
  let timer: unknown;
  let refreshTimer: unknown;
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => options.setTimer(resolve, ms));

  const armRefresh = () => {
    if (closed || options.refreshMs <= 0) return;
    if (refreshTimer !== undefined) options.clearTimer(refreshTimer);
    refreshTimer = options.setTimer(() => {
      refreshTimer = undefined;
      if (!closed && !pending && lastSent) push(lastSent.value);
    }, options.refreshMs);
  };

  const deliver = async (value: Value) => {
    try {
      await options.send(value);
      lastSent = { value };
      armRefresh();
    } catch (error) {
      const retryMs = options.retryAfterMs(error);
      if (retryMs === undefined) options.onError(error);
      else {
        blockedUntil = options.now() + retryMs;
        pending ??= { value };
      }
    } finally {
      lastSentAt = options.now();
    }
  };

  const pump = () => {
    if (closed || inFlight || !pending) return;
    const wait = Math.max(lastSentAt + options.minIntervalMs, blockedUntil) - options.now();
    if (wait > 0) {
      timer ??= options.setTimer(() => {
        timer = undefined;
        pump();
      }, wait);
      return;
    }
    const { value } = pending;
    pending = undefined;
    inFlight = deliver(value).finally(() => {
      inFlight = undefined;
      pump();
    });
  };

  function push(value: Value) {
    if (closed) return;
    pending = { value };
    pump();
  }

  return {
    push,
    async settle() {
      while (inFlight) await inFlight;
    },
    async close(last) {
      closed = true;
      for (const handle of [timer, refreshTimer]) if (handle !== undefined) options.clearTimer(handle);
      timer = undefined;
      refreshTimer = undefined;
      while (inFlight) await inFlight;
      const value = last !== undefined ? { value: last } : pending;
      pending = undefined;
      if (!value) return;
      for (let attempt = 1; attempt <= FINAL_ATTEMPTS; attempt += 1) {
        const wait = blockedUntil - options.now();
        if (wait > 0) await sleep(wait);
        try {
          await options.send(value.value);
          return;
        } catch (error) {
          const retryMs = options.retryAfterMs(error);
          if (retryMs === undefined || attempt === FINAL_ATTEMPTS) {
            options.onError(error);
            return;
          }
          blockedUntil = options.now() + retryMs;
        }
      }
    },
  };
}
