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
export type SqlClient = PgliteSqlClient | PostgresSqlClient;

interface SqlClientBase extends SqlExecutor {
  /** Runs `fn` inside BEGIN … COMMIT on one connection; any throw rolls back and rethrows. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** pg-boss's database seam: one statement with parameters, or a block of statements without. */
export interface JobDatabase {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** LISTEN, so a job sent is picked up at once instead of at the next poll. */
  listen?(
    channel: string,
    onNotification: (payload: string) => void,
    onReconnect: () => void,
  ): Promise<{ close(): Promise<void> }>;
}

/** Embedded: the queue (pg-boss) must share this database, since one data directory has one owner. */
export interface PgliteSqlClient extends SqlClientBase {
  readonly kind: 'pglite';
  /** The same database for pg-boss. */
  readonly jobDatabase: JobDatabase;
}

/** A server: the queue opens its own pool from the same connection string. */
export interface PostgresSqlClient extends SqlClientBase {
  readonly kind: 'postgres';
  readonly connectionString: string;
}
