import type { Store } from './types.ts';

/** Every string in a JSON-like value, masked; structure, numbers and booleans as they were. */
export function maskStrings<Value>(value: Value, mask: (text: string) => string): Value {
  if (typeof value === 'string') return mask(value) as Value;
  if (Array.isArray(value)) return value.map((entry: unknown) => maskStrings(entry, mask)) as Value;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, entry]) => [key, maskStrings(entry, mask)]),
    ) as Value;
  }
  return value;
}

/**
 * The store with every text it persists from a run masked first: items (tool calls and results,
 * model messages, checkpoints), turn errors and requests, reporter state, inbox messages and the
 * final replies owed (their outcome and last error). Masking happens
 * before the write, so no secret reaches a table, a WAL segment or an old row version.
 */
export function withMaskedWrites(store: Store, mask: (text: string) => string): Store {
  return {
    ...store,
    appendItem: (turnId, payload, options) => store.appendItem(turnId, maskStrings(payload, mask), options),
    updateTurn: (id, patch) =>
      store.updateTurn(id, typeof patch.error === 'string' ? { ...patch, error: mask(patch.error) } : patch),
    finishTurn: (turnId, workerId, outcome) =>
      store.finishTurn(
        turnId,
        workerId,
        typeof outcome.error === 'string' ? { ...outcome, error: mask(outcome.error) } : outcome,
      ),
    saveReporterState: (turnId, state) => store.saveReporterState(turnId, maskStrings(state, mask)),
    appendInbox: (turnId, message) => store.appendInbox(turnId, { ...message, text: mask(message.text) }),
    createTurn: (input) => store.createTurn({ ...input, request: maskStrings(input.request, mask) }),
    recordFinal: (turnId, input) =>
      store.recordFinal(turnId, { ...input, outcome: maskStrings(input.outcome, mask) }),
    claimFinal: (turnId, input) =>
      store.claimFinal(turnId, { ...input, outcome: maskStrings(input.outcome, mask) }),
    releaseFinal: (turnId, input) => store.releaseFinal(turnId, { ...input, error: mask(input.error) }),
  };
}
