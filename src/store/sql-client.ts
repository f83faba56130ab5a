/** What a statement returns; `rows` are already parsed by the driver (jsonb → objects, timestamptz → Date). */
export interface SqlResult<T> {
  rows: T[];
}

/** Runs statements on one connection: the whole database, or the connection of an open transaction. */
export interface SqlExecutor {
  /** One statement with `$1`-style parameters. */
  query<T>(sql: string, params?: readonly unknown[]): Promise<SqlResult<T>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The one seam between Baton and Postgres. Both implementations speak the same dialect: PGlite
 * embedded in the process, or a server through `pg`.
 */
export interface SqlClient extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` inside BEGIN … COMMIT on one connection; any throw rolls back and rethrows. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}
