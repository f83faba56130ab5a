export { type CreateStoreOptions, createStore } from './create-store.ts';
export {
  createMemoryFinalLedger,
  DEFAULT_FINAL_RETRY,
  type FinalRetryPolicy,
  finalLedgerFor,
} from './final-ledger.ts';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.ts';
export { type Migration, migrations } from './migrations.ts';
export { type OpenStoreOptions, openStore } from './open-store.ts';
export { createPgliteClient, type PgliteClientOptions } from './pglite-client.ts';
export { createPgliteThreadClient, type PgliteThreadClientOptions } from './pglite-thread-client.ts';
export { createPostgresClient, type PostgresClientOptions } from './postgres-client.ts';
export { reporterStateFor } from './reporter-state.ts';
export type {
  JobDatabase,
  PgliteSqlClient,
  PostgresSqlClient,
  SqlClient,
  SqlExecutor,
  SqlResult,
} from './sql-client.ts';
export { sqlStateOf } from './sql-errors.ts';
export {
  ACTIVE_TURN_STATUSES,
  type CancelResult,
  type ClaimOptions,
  type ClaimResult,
  type CreateQueuedTurnResult,
  type DueFinal,
  type FinalClaim,
  type FinalLedger,
  type InboxMessage,
  type IntakeTransaction,
  type QueueCounts,
  type Store,
  type ThreadRecord,
  type TurnLimits,
  type TurnRecord,
  type TurnReporterStateStore,
  type TurnStatus,
  type UndeliveredFinal,
} from './types.ts';
