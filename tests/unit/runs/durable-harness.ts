import { randomUUID } from 'node:crypto';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createTurnQueue, type TurnQueue } from '../../../src/runs/queue.ts';
import type { QueuedRequest } from '../../../src/runs/queued-request.ts';
import { createPostgresClient, openStore, type SqlClient, type Store } from '../../../src/store/index.ts';

export const serverUrl = process.env.BATON_TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** `pglite-thread`: embedded PGlite on a worker thread, as the server runs it. */
export type Backend = 'pglite' | 'pglite-thread' | 'postgres';

export interface Database {
  store: Store;
  sql: SqlClient;
  /** A pg-boss schema of this database's own. */
  bossSchema: string;
  /** Connection string of the store's schema (Postgres only), for child processes. */
  url?: string;
  close(): Promise<void>;
}

/** Schemas created on the server by this test file, dropped when it ends. */
export function createSchemaPool() {
  const admin = createPostgresClient({ connectionString: serverUrl, maxConnections: 1 });
  const schemas: string[] = [];
  return {
    async fresh(): Promise<{ schema: string; url: string; bossSchema: string }> {
      const schema = `baton_test_${randomUUID().replaceAll('-', '')}`;
      await admin.exec(`CREATE SCHEMA ${schema}`);
      schemas.push(schema, `${schema}_boss`);
      const url = new URL(serverUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { schema, url: url.toString(), bossSchema: `${schema}_boss` };
    },
    async dropAll(): Promise<void> {
      for (const schema of schemas) await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    },
  };
}

export async function openDatabase(
  backend: Backend,
  schemas: ReturnType<typeof createSchemaPool>,
): Promise<Database> {
  if (backend !== 'postgres') {
    const { store, sql } = await openStore({ offThread: backend === 'pglite-thread' });
    return { store, sql, bossSchema: 'pgboss', close: () => store.close() };
  }
  const { url, bossSchema } = await schemas.fresh();
  const { store, sql } = await openStore({ databaseUrl: url });
  return { store, sql, bossSchema, url, close: () => store.close() };
}

/** A real pg-boss queue on the database, tuned so a dead worker's job comes back within seconds. */
export async function startQueue(database: Database, heartbeatSeconds = 10): Promise<TurnQueue> {
  const queue = createTurnQueue({
    sql: database.sql,
    log: createSilentLogger(),
    heartbeatSeconds,
    schema: database.bossSchema,
    superviseIntervalSeconds: 1,
    pollingIntervalSeconds: 0.5,
    retryDelaySeconds: 1,
  });
  await queue.start();
  return queue;
}

let messageCounter = 0;

/** A Slack request as the trigger would build it: keys are the event id and channel:ts. */
export function slackRequest(options: {
  threadTs: string;
  text?: string;
  user?: string;
  messageTs?: string;
  eventId?: string;
  channel?: string;
}): QueuedRequest {
  messageCounter += 1;
  const channel = options.channel ?? 'C1';
  const messageTs =
    options.messageTs ?? `${options.threadTs.split('.')[0]}.${String(messageCounter).padStart(6, '0')}`;
  return {
    origin: {
      kind: 'slack',
      teamId: 'T1',
      channelId: channel,
      threadTs: options.threadTs,
      messageTs,
      userId: options.user ?? 'U1',
    },
    requester: { id: options.user ?? 'U1' },
    text: options.text ?? `message ${messageCounter}`,
    receivedAt: new Date().toISOString(),
    dedupeKeys: [`slack:event:${options.eventId ?? randomUUID()}`, `slack:msg:${channel}:${messageTs}`],
    repo: 'acme/app',
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
