import type { Item } from '../runs/items.ts';
import type { Store } from '../store/types.ts';
import { type KnownSecrets, redactSecrets } from './redact.ts';
import { traceIdOf } from './tracing.ts';

/**
 * The session log's format version (docs/session-log.md). Bumped when a field changes meaning or
 * goes away; adding a field or an item type keeps the version.
 */
export const SESSION_LOG_SCHEMA_VERSION = 1;

/**
 * One item as one JSON line (no trailing newline). `type` is repeated at the top level so that
 * `jq 'select(.type == "tool_result")'` works without digging into the payload.
 */
export function formatItemJsonl(
  item: Item,
  knownSecrets: KnownSecrets = [],
  context: { traceId?: string } = {},
): string {
  const line = {
    schemaVersion: SESSION_LOG_SCHEMA_VERSION,
    sequence: item.sequence,
    type: item.payload.type,
    id: item.id,
    turnId: item.turnId,
    ...(context.traceId ? { traceId: context.traceId } : {}),
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

/** The trace a turn belongs to: the one its request was enqueued under, when tracing was on. */
export async function turnTraceId(
  store: Pick<Store, 'getTurn'>,
  turnId: string,
): Promise<string | undefined> {
  const turn = await store.getTurn(turnId);
  const traceparent = turn?.request.traceparent;
  return typeof traceparent === 'string' ? traceIdOf(traceparent) : undefined;
}

/** The whole turn as JSON lines, in sequence order, each ending in a newline; empty when it has no items. */
export async function exportTurnJsonl(
  store: Pick<Store, 'listItems' | 'getTurn'>,
  turnId: string,
  knownSecrets: KnownSecrets = [],
): Promise<string> {
  const traceId = await turnTraceId(store, turnId);
  const items = await store.listItems(turnId);
  return items.map((item) => `${formatItemJsonl(item, knownSecrets, { traceId })}\n`).join('');
}

const ACTIVE = new Set(['queued', 'running']);

/**
 * Every item of a turn as it is recorded: what is there, then new items as they come, until the turn
 * has ended and its last items are out (`baton logs --follow`).
 */
export async function* followTurnItems(
  store: Pick<Store, 'listItems' | 'getTurn'>,
  turnId: string,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Item> {
  let lastSequence = 0;
  for (;;) {
    const turn = await store.getTurn(turnId);
    const ended = !turn || !ACTIVE.has(turn.status);
    for (const item of await store.listItems(turnId)) {
      if (item.sequence <= lastSequence) continue;
      lastSequence = item.sequence;
      yield item;
    }
    // Status read before the items: an item written just before the end is never missed.
    if (ended || options.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
