import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteThreadClient, type PgliteSqlClient, sqlStateOf } from '../../../src/store/index.ts';

describe('PGlite on a worker thread', () => {
  let sql: PgliteSqlClient;
  beforeAll(async () => {
    sql = await createPgliteThreadClient();
    await sql.exec('CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(() => sql.close());

  it('holds statements outside a transaction until it ends, as one connection must', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = sql.transaction(async (tx) => {
      await tx.query('INSERT INTO notes (id, body) VALUES (1, $1)', ['inside']);
      await held;
      await tx.query('UPDATE notes SET body = $1 WHERE id = 1', ['committed']);
    });
    const outside = sql.query<{ body: string }>('SELECT body FROM notes WHERE id = 1');
    release();
    await transaction;
    // It ran after the commit: it sees the final row, never the half-done one.
    expect((await outside).rows).toEqual([{ body: 'committed' }]);
  });

  it('rolls back a transaction that throws, and keeps the SQLSTATE of a driver error', async () => {
    await expect(
      sql.transaction(async (tx) => {
        await tx.query('INSERT INTO notes (id, body) VALUES (2, $1)', ['gone']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await sql.query('SELECT id FROM notes WHERE id = 2')).rows).toEqual([]);

    const duplicate = await sql
      .query('INSERT INTO notes (id, body) VALUES (1, $1)', ['again'])
      .catch((e) => e);
    expect(sqlStateOf(duplicate)).toBe('23505');
  });

  it('delivers NOTIFY to a listener (pg-boss wakes its pollers with it)', async () => {
    const payloads: string[] = [];
    let reconnects = 0;
    const listening = await sql.jobDatabase.listen?.(
      'baton_test',
      (payload) => payloads.push(payload),
      () => {
        reconnects += 1;
      },
    );
    await sql.query("SELECT pg_notify('baton_test', 'job-1')");
    await expect.poll(() => payloads).toEqual(['job-1']);
    expect(reconnects).toBe(1);
    await listening?.close();
  });

  it('answers with a clear error once closed', async () => {
    const other = await createPgliteThreadClient();
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/embedded database thread stopped/);
  });
});
