import { Pool, type PoolClient } from 'pg';
import type { PostgresSqlClient, SqlExecutor, SqlResult } from './sql-client.ts';
import { toSqlError } from './sql-errors.ts';

export interface PostgresClientOptions {
  /** `postgresql://user@host:5432/db`; `?options=-c search_path=name` selects a schema. */
  connectionString: string;
  /** Connections held by this process. */
  maxConnections?: number;
  connectTimeoutMs?: number;
}

/** A Postgres server through a `pg` pool: several workers can share one database. */
export function createPostgresClient(options: PostgresClientOptions): PostgresSqlClient {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let closed: Promise<void> | undefined;
  return {
    kind: 'postgres',
    connectionString: options.connectionString,
    ...executorOf(pool),
    async transaction(fn) {
      let connection: PoolClient;
      try {
        connection = await pool.connect();
      } catch (error) {
        throw toSqlError(error, 'connect');
      }
      let broken = false;
      // A connection that dies while checked out emits 'error' on itself, not on the pool; the
      // statement in flight rejects with it anyway, so the event must not crash the process.
      const onConnectionError = () => {
        broken = true;
      };
      connection.on('error', onConnectionError);
      try {
        await connection.query('BEGIN');
        const result = await fn(executorOf(connection));
        await connection.query('COMMIT');
        return result;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw toSqlError(error, 'transaction');
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: drop it instead of reusing it.
        connection.off('error', onConnectionError);
        connection.release(broken);
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}

function executorOf(target: Pool | PoolClient): SqlExecutor {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      try {
        const result = await target.query(sql, [...params]);
        return { rows: result.rows as T[] };
      } catch (error) {
        throw toSqlError(error, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        // Without parameters pg uses the simple protocol, which runs several statements at once.
        await target.query(sql);
      } catch (error) {
        throw toSqlError(error, sql);
      }
    },
  };
}
