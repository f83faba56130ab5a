import type { SqlExecutor } from '../store/sql-client.ts';
import type { Intake } from './intake.ts';
import { threadKeyOf } from './task-request.ts';

interface KnownThread {
  id: string;
  repo: string;
}

export interface KnownThreads {
  /** The thread Baton works in under `key`, or null: what the Slack trigger asks of every thread reply. */
  getThreadByKey(key: string): Promise<KnownThread | null>;
  /** The intake, teaching this index every thread it places a request on. */
  wrap(intake: Intake): Intake;
}

/**
 * Which chat threads Baton works in, held in memory so that channel chatter in threads Baton does
 * not own costs no database statement at all, not even a read.
 *
 * `authoritative`: this process is the only one that creates threads (the embedded database has
 * one owner), so a key it has not seen is not Baton's. With a Postgres server other gateways
 * create threads too: a miss is then looked up in the database (a read, never a write), and a hit
 * is remembered.
 */
export function createKnownThreads(options: {
  sql: SqlExecutor;
  authoritative: boolean;
  /** Only keys with this prefix are indexed (`slack:`): the only ones a trigger asks about. */
  prefix: string;
}): KnownThreads {
  const known = new Map<string, KnownThread>();
  let loaded: Promise<void> | undefined;
  // Loaded on the first question rather than at construction, so composing stays synchronous; a
  // failed load is tried again by the next question.
  const load = () => {
    loaded ??= options.sql
      .query<{ id: string; key: string; repo: string }>(
        'SELECT id, key, repo FROM threads WHERE starts_with(key, $1)',
        [options.prefix],
      )
      .then(({ rows }) => {
        for (const row of rows) if (!known.has(row.key)) known.set(row.key, { id: row.id, repo: row.repo });
      })
      .catch((error: unknown) => {
        loaded = undefined;
        throw error;
      });
    return loaded;
  };

  return {
    async getThreadByKey(key) {
      await load();
      const hit = known.get(key);
      if (hit || options.authoritative) return hit ?? null;
      const found = await options.sql.query<KnownThread>('SELECT id, repo FROM threads WHERE key = $1', [
        key,
      ]);
      const row = found.rows[0];
      if (row) known.set(key, { id: row.id, repo: row.repo });
      return row ?? null;
    },
    wrap(intake) {
      return {
        ...intake,
        async submit(request) {
          const result = await intake.submit(request);
          const key = request.threadKey ?? threadKeyOf(request.origin);
          if (result.type !== 'duplicate' && key.startsWith(options.prefix)) {
            known.set(key, { id: result.threadId, repo: request.repo });
          }
          return result;
        },
      };
    },
  };
}
