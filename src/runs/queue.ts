import { PgBoss } from 'pg-boss';
import { BatonError, describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { SqlClient, SqlExecutor } from '../store/sql-client.ts';

export const TURN_QUEUE_NAME = 'baton-turns';

/** What one job asks for: run (or look at) this turn. The turn row is the truth; a job is a wake-up. */
export interface TurnJob {
  turnId: string;
}

export type TurnJobHandler = (
  turnId: string,
  context: { signal: AbortSignal; retryCount: number },
) => Promise<void>;

export interface TurnQueue {
  start(): Promise<void>;
  /**
   * Enqueues a wake-up for the turn, now or after `delaySeconds`. Duplicates are harmless. With
   * `within` (an open transaction of the store's database) the job commits or rolls back with it; a
   * failed send is undone to a savepoint, so the caller's transaction stays usable.
   */
  send(turnId: string, options?: { delaySeconds?: number; within?: SqlExecutor }): Promise<void>;
  /** Starts `concurrency` pollers in this process that hand turns to `handler`. */
  work(handler: TurnJobHandler, options: { concurrency: number }): Promise<void>;
  /** Stops this process's pollers and waits for the handlers they are running. */
  stopWork(): Promise<void>;
  /** True while some job for the turn waits, is retried, or runs. */
  pending(turnId: string): Promise<boolean>;
  /** For /readyz: started, and the queue's tables answer. */
  ready(): Promise<boolean>;
  /** Stops pg-boss; with PGlite, it leaves the shared instance open for the store to close. */
  stop(): Promise<void>;
}

export interface TurnQueueOptions {
  /** The store's client: PGlite shares its instance (one owner per data directory); a server shares its URL. */
  sql: SqlClient;
  log: Logger;
  /** A worker silent for this long (≥ 10) has its jobs failed and retried on another worker. */
  heartbeatSeconds: number;
  /** pg-boss's own schema. */
  schema?: string;
  /** How often dead workers' jobs are looked for; the delay of crash recovery beyond heartbeatSeconds. */
  superviseIntervalSeconds?: number;
  /** How often an idle poller looks for jobs (≥ 0.5). */
  pollingIntervalSeconds?: number;
  /** Retries of a job whose handler threw or whose worker died; exponential backoff from retryDelaySeconds. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** The longest one run may hold its job (pg-boss allows up to 24 h). */
  expireInSeconds?: number;
}

/** The durable queue of turns over pg-boss, on the store's database. */
export function createTurnQueue(options: TurnQueueOptions): TurnQueue {
  const log = options.log.child({ component: 'turn-queue' });
  const superviseSeconds = options.superviseIntervalSeconds ?? Math.min(options.heartbeatSeconds, 10);
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
  const boss = new PgBoss({
    ...(options.sql.kind === 'pglite'
      ? { db: options.sql.jobDatabase, backend: 'pglite' as const }
      : { connectionString: options.sql.connectionString, max: 4 }),
    schema: options.schema ?? 'pgboss',
    superviseIntervalSeconds: superviseSeconds,
    monitorIntervalSeconds: superviseSeconds,
    schedule: false,
  });
  boss.on('error', (error) => log.warn({ error: describeError(error) }, 'queue-error'));
  let started = false;
  let stopped = false;

  function assertStarted(operation: string): void {
    if (started && !stopped) return;
    throw new BatonError({
      code: 'queue_not_started',
      message: `the turn queue cannot ${operation} before start() or after stop()`,
      hint: 'start the queue when the process starts, stop it last',
    });
  }

  return {
    async start() {
      if (started) return;
      try {
        await boss.start();
        await boss.createQueue(TURN_QUEUE_NAME, {
          heartbeatSeconds: options.heartbeatSeconds,
          retryLimit: options.retryLimit ?? 5,
          retryDelay: options.retryDelaySeconds ?? 2,
          retryBackoff: true,
          retryDelayMax: 300,
          expireInSeconds: options.expireInSeconds ?? 6 * 3600,
          notify: true,
        });
      } catch (error) {
        throw new BatonError({
          code: 'queue_unavailable',
          message: `the turn queue could not start: ${describeError(error)}`,
          retryable: true,
          hint: 'check that the database is reachable and that Baton may create the pg-boss schema',
          cause: error,
        });
      }
      started = true;
    },

    async send(turnId, sendOptions) {
      assertStarted('send');
      const job: TurnJob = { turnId };
      const jobOptions = {
        singletonKey: turnId,
        ...(sendOptions?.delaySeconds ? { startAfter: Math.ceil(sendOptions.delaySeconds) } : {}),
      };
      const within = sendOptions?.within;
      const id = within
        ? await sendWithin(within, () =>
            boss.send(TURN_QUEUE_NAME, job, { ...jobOptions, db: jobDatabaseOf(within) }),
          )
        : await boss.send(TURN_QUEUE_NAME, job, jobOptions);
      if (id === null) {
        throw new BatonError({
          code: 'queue_send_refused',
          message: `pg-boss refused the job for turn ${turnId}`,
        });
      }
    },

    async work(handler, workOptions) {
      assertStarted('work');
      await boss.work<TurnJob>(
        TURN_QUEUE_NAME,
        {
          localConcurrency: workOptions.concurrency,
          batchSize: 1,
          pollingIntervalSeconds,
          notifyPollingIntervalSeconds: pollingIntervalSeconds,
        },
        async (jobs) => {
          for (const job of jobs) {
            await handler(job.data.turnId, { signal: job.signal, retryCount: job.retryCount });
          }
        },
      );
    },

    async stopWork() {
      if (!started || stopped) return;
      await boss.offWork(TURN_QUEUE_NAME, { wait: true });
    },

    async pending(turnId) {
      assertStarted('look up jobs');
      const jobs = await boss.findJobs<TurnJob>(TURN_QUEUE_NAME, { key: turnId });
      return jobs.some((job) => job.state === 'created' || job.state === 'retry' || job.state === 'active');
    },

    async ready() {
      if (!started || stopped) return false;
      try {
        return (await boss.getQueue(TURN_QUEUE_NAME)) !== null;
      } catch {
        return false;
      }
    },

    async stop() {
      if (!started || stopped) return;
      stopped = true;
      // PGlite: the store owns the instance; pg-boss must not close it under the store.
      await boss.stop({ graceful: true, close: options.sql.kind !== 'pglite', timeout: 30_000 });
    },
  };
}

/** pg-boss's database seam over a transaction's connection: its job insert joins that transaction. */
function jobDatabaseOf(within: SqlExecutor) {
  return {
    // pg-boss types its rows loosely; the job insert returns `{ id }` rows.
    executeSql: (text: string, values?: unknown[]) => within.query<{ id: string }>(text, values ?? []),
  };
}

/** A failed statement aborts a Postgres transaction; the savepoint keeps the caller's part of it alive. */
async function sendWithin<T>(within: SqlExecutor, send: () => Promise<T>): Promise<T> {
  await within.exec('SAVEPOINT turn_job');
  try {
    const result = await send();
    await within.exec('RELEASE SAVEPOINT turn_job');
    return result;
  } catch (error) {
    await within.exec('ROLLBACK TO SAVEPOINT turn_job');
    throw error;
  }
}
