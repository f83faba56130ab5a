import { toStorableJson } from './json-safe.ts';
import type { SqlClient } from './sql-client.ts';
import type { Store } from './types.ts';

export type FinalMethods = Pick<
  Store,
  'recordFinal' | 'claimFinal' | 'confirmFinal' | 'releaseFinal' | 'listDueFinals' | 'listUndeliveredFinals'
>;

const plusSeconds = (iso: string, seconds: number) =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();

function summaryOf(outcome: unknown): string {
  return typeof outcome === 'object' && outcome !== null && 'summary' in outcome
    ? String(outcome.summary)
    : '';
}

/** The ledger of final replies: what is owed, who is posting it, what was given up. */
export function createFinalMethods(options: { sql: SqlClient; now: () => string }): FinalMethods {
  const { sql, now } = options;
  return {
    async recordFinal(turnId, input) {
      await sql.query(
        `INSERT INTO finals (turn_id, origin, outcome, state, next_attempt_at, created_at)
         VALUES ($1, $2, $3::text::jsonb, 'pending', $4, $5)
         ON CONFLICT (turn_id) DO NOTHING`,
        [turnId, input.origin, toStorableJson(input.outcome), input.dueAt, now()],
      );
    },

    async claimFinal(turnId, input) {
      const at = now();
      // Claimable: new, pending (whatever its due time: the owner may retry early), or a lapsed claim.
      const { rows } = await sql.query<{ attempts: number }>(
        `INSERT INTO finals (turn_id, origin, outcome, state, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3::text::jsonb, 'posting', 1, $4, $5)
         ON CONFLICT (turn_id) DO UPDATE
           SET state = 'posting', attempts = finals.attempts + 1, next_attempt_at = $4
           WHERE finals.state = 'pending' OR (finals.state = 'posting' AND finals.next_attempt_at <= $5)
         RETURNING attempts`,
        [turnId, input.origin, toStorableJson(input.outcome), plusSeconds(at, input.leaseSeconds), at],
      );
      return rows[0]?.attempts ?? null;
    },

    async confirmFinal(turnId) {
      await sql.query(
        `UPDATE finals SET state = 'delivered', delivered_at = $2, last_error = NULL WHERE turn_id = $1`,
        [turnId, now()],
      );
    },

    async releaseFinal(turnId, input) {
      await sql.query(
        `UPDATE finals SET state = $2, next_attempt_at = COALESCE($3, next_attempt_at), last_error = $4
         WHERE turn_id = $1 AND state = 'posting'`,
        [
          turnId,
          input.retryAt === null ? 'undelivered' : 'pending',
          input.retryAt,
          input.error.slice(0, 2000),
        ],
      );
    },

    async listDueFinals(listOptions = {}) {
      const { rows } = await sql.query<{
        turn_id: string;
        origin: string;
        outcome: unknown;
        attempts: number;
      }>(
        `SELECT turn_id, origin, outcome, attempts FROM finals
         WHERE state IN ('pending', 'posting') AND next_attempt_at <= $1
         ORDER BY next_attempt_at LIMIT $2`,
        [now(), listOptions.limit ?? 20],
      );
      return rows.map((row) => ({
        turnId: row.turn_id,
        origin: row.origin,
        outcome: row.outcome,
        attempts: row.attempts,
      }));
    },

    async listUndeliveredFinals(listOptions = {}) {
      const { rows } = await sql.query<{
        turn_id: string;
        thread_id: string;
        origin: string;
        attempts: number;
        last_error: string | null;
        outcome: unknown;
        created_at: Date | string;
      }>(
        `SELECT f.turn_id, t.thread_id, f.origin, f.attempts, f.last_error, f.outcome, f.created_at
         FROM finals f JOIN turns t ON t.id = f.turn_id
         WHERE f.state = 'undelivered' ORDER BY f.created_at DESC LIMIT $1`,
        [listOptions.limit ?? 100],
      );
      return rows.map((row) => ({
        turnId: row.turn_id,
        threadId: row.thread_id,
        origin: row.origin,
        attempts: row.attempts,
        lastError: row.last_error,
        summary: summaryOf(row.outcome),
        createdAt: new Date(row.created_at).toISOString(),
      }));
    },
  };
}
