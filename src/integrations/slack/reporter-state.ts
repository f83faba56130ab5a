import { createMemoryFinalLedger } from '../../store/final-ledger.ts';
import type { FinalLedger } from '../../store/types.ts';

/** What a Slack reporter remembers about its turn, across processes (gateway and worker). */
export interface SlackReporterState {
  /** ts of the status message in the thread. */
  statusMessageTs?: string;
  /** ts of the final reply, once posted. */
  finalMessageTs?: string;
}

/**
 * Durable per-turn state of the Slack reporter. The gateway (acknowledge) and the worker (start,
 * finish) may run in different processes; the claims make each message happen once.
 */
export interface SlackReporterStateStore extends FinalLedger {
  load(): Promise<SlackReporterState | null>;
  /** Replaces the saved state; the reporter always passes the merged state. */
  save(state: SlackReporterState): Promise<void>;
  /** True for exactly one caller per turn: that caller posts the status message and saves its ts. */
  claimStatusMessage(): Promise<boolean>;
}

/** An in-memory store: for tests, the CLI, and one process that does everything. */
export function createMemoryReporterState(
  initial: SlackReporterState | null = null,
): SlackReporterStateStore & {
  readonly current: SlackReporterState | null;
} {
  let state = initial ? { ...initial } : null;
  let statusClaimed = initial?.statusMessageTs !== undefined;
  const finals = createMemoryFinalLedger({ delivered: initial?.finalMessageTs !== undefined });
  return {
    get current() {
      return state;
    },
    load: async () => (state ? { ...state } : null),
    save: async (next) => {
      state = { ...next };
    },
    claimStatusMessage: async () => {
      if (statusClaimed) return false;
      statusClaimed = true;
      return true;
    },
    claimFinal: finals.claimFinal,
    confirmFinal: finals.confirmFinal,
    releaseFinal: finals.releaseFinal,
  };
}
