import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgliteClient,
  createStore,
  finalLedgerFor,
  migrate,
  type Store,
} from '../../../src/store/index.ts';

describe('final replies in the store: claim, release with backoff, lapse, undelivered', () => {
  let store: Store;
  let now = Date.parse('2026-03-01T12:00:00.000Z');
  const clock = () => now;
  const policy = { leaseSeconds: 60, retryBaseMs: 1_000, retryMaxMs: 4_000, maxAttempts: 4 };

  beforeAll(async () => {
    const sql = await createPgliteClient();
    await migrate({ sql });
    store = createStore({ sql, now: () => new Date(now) });
  });
  afterAll(async () => store?.close());

  const newTurn = async (key: string) => {
    const thread = await store.upsertThread({ key, origin: {}, repo: 'acme/app', branch: 'baton/x' });
    return store.createTurn({ threadId: thread.id, request: { task: 'fix it' } });
  };
  const outcome = { status: 'succeeded', summary: 'Fixed it.', checks: [], tokens: 1, costUsd: 0 };

  it('gives a claim to one caller at a time; a release makes it due after a doubling wait', async () => {
    const turn = await newTurn('slack:C1:1');
    const first = finalLedgerFor(store, turn.id, { origin: 'slack', policy, clock });
    const second = finalLedgerFor(store, turn.id, { origin: 'slack', policy, clock });
    expect(await first.claimFinal(outcome)).toEqual({ attempt: 1 });
    expect(await second.claimFinal(outcome)).toBeNull();
    expect(await store.listDueFinals()).toEqual([]);

    expect(await first.releaseFinal('Slack answered 500')).toBe('retrying');
    expect(await store.listDueFinals()).toEqual([]);
    now += 1_000;
    expect(await store.listDueFinals()).toEqual([{ turnId: turn.id, origin: 'slack', outcome, attempts: 1 }]);
    expect(await second.claimFinal(outcome)).toEqual({ attempt: 2 });
    expect(await second.releaseFinal('Slack answered 500 again')).toBe('retrying');
    now += 1_999;
    expect(await store.listDueFinals()).toEqual([]);
    now += 1;
    expect((await store.listDueFinals()).map((due) => due.attempts)).toEqual([2]);
    expect(await first.claimFinal(outcome)).toEqual({ attempt: 3 });
    await first.confirmFinal();
    now += 60_000;
    expect(await store.listDueFinals()).toEqual([]);
    expect(await second.claimFinal(outcome)).toBeNull();
  });

  it('a claim whose process died lapses after its lease; a recorded final is due after its grace', async () => {
    const turn = await newTurn('slack:C1:2');
    await store.recordFinal(turn.id, {
      origin: 'linear',
      outcome,
      dueAt: new Date(now + 30_000).toISOString(),
    });
    expect(await store.listDueFinals()).toEqual([]);
    now += 30_000;
    expect((await store.listDueFinals()).map((due) => due.turnId)).toEqual([turn.id]);
    const dying = finalLedgerFor(store, turn.id, { origin: 'linear', policy, clock });
    expect(await dying.claimFinal(outcome)).toEqual({ attempt: 1 });
    // Its process is killed here: no confirm, no release.
    now += 59_000;
    const next = finalLedgerFor(store, turn.id, { origin: 'linear', policy, clock });
    expect(await next.claimFinal(outcome)).toBeNull();
    now += 1_000;
    expect((await store.listDueFinals()).map((due) => due.turnId)).toEqual([turn.id]);
    expect(await next.claimFinal(outcome)).toEqual({ attempt: 2 });
    await next.confirmFinal();
  });

  it('gives up after maxAttempts and lists the final as undelivered, with its text and last error', async () => {
    const turn = await newTurn('github:acme/app#3');
    const ledger = finalLedgerFor(store, turn.id, { origin: 'github', policy, clock });
    const results: string[] = [];
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
      expect(await ledger.claimFinal(outcome)).toEqual({ attempt });
      results.push(await ledger.releaseFinal(`GitHub answered 502 (attempt ${attempt})`));
      now += policy.retryMaxMs;
    }
    expect(results).toEqual(['retrying', 'retrying', 'retrying', 'undelivered']);
    expect(await ledger.claimFinal(outcome)).toBeNull();
    expect((await store.listDueFinals()).map((due) => due.turnId)).not.toContain(turn.id);
    expect(await store.listUndeliveredFinals()).toEqual([
      {
        turnId: turn.id,
        threadId: turn.threadId,
        origin: 'github',
        attempts: 4,
        lastError: 'GitHub answered 502 (attempt 4)',
        summary: 'Fixed it.',
        createdAt: expect.any(String),
      },
    ]);
  });
});
