import { THREAD_COLUMNS, type ThreadRow, threadFromRow } from './rows.ts';
import type { SqlExecutor } from './sql-client.ts';
import type { ThreadRecord } from './types.ts';

/**
 * The thread that works on `branch` (`baton/<hash of the thread key>`): how a comment on a Baton
 * pull request finds the conversation that opened it. Branches are unique per thread in practice;
 * should two rows share one, the newest wins.
 */
export async function getThreadByBranch(sql: SqlExecutor, branch: string): Promise<ThreadRecord | null> {
  const { rows } = await sql.query<ThreadRow>(
    `SELECT ${THREAD_COLUMNS} FROM threads WHERE branch = $1 ORDER BY created_at DESC LIMIT 1`,
    [branch],
  );
  const row = rows[0];
  return row ? threadFromRow(row) : null;
}
