import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPgliteClient,
  createPgliteThreadClient,
  migrations,
  openStore,
} from '../../../src/store/index.ts';
import { describeStoreBehaviour } from './store-behaviour.ts';

describeStoreBehaviour('PGlite in memory', () => createPgliteClient());
describeStoreBehaviour('PGlite on a worker thread', () => createPgliteThreadClient());

describe('store on PGlite with a data directory', () => {
  const directories: string[] = [];
  afterAll(async () => {
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('keeps threads, turns and items across closing and reopening the directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'baton-store-'));
    directories.push(root);
    // A directory that does not exist yet, as on a first start.
    const dataDir = join(root, 'nested', 'db');

    const first = await openStore({ dataDir });
    expect(first.sql.kind).toBe('pglite');
    const thread = await first.store.upsertThread({
      key: 'slack:C1:1.2',
      origin: {},
      repo: 'acme/app',
      branch: 'b',
    });
    const turn = await first.store.createTurn({ threadId: thread.id, request: { task: 'persist me' } });
    await first.store.appendItem(turn.id, { type: 'user_message', text: 'persist me' }, { completed: true });
    await first.store.updateTurn(turn.id, { status: 'succeeded', tokens: 42 });
    await first.store.close();

    const second = await openStore({ dataDir });
    try {
      expect(await second.store.getThreadByKey('slack:C1:1.2')).toEqual(thread);
      expect(await second.store.getTurn(turn.id)).toMatchObject({ status: 'succeeded', tokens: 42 });
      const items = await second.store.listItems(turn.id);
      expect(items.map((item) => item.payload)).toEqual([{ type: 'user_message', text: 'persist me' }]);
      // Numbering continues after a restart instead of starting over.
      const next = await second.store.appendItem(turn.id, { type: 'status', text: 'again' });
      expect(next.sequence).toBe(2);
      const { rows } = await second.sql.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(rows).toHaveLength(migrations.length);
    } finally {
      await second.store.close();
    }
  });
});
