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
  {
    version: 2,
    name: 'durable runs: deliveries, inbox, dispatch columns, reporter state',
    sql: `
      -- Dedupe claims: one row per delivery key (Slack event_id, channel:ts, X-GitHub-Delivery, ...).
      CREATE TABLE deliveries (
        key text PRIMARY KEY,
        received_at timestamptz NOT NULL
      );
      CREATE INDEX deliveries_received ON deliveries (received_at);

      -- Messages that arrive while a turn is active; drained before the turn's next model call.
      CREATE TABLE inbox_messages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        turn_id text NOT NULL REFERENCES turns (id) ON DELETE CASCADE,
        text text NOT NULL,
        author text,
        created_at timestamptz NOT NULL,
        consumed_at timestamptz
      );
      CREATE INDEX inbox_messages_unconsumed ON inbox_messages (turn_id, id) WHERE consumed_at IS NULL;

      ALTER TABLE turns
        ADD COLUMN requester_id text,
        -- Set only for turns that go through the queue; turns run in-process by the CLI leave it null.
        ADD COLUMN queued_at timestamptz,
        ADD COLUMN claimed_by text,
        ADD COLUMN attempt integer NOT NULL DEFAULT 0,
        -- Written with the database's clock, so workers on hosts with skewed clocks agree on staleness.
        ADD COLUMN heartbeat_at timestamptz,
        ADD COLUMN cancel_requested_at timestamptz,
        ADD COLUMN cancel_requested_by text,
        ADD COLUMN reporter_state jsonb,
        ADD COLUMN status_message_claimed_at timestamptz,
        ADD COLUMN final_reported_at timestamptz;

      -- One active queued turn per thread: two concurrent requests cannot both start one.
      CREATE UNIQUE INDEX turns_one_active_per_thread ON turns (thread_id)
        WHERE status IN ('queued', 'running') AND queued_at IS NOT NULL;
      CREATE INDEX turns_dispatch ON turns (status, queued_at)
        WHERE status IN ('queued', 'running') AND queued_at IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'final replies: claimed, posted, confirmed; retried until delivered or recorded as undelivered',
    sql: `
      -- One row per turn whose final reply is owed. state: pending (due at next_attempt_at), posting
      -- (claimed; the claim lapses at next_attempt_at), delivered, undelivered (given up; shown).
      CREATE TABLE finals (
        turn_id text PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,
        origin text NOT NULL,
        outcome jsonb NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        created_at timestamptz NOT NULL,
        delivered_at timestamptz
      );
      CREATE INDEX finals_due ON finals (next_attempt_at) WHERE state IN ('pending', 'posting');
      CREATE INDEX finals_undelivered ON finals (created_at) WHERE state = 'undelivered';
    `,
  },
];
