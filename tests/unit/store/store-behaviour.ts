import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ItemPayload } from '../../../src/runs/items.ts';
import { createStore, migrate, migrations, type SqlClient, type Store } from '../../../src/store/index.ts';

/** A clock that moves one second per reading, so ordering never depends on the machine's speed. */
export function steppingClock(start = Date.parse('2026-01-01T00:00:00.000Z')): () => Date {
  let tick = 0;
  return () => new Date(start + 1000 * tick++);
}

const samplePayloads: ItemPayload[] = [
  { type: 'user_message', text: 'fix the flaky test in `parser.ts` ✨', author: 'U123' },
  {
    type: 'model_message',
    content: null,
    toolCalls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"src/parser.ts"}' }],
    usage: { inputTokens: 1200, cachedInputTokens: 1024, outputTokens: 33 },
    costUsd: 0.00123,
  },
  { type: 'tool_call', callId: 'call_1', name: 'read_file', arguments: '{"path":"src/parser.ts"}' },
  {
    type: 'tool_result',
    callId: 'call_1',
    name: 'read_file',
    ok: true,
    output: 'line 1\n\t"quoted" \\ line 2\n',
  },
  { type: 'middleware_step', name: 'lint', status: 'passed', summary: 'biome: 0 problems' },
  { type: 'compaction', summary: 'read parser.ts', replacedMessages: 4 },
  { type: 'status', text: 'running tests' },
  { type: 'error', code: 'sandbox_timeout', message: 'npm test timed out after 120 s' },
];

/**
 * The behaviour every SqlClient must give the store. `open` returns a fresh, empty database each
 * time it is called (in-memory PGlite, or a new schema on the server).
 */
