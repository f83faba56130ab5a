import { randomUUID } from 'node:crypto';
import { BatonError } from '../observability/errors.ts';
import type { Item } from '../runs/items.ts';
import { createDispatchMethods } from './dispatch-methods.ts';
import { createFinalMethods } from './final-methods.ts';
import { createInboxMethods } from './inbox-methods.ts';
import { createIntakeTransaction, upsertThreadOn } from './intake-transaction.ts';
import { toStorableJson } from './json-safe.ts';
import {
  ITEM_COLUMNS,
  type ItemRow,
  itemFromRow,
  THREAD_COLUMNS,
  type ThreadRow,
  TURN_COLUMNS,
  type TurnRow,
  threadFromRow,
  turnFromRow,
} from './rows.ts';
import type { SqlClient } from './sql-client.ts';
import { sqlStateOf } from './sql-errors.ts';
import type { Store, TurnRecord } from './types.ts';

export interface CreateStoreOptions {
  /** Migrated already (see `migrate`); the store owns it from here and closes it in `close()`. */
  sql: SqlClient;
  now?: () => Date;
  newId?: () => string;
}

type TurnPatch = Parameters<Store['updateTurn']>[1];

const TURN_PATCH_COLUMNS = {
  status: 'status',
  tokens: 'tokens',
  costUsd: 'cost_usd',
  error: 'error',
  completedAt: 'completed_at',
} as const satisfies Record<keyof TurnPatch, string>;

/** The persisted record of runs: Thread → Turn → Item, in Postgres (embedded or a server). */
export function createStore(options: CreateStoreOptions): Store {
  const { sql } = options;
  const now = () => (options.now ?? (() => new Date()))().toISOString();
  const newId = options.newId ?? randomUUID;

  return {
    ...createDispatchMethods({ sql, now, newId }),
    ...createInboxMethods({ sql, now }),
    ...createFinalMethods({ sql, now }),

    upsertThread(input) {
      return upsertThreadOn(sql, { now, newId }, input);
    },

    async updateThread(id, patch) {
      if (patch.pullRequestUrl === undefined) return;
      const { rows } = await sql.query<{ id: string }>(
        'UPDATE threads SET pull_request_url = $2 WHERE id = $1 RETURNING id',
        [id, patch.pullRequestUrl],
      );
      if (rows.length === 0) throw notFound('thread', id);
    },

    async getThread(id) {
      const { rows } = await sql.query<ThreadRow>(`SELECT ${THREAD_COLUMNS} FROM threads WHERE id = $1`, [
        id,
      ]);
      return rows[0] ? threadFromRow(rows[0]) : null;
    },

    async getThreadByKey(key) {
      const { rows } = await sql.query<ThreadRow>(`SELECT ${THREAD_COLUMNS} FROM threads WHERE key = $1`, [
        key,
      ]);
      return rows[0] ? threadFromRow(rows[0]) : null;
    },

    async createTurn(input) {
      try {
        const { rows } = await sql.query<TurnRow>(
          `INSERT INTO turns (id, thread_id, status, request, started_at)
           VALUES ($1, $2, 'queued', $3::text::jsonb, $4)
           RETURNING ${TURN_COLUMNS}`,
          [newId(), input.threadId, toStorableJson(input.request), now()],
        );
        return turnFromRow(single(rows, 'createTurn'));
      } catch (error) {
        if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) throw notFound('thread', input.threadId, error);
        throw error;
      }
    },

    async updateTurn(id, patch) {
      const assignments: string[] = [];
      const params: unknown[] = [id];
      for (const field of Object.keys(TURN_PATCH_COLUMNS) as (keyof TurnPatch)[]) {
        const value = patch[field];
        if (value === undefined) continue;
        params.push(value);
        assignments.push(`${TURN_PATCH_COLUMNS[field]} = $${params.length}`);
      }
      if (assignments.length === 0) return;
      const { rows } = await sql.query<{ id: string }>(
        `UPDATE turns SET ${assignments.join(', ')} WHERE id = $1 RETURNING id`,
        params,
      );
      if (rows.length === 0) throw notFound('turn', id);
    },

    async getTurn(id) {
      const { rows } = await sql.query<TurnRow>(`SELECT ${TURN_COLUMNS} FROM turns WHERE id = $1`, [id]);
      return rows[0] ? turnFromRow(rows[0]) : null;
    },

    async listTurns(threadId): Promise<TurnRecord[]> {
      const { rows } = await sql.query<TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns WHERE thread_id = $1 ORDER BY started_at, id`,
        [threadId],
      );
      return rows.map(turnFromRow);
    },

    async appendItem(turnId, payload, appendOptions): Promise<Item> {
      const startedAt = now();
      // One statement: the UPDATE takes the turn's row lock, so concurrent appends queue behind it
      // and each sees the sequence the previous one left. A failed INSERT rolls the bump back too.
      const { rows } = await sql.query<ItemRow>(
        `WITH next AS (
           UPDATE turns SET last_item_sequence = last_item_sequence + 1
           WHERE id = $1
           RETURNING last_item_sequence AS sequence
         )
         INSERT INTO items (id, turn_id, sequence, type, payload, started_at, completed_at)
         SELECT $2, $1, next.sequence, $3, $4::text::jsonb, $5, $6 FROM next
         RETURNING ${ITEM_COLUMNS}`,
        [
          turnId,
          newId(),
          payload.type,
          toStorableJson(payload),
          startedAt,
          appendOptions?.completed ? startedAt : null,
        ],
      );
      if (!rows[0]) throw notFound('turn', turnId);
      return itemFromRow(rows[0]);
    },

    async completeItem(itemId) {
      const { rows } = await sql.query<{ id: string }>(
        'UPDATE items SET completed_at = COALESCE(completed_at, $2) WHERE id = $1 RETURNING id',
        [itemId, now()],
      );
      if (rows.length === 0) throw notFound('item', itemId);
    },

    async listItems(turnId, listOptions) {
      const { rows } = await sql.query<ItemRow>(
        `SELECT ${ITEM_COLUMNS} FROM items WHERE turn_id = $1 AND sequence > $2 ORDER BY sequence`,
        [turnId, listOptions?.afterSequence ?? 0],
      );
      return rows.map(itemFromRow);
    },

    inTransaction(fn) {
      return sql.transaction((tx) => fn(createIntakeTransaction({ sql: tx, now, newId })));
    },

    close() {
      return sql.close();
    },
  };
}

const FOREIGN_KEY_VIOLATION = '23503';

function single<T>(rows: T[], operation: string): T {
  const row = rows[0];
  if (!row) throw new BatonError({ code: 'store_query_failed', message: `${operation} returned no row` });
  return row;
}

function notFound(what: 'thread' | 'turn' | 'item', id: string, cause?: unknown): BatonError {
  return new BatonError({
    code: `${what}_not_found`,
    message: `no ${what} with id ${id}`,
    hint: `check the ${what} id; it may belong to another database`,
    cause,
  });
}
