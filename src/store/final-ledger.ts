import type { FinalLedger, Store } from './types.ts';

/** How a final reply is retried: the claim's lease, the backoff between attempts, when to give up. */
export interface FinalRetryPolicy {
  /** A claim not confirmed or released within this long belongs to a process that died. */
  leaseSeconds: number;
  /** First wait after a failed post; doubled each attempt, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts before the final is recorded as undelivered. */
  maxAttempts: number;
}

export const DEFAULT_FINAL_RETRY: FinalRetryPolicy = {
  leaseSeconds: 120,
  retryBaseMs: 5_000,
  retryMaxMs: 10 * 60_000,
  maxAttempts: 8,
};

/** The store-backed ledger of one turn's final reply, for the reporter of its origin. */
export function finalLedgerFor(
  store: Pick<Store, 'claimFinal' | 'confirmFinal' | 'releaseFinal'>,
  turnId: string,
  options: { origin: string; policy?: FinalRetryPolicy; clock?: () => number },
): FinalLedger {
  const policy = options.policy ?? DEFAULT_FINAL_RETRY;
  const clock = options.clock ?? Date.now;
  let attempt = 0;
  return {
    async claimFinal(outcome) {
      const claimed = await store.claimFinal(turnId, {
        origin: options.origin,
        outcome,
        leaseSeconds: policy.leaseSeconds,
      });
      if (claimed === null) return null;
      attempt = claimed;
      return { attempt };
    },
    confirmFinal: () => store.confirmFinal(turnId),
    async releaseFinal(error) {
      if (attempt >= policy.maxAttempts) {
        await store.releaseFinal(turnId, { error, retryAt: null });
        return 'undelivered';
      }
      const waitMs = Math.min(policy.retryBaseMs * 2 ** Math.max(attempt - 1, 0), policy.retryMaxMs);
      await store.releaseFinal(turnId, { error, retryAt: new Date(clock() + waitMs).toISOString() });
      return 'retrying';
    },
  };
}

/** One process, no store (the CLI, tests): claimable again after a release, never twice at once. */
export function createMemoryFinalLedger(options: { delivered?: boolean } = {}): FinalLedger & {
  readonly state: 'open' | 'posting' | 'delivered';
} {
  let state: 'open' | 'posting' | 'delivered' = options.delivered ? 'delivered' : 'open';
  let attempts = 0;
  return {
    get state() {
      return state;
    },
    claimFinal: async () => {
      if (state !== 'open') return null;
      state = 'posting';
      attempts += 1;
      return { attempt: attempts };
    },
    confirmFinal: async () => {
      state = 'delivered';
    },
    releaseFinal: async () => {
      state = 'open';
      return 'retrying';
    },
  };
}
