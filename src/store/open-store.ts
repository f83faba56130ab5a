import { createStore } from './create-store.ts';
import { migrate } from './migrate.ts';
import { createPgliteClient } from './pglite-client.ts';
import { createPgliteThreadClient } from './pglite-thread-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions {
  /** A Postgres server; wins over `dataDir` when set. */
  databaseUrl?: string;
  /** Where embedded PGlite keeps its files; in memory when neither option is set. */
  dataDir?: string;
  /**
   * Embedded only: run PGlite on a worker thread, off the event loop (the server does, so acks do
   * not wait behind statements); in this thread otherwise (tests, one-off CLI runs).
   */
  offThread?: boolean;
  now?: () => Date;
  newId?: () => string;
}

/** Connects, brings the schema up to date and returns a ready store. `store.close()` closes `sql`. */
export async function openStore(options: OpenStoreOptions = {}): Promise<{ store: Store; sql: SqlClient }> {
  const sql = options.databaseUrl
    ? createPostgresClient({ connectionString: options.databaseUrl })
    : options.offThread
      ? await createPgliteThreadClient({ dataDir: options.dataDir })
      : await createPgliteClient({ dataDir: options.dataDir });
  try {
    await migrate({ sql });
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
  return { store: createStore({ sql, now: options.now, newId: options.newId }), sql };
}
