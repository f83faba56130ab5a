import { BatonError } from '../observability/errors.ts';
import { claimTurn } from './claim-turn.ts';
import { toStorableJson } from './json-safe.ts';
import { TURN_COLUMNS, type TurnRow, turnFromRow } from './rows.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { sqlStateOf } from './sql-errors.ts';
import type { QueueCounts, Store } from './types.ts';

export type DispatchMethods = Pick<
  Store,
  | 'claimDeliveries'
  | 'releaseDeliveries'
  | 'pruneDeliveries'
  | 'createQueuedTurn'
  | 'findActiveTurn'
  | 'listDispatchable'
  | 'claimTurn'
  | 'heartbeat'
  | 'finishTurn'
  | 'countsFor'
  | 'countQueued'
>;

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
/** Attempts to either create a turn or find the active one, when the active one ends in between. */
const CREATE_ATTEMPTS = 5;

/** Dedupe, the one-active-turn-per-thread rule, claims, heartbeats and the counts behind limits. */
export function createDispatchMethods(options: {
  sql: SqlClient;
  now: () => string;
  newId: () => string;
}): DispatchMethods {
  const { sql, now, newId } = options;

  const findActiveTurn = (threadId: string) => findActiveTurnOn(sql, threadId);

  return {
    async claimDeliveries(keys) {
      const distinct = [...new Set(keys)];
      if (distinct.length === 0) return true;
      try {
        // One statement is atomic: a key seen before (or claimed concurrently) fails it whole.
        await sql.query(
          'INSERT INTO deliveries (key, received_at) SELECT key, $2 FROM unnest($1::text[]) AS key',
          [distinct, now()],
        );
        return true;
      } catch (error) {
        if (sqlStateOf(error) === UNIQUE_VIOLATION) return false;
        throw error;
      }
    },

    async releaseDeliveries(keys) {
      await sql.query('DELETE FROM deliveries WHERE key = ANY($1::text[])', [[...new Set(keys)]]);
    },

    async pruneDeliveries(before) {
      const { rows } = await sql.query<{ key: string }>(
        'DELETE FROM deliveries WHERE received_at < $1 RETURNING key',
        [before],
      );
      return rows.length;
    },

    createQueuedTurn(input) {
      return createQueuedTurnOn(sql, { now, newId }, input);
    },

    findActiveTurn,

    async listDispatchable(listOptions) {
      const { rows } = await sql.query<TurnRow>(
        `SELECT ${TURN_COLUMNS} FROM turns
         WHERE queued_at IS NOT NULL
           AND (status = 'queued'
             OR (status = 'running' AND (heartbeat_at IS NULL
               OR heartbeat_at < clock_timestamp() - make_interval(secs => $1))))
         ORDER BY queued_at, id LIMIT $2`,
        [listOptions.staleAfterSeconds, listOptions.limit ?? 100],
      );
      return rows.map(turnFromRow);
    },

    claimTurn(turnId, workerId, claimOptions) {
      return claimTurn(sql, now, turnId, workerId, claimOptions);
    },

    async heartbeat(turnId, workerId) {
      const { rows } = await sql.query<{ id: string }>(
        `UPDATE turns SET heartbeat_at = clock_timestamp()
         WHERE id = $1 AND claimed_by = $2 AND status = 'running' RETURNING id`,
        [turnId, workerId],
      );
      return rows.length > 0;
    },

    async finishTurn(turnId, workerId, outcome) {
      const { rows } = await sql.query<{ id: string }>(
        `UPDATE turns SET status = $3, error = $4, completed_at = $5
         WHERE id = $1 AND claimed_by = $2 AND status = 'running' RETURNING id`,
        [turnId, workerId, outcome.status, outcome.error ?? null, now()],
      );
      return rows.length > 0;
    },

    countsFor(turnId) {
      return countsOn(sql, turnId);
    },

    async countQueued(): Promise<number> {
      const { rows } = await sql.query<{ queued: number | string }>(
        `SELECT count(*) AS queued FROM turns WHERE status = 'queued' AND queued_at IS NOT NULL`,
      );
      return Number(rows[0]?.queued ?? 0);
    },
  };
}

/** The thread's queued or running turn, on the client or inside a transaction. */
export async function findActiveTurnOn(sql: SqlExecutor, threadId: string) {
  const { rows } = await sql.query<TurnRow>(
    `SELECT ${TURN_COLUMNS} FROM turns
     WHERE thread_id = $1 AND status IN ('queued', 'running') AND queued_at IS NOT NULL`,
    [threadId],
  );
  return rows[0] ? turnFromRow(rows[0]) : null;
}

export async function createQueuedTurnOn(
  sql: SqlExecutor,
  clock: { now: () => string; newId: () => string },
  input: Parameters<Store['createQueuedTurn']>[0],
): ReturnType<Store['createQueuedTurn']> {
  const { now, newId } = clock;
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt += 1) {
    const queuedAt = now();
    let rows: TurnRow[];
    try {
      ({ rows } = await sql.query<TurnRow>(
        `INSERT INTO turns (id, thread_id, status, request, started_at, queued_at, requester_id, heartbeat_at)
         VALUES ($1, $2, 'queued', $3::text::jsonb, $4, $4, $5, clock_timestamp())
         ON CONFLICT (thread_id) WHERE status IN ('queued', 'running') AND queued_at IS NOT NULL DO NOTHING
         RETURNING ${TURN_COLUMNS}`,
        [newId(), input.threadId, toStorableJson(input.request), queuedAt, input.requesterId],
      ));
    } catch (error) {
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) {
        throw new BatonError({
          code: 'thread_not_found',
          message: `no thread with id ${input.threadId}`,
          hint: 'upsert the thread before queueing a turn on it',
          cause: error,
        });
      }
      throw error;
    }
    if (rows[0]) return { type: 'created', turn: turnFromRow(rows[0]) };
    const active = await findActiveTurnOn(sql, input.threadId);
    if (active) return { type: 'active', turn: active };
  }
  throw new BatonError({
    code: 'turn_create_contended',
    message: `thread ${input.threadId} kept changing while a turn was queued on it`,
    retryable: true,
  });
}

export async function countsOn(sql: SqlExecutor, turnId: string): Promise<QueueCounts | null> {
  const { rows } = await sql.query<Record<keyof QueueCounts, number | string>>(
    `SELECT
       (SELECT count(*) FROM turns r WHERE r.status = 'running' AND r.queued_at IS NOT NULL) AS "running",
       (SELECT count(*) FROM turns r WHERE r.status = 'running' AND r.queued_at IS NOT NULL
          AND r.requester_id = t.requester_id) AS "runningForRequester",
       (SELECT count(*) FROM turns q WHERE q.status = 'queued' AND q.queued_at IS NOT NULL
          AND (q.queued_at, q.id) < (t.queued_at, t.id)) AS "queuedAhead",
       (SELECT count(*) FROM turns q WHERE q.status = 'queued' AND q.queued_at IS NOT NULL
          AND (q.queued_at, q.id) < (t.queued_at, t.id)
          AND q.requester_id = t.requester_id) AS "queuedAheadForRequester"
     FROM turns t WHERE t.id = $1`,
    [turnId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    running: Number(row.running),
    runningForRequester: Number(row.runningForRequester),
    queuedAhead: Number(row.queuedAhead),
    queuedAheadForRequester: Number(row.queuedAheadForRequester),
  };
}
