import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { fromPglite } from 'pg-boss/dist/adapters/pglite.js';
import type { PgliteSqlClient, SqlExecutor, SqlResult } from './sql-client.ts';
import { toSqlError } from './sql-errors.ts';

export interface PgliteClientOptions {
  /** Directory holding the database files; in memory when omitted (tests, one-off runs). */
  dataDir?: string;
}

/**
 * Embedded Postgres in this process. One database directory belongs to one process at a time:
 * PGlite has no cross-process locking, so several workers need a Postgres server instead.
 */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<PgliteSqlClient> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  let database: PGlite;
  try {
    database = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  } catch (error) {
    throw toSqlError(error, `open PGlite at ${options.dataDir ?? 'memory'}`);
  }
  let closed = false;
  return {
    kind: 'pglite',
    jobDatabase: fromPglite(database),
    ...executorOf(database),
    async transaction(fn) {
      try {
        return await database.transaction((tx) => fn(executorOf(tx)));
      } catch (error) {
        throw toSqlError(error, 'transaction');
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await database.close();
    },
  };
}

function executorOf(target: PGlite | Transaction): SqlExecutor {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      try {
        const result = await target.query<T>(sql, [...params]);
        return { rows: result.rows };
      } catch (error) {
        throw toSqlError(error, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await target.exec(sql);
      } catch (error) {
        throw toSqlError(error, sql);
      }
    },
  };
}
