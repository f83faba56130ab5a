import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTurnJsonl, formatItemJsonl } from '../../../src/observability/session-log.ts';
import { createPgliteClient, createStore, migrate, type Store } from '../../../src/store/index.ts';
import { steppingClock } from './store-behaviour.ts';

describe('session log (JSONL)', () => {
  let store: Store;
  beforeAll(async () => {
    const sql = await createPgliteClient();
    await migrate({ sql });
    store = createStore({ sql, now: steppingClock() });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('exports a turn as one JSON line per item, in order, with secrets from a tool result redacted', async () => {
    const databasePassword = 'hunter2-but-longer"\\quoted';
    const githubToken = `ghp_${'a1B2'.repeat(9)}`;
    const thread = await store.upsertThread({
      key: 'cli:session-log',
      origin: {},
      repo: 'acme/app',
      branch: 'b',
    });
    const turn = await store.createTurn({ threadId: thread.id, request: { task: 'print env' } });
    await store.appendItem(turn.id, { type: 'user_message', text: 'print the env' }, { completed: true });
    await store.appendItem(turn.id, {
      type: 'tool_call',
      callId: 'c1',
      name: 'run',
      arguments: '{"cmd":"env"}',
    });
    await store.appendItem(turn.id, {
      type: 'tool_result',
      callId: 'c1',
      name: 'run',
      ok: true,
      output: `PATH=/usr/bin\nDB_PASSWORD=${databasePassword}\nGH=${githubToken}\n`,
    });

    const text = await exportTurnJsonl(store, turn.id, [databasePassword]);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(githubToken);

    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => [record.sequence, record.type])).toEqual([
      [1, 'user_message'],
      [2, 'tool_call'],
      [3, 'tool_result'],
    ]);
    expect(records[2]).toMatchObject({
      turnId: turn.id,
      completedAt: null,
      payload: { output: 'PATH=/usr/bin\nDB_PASSWORD=[redacted]\nGH=[redacted]\n', ok: true },
    });
    expect(records[0]?.completedAt).toBe(records[0]?.startedAt);
  });

  it('formats one item as a single line without a newline, and leaves text without secrets alone', async () => {
    const item = {
      id: 'i1',
      turnId: 't1',
      sequence: 7,
      payload: { type: 'status' as const, text: 'two\nlines' },
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: null,
    };
    const line = formatItemJsonl(item);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      schemaVersion: 1,
      sequence: 7,
      type: 'status',
      id: 'i1',
      turnId: 't1',
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: null,
      payload: { type: 'status', text: 'two\nlines' },
    });
  });

  it('exports nothing for a turn without items', async () => {
    expect(await exportTurnJsonl(store, 'no-such-turn')).toBe('');
  });
});
