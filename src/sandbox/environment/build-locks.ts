import { createKeyedMutex } from '../../repo-cache/keyed-mutex.ts';

/** One build per environment key at a time: the second run waits, then starts from the first one's snapshot. */
export interface BuildLocks {
  withLock<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** Within one process (the embedded database belongs to one process anyway). */
export function createProcessBuildLocks(): BuildLocks {
  const mutex = createKeyedMutex();
  return { withLock: (key, task) => mutex.run(key, task) };
}

/** The part of a Postgres client the lock needs: one connection for the length of a transaction. */
export interface TransactionRunner {
  transaction<T>(
    fn: (tx: { query(sql: string, params?: readonly unknown[]): Promise<unknown> }) => Promise<T>,
  ): Promise<T>;
}

/**
 * Across every worker on one Postgres: a transaction-scoped advisory lock on the key, held while the
 * build runs and released by the commit (or by the server when a worker dies mid-build). The
 * process mutex in front keeps one process from tying up a connection per waiting run.
 */
export function createPostgresBuildLocks(sql: TransactionRunner): BuildLocks {
  const local = createProcessBuildLocks();
  return {
    withLock: (key, task) =>
      local.withLock(key, () =>
        sql.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `baton-environment:${key}`,
          ]);
          return task();
        }),
      ),
  };
}
