import { BatonError } from '../observability/errors.ts';
import { migrations as defaultMigrations, type Migration } from './migrations.ts';
import type { SqlClient } from './sql-client.ts';

/** Any constant works; it only has to be the same in every Baton process sharing a database. */
const MIGRATION_LOCK_KEY = 0x6261746f; // "bato"

export interface MigrateOptions {
  sql: SqlClient;
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  applied: number[];
}

/**
 * Applies the pending migrations in one transaction. The advisory lock makes processes that start
 * together take turns: the second waits, then finds everything applied and does nothing.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const list = [...(options.migrations ?? defaultMigrations)].sort((a, b) => a.version - b.version);
  assertDistinctVersions(list);
  return options.sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    const known = list.at(-1)?.version ?? 0;
    if (newest > known) {
      throw new BatonError({
        code: 'store_schema_too_new',
        message: `the database schema is at version ${newest}, this Baton knows up to ${known}`,
        hint: 'upgrade Baton; an older release cannot use a database migrated by a newer one',
      });
    }
    const applied: number[] = [];
    for (const migration of list) {
      if (done.has(migration.version)) continue;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return { applied };
  });
}

function assertDistinctVersions(list: readonly Migration[]): void {
  const seen = new Set<number>();
  for (const migration of list) {
    if (seen.has(migration.version)) {
      throw new BatonError({
        code: 'store_migration_invalid',
        message: `migration version ${migration.version} appears twice`,
      });
    }
    seen.add(migration.version);
  }
}
