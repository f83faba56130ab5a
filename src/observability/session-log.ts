import type { Item } from '../runs/items.ts';
import type { Store } from '../store/types.ts';
import { type KnownSecrets, redactSecrets } from './redact.ts';

/**
 * One item as one JSON line (no trailing newline). `type` is repeated at the top level so that
 * `jq 'select(.type == "tool_result")'` works without digging into the payload.
 */
export function formatItemJsonl(item: Item, knownSecrets: KnownSecrets = []): string {
  const line = {
    sequence: item.sequence,
    type: item.payload.type,
    id: item.id,
    turnId: item.turnId,
    startedAt: item.startedAt,
    completedAt: item.completedAt,
    payload: item.payload,
  };
  // Redact each string before serialising: a secret containing `"` or `\` is escaped in JSON text
  // and would slip past a search there, and masking inside JSON text could break its quoting.
  return JSON.stringify(line, (_key, value: unknown) =>
    typeof value === 'string' ? redactSecrets(value, knownSecrets) : value,
  );
}

/** The whole turn as JSON lines, in sequence order, each ending in a newline; empty when it has no items. */
export async function exportTurnJsonl(
  store: Pick<Store, 'listItems'>,
  turnId: string,
  knownSecrets: KnownSecrets = [],
): Promise<string> {
  const items = await store.listItems(turnId);
  return items.map((item) => `${formatItemJsonl(item, knownSecrets)}\n`).join('');
}
