import { toStorableJson } from './json-safe.ts';
import {
  INBOX_COLUMNS,
  type InboxRow,
  inboxMessageFromRow,
  TURN_COLUMNS,
  type TurnRow,
  turnFromRow,
} from './rows.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import type { Store } from './types.ts';

export type InboxMethods = Pick<
  Store,
  | 'appendInbox'
  | 'drainInbox'
  | 'requestCancel'
  | 'isCancelRequested'
  | 'loadReporterState'
  | 'saveReporterState'
  | 'claimStatusMessage'
>;

/** What reaches a turn while it is active: more messages, a cancel request; and its reporter's state. */
export function createInboxMethods(options: { sql: SqlClient; now: () => string }): InboxMethods {
  const { sql, now } = options;

  /** Sets a once-only marker column; true for the one caller that set it. */
  async function claimOnce(turnId: string, column: 'status_message_claimed_at') {
    const { rows } = await sql.query<{ id: string }>(
      `UPDATE turns SET ${column} = $2 WHERE id = $1 AND ${column} IS NULL RETURNING id`,
      [turnId, now()],
    );
    return rows.length > 0;
  }

  return {
    appendInbox(turnId, message) {
      return appendInboxOn(sql, now, turnId, message);
    },

    async drainInbox(turnId) {
      const { rows } = await sql.query<InboxRow>(
        `UPDATE inbox_messages SET consumed_at = $2
         WHERE turn_id = $1 AND consumed_at IS NULL
         RETURNING ${INBOX_COLUMNS}`,
        [turnId, now()],
      );
      return rows.map(inboxMessageFromRow).sort((a, b) => a.id - b.id);
    },

    async requestCancel(turnId, by) {
      // A queued turn is cancelled on the spot; a running one gets the request its worker polls for.
      const { rows } = await sql.query<TurnRow>(
        `UPDATE turns SET
           cancel_requested_at = COALESCE(cancel_requested_at, $3::timestamptz),
           cancel_requested_by = COALESCE(cancel_requested_by, $2),
           completed_at = CASE WHEN status = 'queued' THEN $3::timestamptz ELSE completed_at END,
           status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END
         WHERE id = $1 AND status IN ('queued', 'running')
         RETURNING ${TURN_COLUMNS}`,
        [turnId, by, now()],
      );
      const row = rows[0];
      if (!row) return { type: 'inactive' };
      const turn = turnFromRow(row);
      return turn.status === 'cancelled' ? { type: 'cancelled', turn } : { type: 'requested', turn };
    },

    async isCancelRequested(turnId) {
      const { rows } = await sql.query<{ requested: boolean }>(
        'SELECT cancel_requested_at IS NOT NULL AS requested FROM turns WHERE id = $1',
        [turnId],
      );
      return rows[0]?.requested === true;
    },

    async loadReporterState(turnId) {
      const { rows } = await sql.query<{ reporter_state: unknown }>(
        'SELECT reporter_state FROM turns WHERE id = $1',
        [turnId],
      );
      return rows[0]?.reporter_state ?? null;
    },

    async saveReporterState(turnId, state) {
      await sql.query('UPDATE turns SET reporter_state = $2::text::jsonb WHERE id = $1', [
        turnId,
        toStorableJson(state),
      ]);
    },

    claimStatusMessage(turnId) {
      return claimOnce(turnId, 'status_message_claimed_at');
    },
  };
}

/** Inbox append on the client or inside a transaction (intake places a request in one). */
export async function appendInboxOn(
  sql: SqlExecutor,
  now: () => string,
  turnId: string,
  message: { text: string; author?: string },
): Promise<boolean> {
  // FOR SHARE waits for a concurrent status change of the turn and then re-checks it: a message
  // lands either before the turn ends (and the worker finds it when the turn ends) or not at all.
  const { rows } = await sql.query<{ id: number }>(
    `INSERT INTO inbox_messages (turn_id, text, author, created_at)
     SELECT id, $2, $3, $4 FROM turns
     WHERE id = $1 AND status IN ('queued', 'running') AND queued_at IS NOT NULL
     FOR SHARE
     RETURNING id`,
    [turnId, message.text, message.author ?? null, now()],
  );
  return rows.length > 0;
}
