import { BatonError } from '../observability/errors.ts';
import { countsOn, createQueuedTurnOn } from './dispatch-methods.ts';
import { appendInboxOn } from './inbox-methods.ts';
import { toStorableJson } from './json-safe.ts';
import { THREAD_COLUMNS, type ThreadRow, threadFromRow } from './rows.ts';
import type { SqlExecutor } from './sql-client.ts';
import type { IntakeTransaction, Store } from './types.ts';

interface Clock {
  now: () => string;
  newId: () => string;
}

/**
 * The store's intake methods bound to one open transaction: everything they write commits together
 * or not at all, so a request whose placement fails (or whose process dies) leaves no claimed key
 * behind and its redelivery is taken.
 */
export function createIntakeTransaction(options: Clock & { sql: SqlExecutor }): IntakeTransaction {
  const { sql, now, newId } = options;
  return {
    sql,
    claimDeliveries: (keys) => claimDeliveriesOn(sql, now, keys),
    upsertThread: (input) => upsertThreadOn(sql, { now, newId }, input),
    createQueuedTurn: (input) => createQueuedTurnOn(sql, { now, newId }, input),
    appendInbox: (turnId, message) => appendInboxOn(sql, now, turnId, message),
    countsFor: (turnId) => countsOn(sql, turnId),
  };
}

/**
 * Inside a transaction a unique violation would abort it, so the claim skips conflicts instead and,
 * when any key was seen, gives back the ones it took: the transaction then holds no claim at all.
 * A key claimed by a concurrent, uncommitted transaction makes this statement wait for it.
 */
async function claimDeliveriesOn(sql: SqlExecutor, now: () => string, keys: readonly string[]) {
  // Sorted: two transactions claiming overlapping keys take their row locks in the same order.
  const distinct = [...new Set(keys)].sort();
  if (distinct.length === 0) return true;
  const { rows } = await sql.query<{ key: string }>(
    `INSERT INTO deliveries (key, received_at) SELECT key, $2 FROM unnest($1::text[]) AS key
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    [distinct, now()],
  );
  if (rows.length === distinct.length) return true;
  if (rows.length > 0) {
    await sql.query('DELETE FROM deliveries WHERE key = ANY($1::text[])', [rows.map((row) => row.key)]);
  }
  return false;
}

/** Finds the thread by key or creates it, on the client or inside a transaction. */
export async function upsertThreadOn(
  sql: SqlExecutor,
  clock: Clock,
  input: Parameters<Store['upsertThread']>[0],
): ReturnType<Store['upsertThread']> {
  // DO UPDATE (a no-op) rather than DO NOTHING so that RETURNING yields the existing row too,
  // in one statement that is safe when two requests for the same thread race.
  const { rows } = await sql.query<ThreadRow>(
    `INSERT INTO threads (id, key, origin, repo, branch, created_at)
     VALUES ($1, $2, $3::text::jsonb, $4, $5, $6)
     ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key
     RETURNING ${THREAD_COLUMNS}`,
    [clock.newId(), input.key, toStorableJson(input.origin), input.repo, input.branch, clock.now()],
  );
  const row = rows[0];
  if (!row) throw new BatonError({ code: 'store_query_failed', message: 'upsertThread returned no row' });
  return threadFromRow(row);
}
