import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type SqlClient, type Store } from '../../../src/store/index.ts';
import { withMaskedWrites } from '../../../src/store/masking-store.ts';

const SECRET = 'planted-secret-value-0123456789';
const mask = (text: string) => text.replaceAll(SECRET, '[redacted]');

describe('the store with masked writes', () => {
  let raw: Store;
  let sql: SqlClient;
  let store: Store;
  beforeAll(async () => {
    ({ store: raw, sql } = await openStore({}));
    store = withMaskedWrites(raw, mask);
  });
  afterAll(async () => raw.close());

  it('masks turn requests, items, errors and the finals owed before any row is written', async () => {
    const thread = await store.upsertThread({ key: 'mask', origin: {}, repo: 'r', branch: 'baton/mask' });
    const turn = await store.createTurn({ threadId: thread.id, request: { text: `use ${SECRET}` } });
    await store.appendItem(turn.id, { type: 'status', text: `saw ${SECRET}` });
    await store.updateTurn(turn.id, { error: `failed near ${SECRET}` });
    await store.recordFinal(turn.id, {
      origin: 'slack',
      outcome: { summary: `done with ${SECRET}` },
      dueAt: new Date().toISOString(),
    });
    await store.claimFinal(turn.id, { origin: 'slack', outcome: { summary: SECRET }, leaseSeconds: 30 });
    await store.releaseFinal(turn.id, { error: `post failed: ${SECRET}`, retryAt: null });
    const tables = ['turns', 'items', 'finals'];
    for (const table of tables) {
      const { rows } = await sql.query(`SELECT * FROM ${table}`);
      expect(rows.length, table).toBeGreaterThan(0);
      expect(JSON.stringify(rows), table).not.toContain(SECRET);
      expect(JSON.stringify(rows), table).toContain('[redacted]');
    }
  });
});
