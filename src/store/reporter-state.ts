import { type FinalRetryPolicy, finalLedgerFor } from './final-ledger.ts';
import type { Store, TurnReporterStateStore } from './types.ts';

/**
 * The reporter state of one turn as the reporter sees it. `parse` validates what was stored (it was
 * written by an earlier process, perhaps an older release); without it the stored JSON is trusted.
 */
export function reporterStateFor<State>(
  store: Pick<
    Store,
    | 'loadReporterState'
    | 'saveReporterState'
    | 'claimStatusMessage'
    | 'claimFinal'
    | 'confirmFinal'
    | 'releaseFinal'
  >,
  turnId: string,
  parse: (value: unknown) => State | null = (value) => value as State | null,
  finals: { origin: string; policy?: FinalRetryPolicy } = { origin: 'slack' },
): TurnReporterStateStore<State> {
  return {
    async load() {
      const stored = await store.loadReporterState(turnId);
      return stored === null ? null : parse(stored);
    },
    save: (state) => store.saveReporterState(turnId, state),
    claimStatusMessage: () => store.claimStatusMessage(turnId),
    ...finalLedgerFor(store, turnId, finals),
  };
}
