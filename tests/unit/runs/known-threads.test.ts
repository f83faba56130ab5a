import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnownThreads } from '../../../src/runs/known-threads.ts';
import { openStore, type SqlClient, type Store } from '../../../src/store/index.ts';

describe('known threads on the embedded database', () => {
  let store: Store;
  let sql: SqlClient;
  beforeAll(async () => {
    ({ store, sql } = await openStore());
  });
  afterAll(() => store.close());

  it('knows the threads written before it started (a restart), and only those of its prefix', async () => {
    const earlier = await store.upsertThread({
      key: 'slack:T1:C1:5.0',
      origin: {},
      repo: 'acme/web',
      branch: 'b1',
    });
    await store.upsertThread({ key: 'github:acme/web#5', origin: {}, repo: 'acme/web', branch: 'b2' });
    const known = createKnownThreads({ sql, authoritative: true, prefix: 'slack:' });

    expect(await known.getThreadByKey('slack:T1:C1:5.0')).toEqual({ id: earlier.id, repo: 'acme/web' });
    expect(await known.getThreadByKey('github:acme/web#5')).toBeNull();
    // Authoritative: a thread written behind its back (no other process can, on PGlite) is not seen.
    await store.upsertThread({ key: 'slack:T1:C1:6.0', origin: {}, repo: 'acme/web', branch: 'b3' });
    expect(await known.getThreadByKey('slack:T1:C1:6.0')).toBeNull();
  });

  it('on a shared server, looks a miss up in the database and remembers the hit', async () => {
    const known = createKnownThreads({ sql, authoritative: false, prefix: 'slack:' });
    expect(await known.getThreadByKey('slack:T1:C1:7.0')).toBeNull();
    const created = await store.upsertThread({
      key: 'slack:T1:C1:7.0',
      origin: {},
      repo: 'acme/api',
      branch: 'b4',
    });
    expect(await known.getThreadByKey('slack:T1:C1:7.0')).toEqual({ id: created.id, repo: 'acme/api' });
  });
});
