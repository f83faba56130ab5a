import { createStore } from './create-store.ts';
import { migrate } from './migrate.ts';
import { createPgliteClient } from './pglite-client.ts';
import { createPostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql-client.ts';
import type { Store } from './types.ts';

export interface OpenStoreOptions {
  /** A Postgres server; wins over `dataDir` when set. */
  databaseUrl?: string;
  /** Where embedded PGlite keeps its files; in memory when neither option is set. */
  dataDir?: string;
  now?: () => Date;
  newId?: () => string;
}

/** Connects, brings the schema up to date and returns a ready store. `store.close()` closes `sql`. */
export async function openStore(options: OpenStoreOptions = {}): Promise<{ store: Store; sql: SqlClient }> {
  const sql = options.databaseUrl
    ? createPostgresClient({ connectionString: options.databaseUrl })
    : await createPgliteClient({ dataDir: options.dataDir });
  try {
    await migrate({ sql });
  } catch (error) {
    await sql.close().catch(() => {});
    throw error;
  }
  return { store: createStore({ sql, now: options.now, newId: options.newId }), sql };
}
