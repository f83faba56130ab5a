export interface Migration {
  /** Applied in ascending order; never reused, never edited once released. */
  version: number;
  name: string;
  sql: string;
}

/**
 * Forward-only. A change to the schema is a new entry at the end; a released entry is never edited,
 * because databases that already applied it will not run it again.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'threads, turns and items',
    sql: `
      CREATE TABLE threads (
        id text PRIMARY KEY,
        key text NOT NULL UNIQUE,
        origin jsonb NOT NULL,
        repo text NOT NULL,
        branch text NOT NULL,
        pull_request_url text,
        created_at timestamptz NOT NULL
      );

      CREATE TABLE turns (
        id text PRIMARY KEY,
        thread_id text NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        status text NOT NULL,
        request jsonb NOT NULL,
        tokens bigint NOT NULL DEFAULT 0,
        cost_usd double precision NOT NULL DEFAULT 0,
        error text,
        -- The sequence of the newest item; bumping it under the row lock numbers items without gaps or races.
        last_item_sequence integer NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL,
        completed_at timestamptz
      );
      CREATE INDEX turns_thread_started ON turns (thread_id, started_at);
      CREATE INDEX turns_status ON turns (status) WHERE completed_at IS NULL;

      CREATE TABLE items (
        id text PRIMARY KEY,
        turn_id text NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
        sequence integer NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        completed_at timestamptz,
        -- Also the index for reading a turn's items in order and after a given sequence.
        UNIQUE (turn_id, sequence)
      );
    `,
  },
];
