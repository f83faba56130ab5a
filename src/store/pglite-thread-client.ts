import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { BatonError } from '../observability/errors.ts';
import type { JobDatabase, PgliteSqlClient, SqlExecutor, SqlResult } from './sql-client.ts';
import { toSqlError } from './sql-errors.ts';

export interface PgliteThreadClientOptions {
  /** Directory holding the database files; in memory when omitted. */
  dataDir?: string;
}

interface WorkerError {
  message: string;
  code?: string;
  detail?: string;
}

type Reply = { id: number; rows?: unknown[]; ok?: true; error?: WorkerError };

const workerUrl = new URL('./pglite-thread-worker.mjs', import.meta.url);

/**
 * Embedded Postgres on a worker thread: the same database as `createPgliteClient`, but its
 * statements run beside the event loop instead of on it, so a server keeps answering while the
 * database works. One connection, as PGlite has: statements outside a transaction wait while one
 * is open.
 */
export async function createPgliteThreadClient(
  options: PgliteThreadClientOptions = {},
): Promise<PgliteSqlClient> {
  const worker = new Worker(workerUrl, { workerData: { dataDir: options.dataDir } });
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { ready: boolean; error?: WorkerError }) => {
      if (message.ready) resolve();
      else reject(toSqlError(errorOf(message.error), `open PGlite at ${options.dataDir ?? 'memory'}`));
    });
    worker.once('error', reject);
  });
  const listeners = new Map<string, (payload: string) => void>();
  worker.on('message', (reply: Reply | { notification: string; payload: string }) => {
    if ('notification' in reply) {
      listeners.get(reply.notification)?.(reply.payload);
      return;
    }
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    waiter?.resolve(reply);
  });
  const fail = (error: Error) => {
    failure = new BatonError({
      code: 'store_unavailable',
      message: `the embedded database thread stopped: ${error.message}`,
      hint: 'restart Baton; the data directory is intact up to the last committed transaction',
      cause: error,
    });
    for (const waiter of pending.values()) waiter.reject(failure);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));

  function call(message: Record<string, unknown>, sql: string): Promise<Reply> {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    }).then((reply) => {
      if (reply.error) throw toSqlError(errorOf(reply.error), sql);
      return reply;
    });
  }

  function executorOf(tx?: string): SqlExecutor {
    return {
      async query<T>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
        const reply = await call({ op: 'query', sql, params: [...params], tx }, sql);
        return { rows: (reply.rows ?? []) as T[] };
      },
      async exec(sql: string): Promise<void> {
        await call({ op: 'exec', sql, tx }, sql);
      },
    };
  }

  const jobDatabase: JobDatabase = {
    async executeSql(text, values) {
      const reply = await call(
        values?.length ? { op: 'query', sql: text, params: values } : { op: 'exec', sql: text },
        text,
      );
      return { rows: reply.rows ?? [] };
    },
    async listen(channel, onNotification, onReconnect) {
      listeners.set(channel, onNotification);
      await call({ op: 'listen', channel }, `LISTEN ${channel}`);
      // One connection that cannot drop: subscribed once, for good.
      onReconnect();
      return {
        async close() {
          listeners.delete(channel);
          if (!failure) await call({ op: 'unlisten', channel }, `UNLISTEN ${channel}`);
        },
      };
    },
  };

  let closed: Promise<void> | undefined;
  return {
    kind: 'pglite',
    jobDatabase,
    ...executorOf(),
    async transaction(fn) {
      const tx = randomUUID();
      await call({ op: 'begin', tx }, 'BEGIN');
      let result: Awaited<ReturnType<typeof fn>>;
      try {
        result = await fn(executorOf(tx));
      } catch (error) {
        await call({ op: 'rollback', tx }, 'ROLLBACK').catch(() => {});
        throw toSqlError(error, 'transaction');
      }
      await call({ op: 'commit', tx }, 'COMMIT');
      return result;
    },
    close() {
      closed ??= (async () => {
        if (!failure) await call({ op: 'close' }, 'close').catch(() => {});
        await worker.terminate();
      })();
      return closed;
    },
  };
}

function errorOf(description: WorkerError | undefined): Error {
  const error = new Error(description?.message ?? 'unknown PGlite error');
  // The SQLSTATE, where callers look for it (sqlStateOf): unique violations, foreign keys, …
  return Object.assign(error, { code: description?.code, detail: description?.detail });
}
