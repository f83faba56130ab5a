import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { FinalClaim, FinalLedger } from '../store/types.ts';

export type { FinalClaim, FinalLedger } from '../store/types.ts';

/**
 * How one attempt at a final reply ended: posted now; found already posted (a process died after
 * posting, before confirming); not this caller's (delivered, or another holds the claim); failed and
 * due again later; failed for the last time and recorded as undelivered.
 */
export type FinalDeliveryResult = 'delivered' | 'found' | 'not_claimed' | 'retrying' | 'undelivered';

/**
 * Claim, look, post, confirm. A failed post releases the claim for the worker's sweep to retry
 * with backoff; the final is never dropped silently and, thanks to the look, never posted twice.
 */
export async function deliverOnce(options: {
  ledger: FinalLedger;
  outcome: unknown;
  /** Whether the final is already in the thread, issue or PR (read from there, by its marker). */
  findPosted: () => Promise<boolean>;
  /** Posts the final; `attempt` above 1 is a retry (by this process or after a takeover). */
  post: (claim: FinalClaim) => Promise<void>;
  log: Logger;
  onResult?: (result: FinalDeliveryResult) => void;
}): Promise<FinalDeliveryResult> {
  const { ledger, log } = options;
  const done = (result: FinalDeliveryResult) => {
    options.onResult?.(result);
    return result;
  };
  const claim = await ledger.claimFinal(options.outcome);
  if (!claim) return done('not_claimed');
  try {
    if (claim.attempt > 1 && (await options.findPosted())) {
      await ledger.confirmFinal();
      log.info({ attempt: claim.attempt }, 'final reply was already posted; not posting it again');
      return done('found');
    }
    await options.post(claim);
  } catch (error) {
    const next = await ledger.releaseFinal(describeError(error));
    log[next === 'undelivered' ? 'error' : 'warn'](
      { err: error, attempt: claim.attempt, next },
      next === 'undelivered'
        ? 'final reply could not be delivered; recorded as undelivered'
        : 'final reply failed; it will be retried',
    );
    return done(next);
  }
  await ledger.confirmFinal();
  return done('delivered');
}
