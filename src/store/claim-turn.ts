import { BatonError } from '../observability/errors.ts';
import { TURN_COLUMNS, type TurnRow, turnFromRow } from './rows.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import type { ClaimOptions, ClaimResult, TurnLimits, TurnRecord } from './types.ts';

/** Any constant works; every Baton process sharing a database must use the same one. */
const CLAIM_LOCK_KEY = 0x62746e63; // "btnc"

/**
 * Takes a turn for a worker in one transaction. The advisory lock serialises claims, so the limit
 * check and the claim see the same count of running turns: two workers cannot both take the last
 * slot. The row lock makes a concurrent cancel wait for the claim (and then see a running turn).
 */
export function claimTurn(
  sql: SqlClient,
  now: () => string,
  turnId: string,
  workerId: string,
  options: ClaimOptions,
): Promise<ClaimResult> {
  return sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [CLAIM_LOCK_KEY]);
    const { rows } = await tx.query<TurnRow & { stale_in: number | string | null }>(
      `SELECT ${TURN_COLUMNS},
         EXTRACT(EPOCH FROM heartbeat_at + make_interval(secs => $2) - clock_timestamp()) AS stale_in
       FROM turns WHERE id = $1 FOR UPDATE`,
      [turnId, options.staleAfterSeconds],
    );
    const row = rows[0];
    if (!row) return { type: 'missing' };
    const turn = turnFromRow(row);
    switch (turn.status) {
      case 'queued':
        if (turn.cancelRequestedAt !== null) {
          return { type: 'cancelled', turn: await finish(tx, turn.id, 'cancelled', null, now()) };
        }
        if (options.limits && (await overLimit(tx, turn, options.limits))) {
          // Marks the turn as looked after, so the dispatcher's sweep knows a job is cycling for it.
          await tx.query('UPDATE turns SET heartbeat_at = clock_timestamp() WHERE id = $1', [turn.id]);
          return { type: 'over_limit', turn };
        }
        return take(tx, turn, workerId, false, options, now);
      case 'running':
        // The same worker id after a restart is a new process: its old claim is not running anywhere.
        if (row.stale_in !== null && Number(row.stale_in) > 0 && turn.claimedBy !== workerId) {
          return { type: 'busy', turn, staleInSeconds: Number(row.stale_in) };
        }
        return take(tx, turn, workerId, true, options, now);
      case 'succeeded':
      case 'failed':
      case 'waiting':
      case 'cancelled':
      case 'budget_exhausted':
        return { type: 'finished', turn };
    }
  });
}

async function take(
  tx: SqlExecutor,
  turn: TurnRecord,
  workerId: string,
  resumed: boolean,
  options: ClaimOptions,
  now: () => string,
): Promise<ClaimResult> {
  if (options.maxAttempts !== undefined && turn.attempt >= options.maxAttempts) {
    const error = `the turn stopped its worker ${turn.attempt} times; not trying again`;
    return { type: 'exhausted', turn: await finish(tx, turn.id, 'failed', error, now()) };
  }
  const { rows } = await tx.query<TurnRow>(
    `UPDATE turns SET status = 'running', claimed_by = $2, attempt = attempt + 1, heartbeat_at = clock_timestamp()
     WHERE id = $1 RETURNING ${TURN_COLUMNS}`,
    [turn.id, workerId],
  );
  return { type: 'claimed', turn: turnFromRow(rowOf(rows)), resumed };
}

async function overLimit(tx: SqlExecutor, turn: TurnRecord, limits: TurnLimits): Promise<boolean> {
  const { rows } = await tx.query<{ running: number | string; mine: number | string }>(
    `SELECT count(*) AS running, count(*) FILTER (WHERE requester_id = $1) AS mine
     FROM turns WHERE status = 'running' AND queued_at IS NOT NULL`,
    [turn.requesterId],
  );
  const counts = rows[0];
  if (!counts) return false;
  return Number(counts.running) >= limits.maxGlobal || Number(counts.mine) >= limits.maxPerRequester;
}

async function finish(
  tx: SqlExecutor,
  turnId: string,
  status: 'cancelled' | 'failed',
  error: string | null,
  completedAt: string,
): Promise<TurnRecord> {
  const { rows } = await tx.query<TurnRow>(
    `UPDATE turns SET status = $2, error = $3, completed_at = $4 WHERE id = $1 RETURNING ${TURN_COLUMNS}`,
    [turnId, status, error, completedAt],
  );
  return turnFromRow(rowOf(rows));
}

function rowOf(rows: TurnRow[]): TurnRow {
  const row = rows[0];
  // The row is locked FOR UPDATE in this transaction; it cannot vanish between SELECT and UPDATE.
  if (!row)
    throw new BatonError({ code: 'store_query_failed', message: 'a locked turn vanished during its claim' });
  return row;
}
