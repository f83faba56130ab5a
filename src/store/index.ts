export { type CreateStoreOptions, createStore } from './create-store.ts';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.ts';
export { type Migration, migrations } from './migrations.ts';
export { type OpenStoreOptions, openStore } from './open-store.ts';
export { createPgliteClient, type PgliteClientOptions } from './pglite-client.ts';
export { createPostgresClient, type PostgresClientOptions } from './postgres-client.ts';
export type { SqlClient, SqlExecutor, SqlResult } from './sql-client.ts';
export { sqlStateOf } from './sql-errors.ts';
export type { Store, ThreadRecord, TurnRecord, TurnStatus } from './types.ts';
