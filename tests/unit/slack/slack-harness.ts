import type { WebClient } from '@slack/web-api';
import { createSlackWebClient } from '../../../src/integrations/slack/client.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { FakeSlack } from '../../fakes/slack-server.ts';

/** Polls until `condition` holds (bounded); for state another async path produces. */
export async function waitUntil(
  condition: () => boolean,
  options: { timeoutMs?: number; what?: string } = {},
) {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Baton's reply-path client pointed at the fake, with quick retries so a failing test fails fast. */
export function clientFor(fake: FakeSlack, token = fake.botToken): WebClient {
  return createSlackWebClient({
    token,
    apiUrl: fake.apiUrl,
    log: createSilentLogger(),
    retry: { retries: 2, minTimeout: 10, maxTimeout: 50, factor: 1 },
  });
}

/** A manual clock and timer queue: the reporter's `clock`/`setTimer`/`clearTimer` seams. */
export function createManualTimers(start = 1_700_000_000_000) {
  let now = start;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimer: (callback: () => void, ms: number): unknown => {
      nextId += 1;
      timers.set(nextId, { at: now + ms, callback });
      return nextId;
    },
    clearTimer: (handle: unknown) => {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    /** Moves the clock and fires every timer that falls due, in order. */
    advance(ms: number) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= target)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].callback();
      }
      now = target;
    },
  };
}