export function describeStoreBehaviour(label: string, open: () => Promise<SqlClient>): void {
  describe(`store on ${label}`, () => {
    let sql: SqlClient;
    let store: Store;
    let keyCounter = 0;
    const uniqueKey = () => `test:${label}:${++keyCounter}`;

    beforeAll(async () => {
      sql = await open();
      await migrate({ sql });
      store = createStore({ sql, now: steppingClock() });
    });

    afterAll(async () => {
      await store?.close();
    });

    async function newTurn() {
      const thread = await store.upsertThread({
        key: uniqueKey(),
        origin: { kind: 'cli' },
        repo: 'acme/app',
        branch: 'baton/x',
      });
      return store.createTurn({ threadId: thread.id, request: { task: 'do it' } });
    }

    it('stores a thread, a turn and its items and reads them back in order with payloads intact', async () => {
      const origin = { kind: 'slack', teamId: 'T1', channelId: 'C1', threadTs: '1700000000.000100' };
      const thread = await store.upsertThread({
        key: uniqueKey(),
        origin,
        repo: 'acme/app',
        branch: 'baton/t1',
      });
      expect(thread).toMatchObject({ origin, repo: 'acme/app', branch: 'baton/t1', pullRequestUrl: null });
      expect(thread.id).toMatch(/^[0-9a-f-]{36}$/);

      const turn = await store.createTurn({
        threadId: thread.id,
        request: { task: 'fix it', requester: 'U123' },
      });
      expect(turn).toMatchObject({
        threadId: thread.id,
        status: 'queued',
        request: { task: 'fix it', requester: 'U123' },
        tokens: 0,
        costUsd: 0,
        error: null,
        completedAt: null,
      });

      const appended = [];
      for (const payload of samplePayloads) appended.push(await store.appendItem(turn.id, payload));
      expect(appended.map((item) => item.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

      const items = await store.listItems(turn.id);
      expect(items.map((item) => item.payload)).toEqual(samplePayloads);
      expect(items.map((item) => item.id)).toEqual(appended.map((item) => item.id));
      expect(items.every((item) => item.turnId === turn.id && item.completedAt === null)).toBe(true);
      const starts = items.map((item) => Date.parse(item.startedAt));
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    });

    it('returns the same thread for the same key and keeps its original branch', async () => {
      const key = uniqueKey();
      const first = await store.upsertThread({ key, origin: { n: 1 }, repo: 'acme/app', branch: 'baton/a' });
      const second = await store.upsertThread({
        key,
        origin: { n: 2 },
        repo: 'acme/other',
        branch: 'baton/b',
      });
      expect(second).toEqual(first);
      expect(await store.getThreadByKey(key)).toEqual(first);
      expect(await store.getThreadByKey(`${key}:missing`)).toBeNull();

      await store.updateThread(first.id, { pullRequestUrl: 'https://github.example/acme/app/pull/7' });
      expect((await store.getThreadByKey(key))?.pullRequestUrl).toBe(
        'https://github.example/acme/app/pull/7',
      );
    });

    it('creates one thread when the same key is upserted concurrently', async () => {
      const key = uniqueKey();
      const threads = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.upsertThread({ key, origin: {}, repo: 'acme/app', branch: 'b' }),
        ),
      );
      expect(new Set(threads.map((thread) => thread.id)).size).toBe(1);
    });

    it('updates a turn’s status, tokens, cost, error and completion, leaving other fields alone', async () => {
      const turn = await newTurn();
      await store.updateTurn(turn.id, { status: 'running' });
      expect(await store.getTurn(turn.id)).toEqual({ ...turn, status: 'running' });

      const completedAt = '2026-02-03T04:05:06.789Z';
      // Past 2^31: the column is bigint, and both drivers must hand back a plain number.
      await store.updateTurn(turn.id, {
        status: 'failed',
        tokens: 5_000_000_123,
        costUsd: 1.2345,
        error: 'tests failed',
        completedAt,
      });
      expect(await store.getTurn(turn.id)).toEqual({
        ...turn,
        status: 'failed',
        tokens: 5_000_000_123,
        costUsd: 1.2345,
        error: 'tests failed',
        completedAt,
      });

      await store.updateTurn(turn.id, { error: null });
      expect((await store.getTurn(turn.id))?.error).toBeNull();
      expect(await store.getTurn('no-such-turn')).toBeNull();
    });

    it('lists the turns of a thread oldest first', async () => {
      const thread = await store.upsertThread({
        key: uniqueKey(),
        origin: {},
        repo: 'acme/app',
        branch: 'b',
      });
      const first = await store.createTurn({ threadId: thread.id, request: { n: 1 } });
      const second = await store.createTurn({ threadId: thread.id, request: { n: 2 } });
      expect((await store.listTurns(thread.id)).map((turn) => turn.id)).toEqual([first.id, second.id]);
      expect(await store.listTurns('no-such-thread')).toEqual([]);
    });

    it('gives 20 concurrent appends to one turn the sequences 1..20, each once', async () => {
      const turn = await newTurn();
      const other = await newTurn();
      const appended = await Promise.all(
        Array.from({ length: 20 }, (_, index) => [
          store.appendItem(turn.id, { type: 'status', text: `step ${index}` }),
          store.appendItem(other.id, { type: 'status', text: `other ${index}` }),
        ]).flat(),
      );
      const ofTurn = appended.filter((item) => item.turnId === turn.id);
      const range = Array.from({ length: 20 }, (_, index) => index + 1);
      expect(ofTurn.map((item) => item.sequence).sort((a, b) => a - b)).toEqual(range);

      const listed = await store.listItems(turn.id);
      expect(listed.map((item) => item.sequence)).toEqual(range);
      expect(
        new Set(listed.map((item) => (item.payload.type === 'status' ? item.payload.text : ''))).size,
      ).toBe(20);
      expect((await store.listItems(other.id)).map((item) => item.sequence)).toEqual(range);
    });

    it('lists only the items after a given sequence', async () => {
      const turn = await newTurn();
      for (let index = 1; index <= 5; index += 1)
        await store.appendItem(turn.id, { type: 'status', text: `${index}` });
      const after = await store.listItems(turn.id, { afterSequence: 3 });
      expect(after.map((item) => [item.sequence, item.payload])).toEqual([
        [4, { type: 'status', text: '4' }],
        [5, { type: 'status', text: '5' }],
      ]);
      expect(await store.listItems(turn.id, { afterSequence: 5 })).toEqual([]);
    });

    it('marks items completed on append or later, and completing twice keeps the first time', async () => {
      const turn = await newTurn();
      const done = await store.appendItem(turn.id, { type: 'status', text: 'done' }, { completed: true });
      expect(done.completedAt).toBe(done.startedAt);

      const open = await store.appendItem(turn.id, {
        type: 'tool_call',
        callId: 'c',
        name: 'grep',
        arguments: '{}',
      });
      expect(open.completedAt).toBeNull();
      await store.completeItem(open.id);
      const [, completed] = await store.listItems(turn.id);
      expect(completed?.completedAt).not.toBeNull();
      expect(Date.parse(completed?.completedAt ?? '')).toBeGreaterThan(Date.parse(open.startedAt));
      await store.completeItem(open.id);
      expect((await store.listItems(turn.id))[1]?.completedAt).toBe(completed?.completedAt);
    });

    it('stores tool output holding NUL bytes and lone surrogates, which jsonb refuses as they are', async () => {
      const turn = await newTurn();
      const output = `PNG\u0000\u0001 half \uD83D pair 😀`;
      await store.appendItem(turn.id, { type: 'tool_result', callId: 'c', name: 'cat', ok: true, output });
      const [item] = await store.listItems(turn.id);
      expect(item?.payload).toEqual({
        type: 'tool_result',
        callId: 'c',
        name: 'cat',
        ok: true,
        output: 'PNG\uFFFD\u0001 half \uFFFD pair 😀',
      });
    });

    it('refuses records that point at nothing, with stable error codes', async () => {
      await expect(store.createTurn({ threadId: 'no-such-thread', request: {} })).rejects.toMatchObject({
        code: 'thread_not_found',
      });
      await expect(store.appendItem('no-such-turn', { type: 'status', text: 'x' })).rejects.toMatchObject({
        code: 'turn_not_found',
      });
      await expect(store.updateTurn('no-such-turn', { status: 'failed' })).rejects.toMatchObject({
        code: 'turn_not_found',
      });
      await expect(store.completeItem('no-such-item')).rejects.toMatchObject({ code: 'item_not_found' });
      await expect(store.updateThread('no-such-thread', { pullRequestUrl: 'u' })).rejects.toMatchObject({
        code: 'thread_not_found',
      });
    });

    it('runs migrations again without error and records each version once', async () => {
      expect(await migrate({ sql })).toEqual({ applied: [] });
      const { rows } = await sql.query<{ version: number; count: number | string }>(
        'SELECT version, count(*) AS count FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(rows.map((row) => [row.version, Number(row.count)])).toEqual(
        migrations.map((migration) => [migration.version, 1]),
      );
    });

    it('refuses a database migrated by a newer Baton', async () => {
      await sql.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
      try {
        await expect(migrate({ sql })).rejects.toMatchObject({ code: 'store_schema_too_new' });
      } finally {
        await sql.query('DELETE FROM schema_migrations WHERE version = 999');
      }
    });
  });
}
