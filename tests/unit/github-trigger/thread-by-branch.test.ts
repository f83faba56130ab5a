import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.ts';
import type { SqlClient } from '../../../src/store/sql-client.ts';
import { getThreadByBranch } from '../../../src/store/thread-by-branch.ts';
import type { Store } from '../../../src/store/types.ts';

describe('getThreadByBranch', () => {
  let store: Store;
  let sql: SqlClient;

  beforeAll(async () => {
    ({ store, sql } = await openStore());
  });
  afterAll(async () => store.close());

  it('finds the thread working on a branch, and nothing for an unknown branch', async () => {
    const thread = await store.upsertThread({
      key: 'slack:T1:C9:1700000000.000200',
      origin: { kind: 'slack' },
      repo: 'acme/widgets',
      branch: 'baton/abcdef123456',
    });
    await store.upsertThread({
      key: 'linear:issue-1',
      origin: {},
      repo: 'acme/widgets',
      branch: 'baton/999999999999',
    });

    expect(await getThreadByBranch(sql, 'baton/abcdef123456')).toEqual(thread);
    expect(await getThreadByBranch(sql, 'baton/unknown')).toBeNull();
  });
});
