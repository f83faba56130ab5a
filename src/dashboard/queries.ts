import {
  THREAD_COLUMNS,
  type ThreadRow,
  TURN_COLUMNS,
  type TurnRow,
  threadFromRow,
  turnFromRow,
} from '../store/rows.ts';
import type { SqlClient } from '../store/sql-client.ts';
import type { RunSummary } from './render.ts';

function prefixed(columns: string, alias: string, prefix: string): string {
  return columns
    .split(',')
    .map((column) => `${alias}.${column.trim()} AS ${prefix}${column.trim()}`)
    .join(', ');
}

function unprefix<T>(row: Record<string, unknown>, prefix: string): T {
  return Object.fromEntries(
    Object.entries(row)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  ) as T;
}

const SELECT_RUNS = `SELECT ${prefixed(TURN_COLUMNS, 'turns', 'turn_')}, ${prefixed(THREAD_COLUMNS, 'threads', 'thread_')}
  FROM turns JOIN threads ON threads.id = turns.thread_id`;

function toSummary(row: Record<string, unknown>): RunSummary {
  return {
    turn: turnFromRow(unprefix<TurnRow>(row, 'turn_')),
    thread: threadFromRow(unprefix<ThreadRow>(row, 'thread_')),
  };
}

/** The latest runs, newest first, for the dashboard. */
export async function listRecentRuns(sql: SqlClient, limit = 100): Promise<RunSummary[]> {
  const result = await sql.query<Record<string, unknown>>(
    `${SELECT_RUNS} ORDER BY turns.started_at DESC LIMIT $1`,
    [limit],
  );
  return result.rows.map(toSummary);
}

export async function getRun(sql: SqlClient, turnId: string): Promise<RunSummary | null> {
  const result = await sql.query<Record<string, unknown>>(`${SELECT_RUNS} WHERE turns.id = $1`, [turnId]);
  const row = result.rows[0];
  return row ? toSummary(row) : null;
}
