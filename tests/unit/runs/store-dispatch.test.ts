import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reporterStateFor, type ThreadRecord } from '../../../src/store/index.ts';
import { type Backend, createSchemaPool, type Database, openDatabase } from './durable-harness.ts';

const schemas = createSchemaPool();
afterAll(() => schemas.dropAll());

const limits = { maxGlobal: 2, maxPerRequester: 1 };

describe.each<Backend>(['pglite', 'postgres'])('durable store on %s', (backend) => {
  let database: Database;
  let threadCounter = 0;
  beforeAll(async () => {
    database = await openDatabase(backend, schemas);
  });
  afterAll(() => database.close());

  const newThread = (): Promise<ThreadRecord> =>
    database.store.upsertThread({
      key: `test:${++threadCounter}`,
      origin: {},
      repo: 'acme/app',
      branch: 'b',
    });
  const queueTurn = async (thread: ThreadRecord, requesterId = 'U1') => {
    const result = await database.store.createQueuedTurn({ threadId: thread.id, request: {}, requesterId });
    if (result.type !== 'created') throw new Error('expected a new turn');
    return result.turn;
  };

  it('claims delivery keys all or nothing, also when overlapping claims race', async () => {
    const { store } = database;
    expect(await store.claimDeliveries(['a1', 'b1'])).toBe(true);
    expect(await store.claimDeliveries(['b1', 'c1'])).toBe(false);
    // c1 was not recorded by the refused claim.
    expect(await store.claimDeliveries(['c1'])).toBe(true);
    const raced = await Promise.all([store.claimDeliveries(['x', 'y']), store.claimDeliveries(['y', 'z'])]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    const winnerKeys = raced[0] ? ['z'] : ['x'];
    expect(await store.claimDeliveries(winnerKeys)).toBe(true);
    expect(await store.claimDeliveries([])).toBe(true);
  });

  it('keeps one active queued turn per thread and frees the thread when it ends', async () => {
    const { store } = database;
    const thread = await newThread();
    const results = await Promise.all(
      [1, 2, 3].map(() => store.createQueuedTurn({ threadId: thread.id, request: {}, requesterId: 'U1' })),
    );
    const created = results.filter((result) => result.type === 'created');
    expect(created).toHaveLength(1);
    expect(new Set(results.map((result) => result.turn.id)).size).toBe(1);
    expect((await store.findActiveTurn(thread.id))?.id).toBe(results[0]?.turn.id);
    await store.updateTurn(results[0]?.turn.id ?? '', { status: 'succeeded' });
    expect(await store.findActiveTurn(thread.id)).toBeNull();
    expect((await store.createQueuedTurn({ threadId: thread.id, request: {}, requesterId: 'U1' })).type).toBe(
      'created',
    );
  });

  it('drains the inbox in arrival order, each message once, and refuses messages for an ended turn', async () => {
    const { store } = database;
    const turn = await queueTurn(await newThread());
    for (const text of ['one', 'two', 'three']) {
      expect(await store.appendInbox(turn.id, { text, author: 'U2' })).toBe(true);
    }
    const drains = await Promise.all([store.drainInbox(turn.id), store.drainInbox(turn.id)]);
    expect(drains.flat().map((message) => message.text)).toEqual(['one', 'two', 'three']);
    expect(drains.flat()[0]).toMatchObject({ turnId: turn.id, author: 'U2' });
    expect(await store.drainInbox(turn.id)).toEqual([]);
    await store.updateTurn(turn.id, { status: 'succeeded' });
    expect(await store.appendInbox(turn.id, { text: 'late' })).toBe(false);
  });

  it('claims within limits, skips finished and live turns, resumes stale ones, and fences heartbeats', async () => {
    const { store } = database;
    const options = { staleAfterSeconds: 30, limits, maxAttempts: 2 };
    const first = await queueTurn(await newThread(), 'U-limits');
    const second = await queueTurn(await newThread(), 'U-limits');
    expect(await store.claimTurn(first.id, 'w1', options)).toMatchObject({ type: 'claimed', resumed: false });
    // Same requester, maxPerRequester 1: the second waits, still queued.
    expect((await store.claimTurn(second.id, 'w2', options)).type).toBe('over_limit');
    expect((await store.getTurn(second.id))?.status).toBe('queued');
    expect(await store.countsFor(second.id)).toMatchObject({
      runningForRequester: 1,
      queuedAheadForRequester: 0,
    });

    const busy = await store.claimTurn(first.id, 'w2', options);
    expect(busy).toMatchObject({ type: 'busy' });
    expect(busy.type === 'busy' && busy.staleInSeconds > 0 && busy.staleInSeconds <= 30).toBe(true);
    expect(await store.heartbeat(first.id, 'w1')).toBe(true);
    expect(await store.heartbeat(first.id, 'w2')).toBe(false);

    // Zero staleness: w1 is presumed dead, w2 takes over and w1's heartbeat says so.
    const takeover = await store.claimTurn(first.id, 'w2', { ...options, staleAfterSeconds: 0 });
    expect(takeover).toMatchObject({ type: 'claimed', resumed: true, turn: { claimedBy: 'w2', attempt: 2 } });
    expect(await store.heartbeat(first.id, 'w1')).toBe(false);
    expect(await store.finishTurn(first.id, 'w1', { status: 'failed' })).toBe(false);
    // A third claim would exceed maxAttempts 2: the turn is failed instead.
    const exhausted = await store.claimTurn(first.id, 'w3', { ...options, staleAfterSeconds: 0 });
    expect(exhausted).toMatchObject({ type: 'exhausted', turn: { status: 'failed' } });
    expect((await store.claimTurn(first.id, 'w3', options)).type).toBe('finished');
    expect(await store.claimTurn(second.id, 'w2', options)).toMatchObject({ type: 'claimed' });
    expect((await store.claimTurn('no-such-turn', 'w2', options)).type).toBe('missing');
  });

  it('cancels a queued turn on the spot and flags a running one', async () => {
    const { store } = database;
    const queued = await queueTurn(await newThread());
    expect(await store.requestCancel(queued.id, 'U9')).toMatchObject({
      type: 'cancelled',
      turn: { status: 'cancelled' },
    });
    expect((await store.claimTurn(queued.id, 'w1', { staleAfterSeconds: 30 })).type).toBe('finished');
    expect(await store.requestCancel(queued.id, 'U9')).toEqual({ type: 'inactive' });

    const running = await queueTurn(await newThread());
    await store.claimTurn(running.id, 'w1', { staleAfterSeconds: 30 });
    expect(await store.isCancelRequested(running.id)).toBe(false);
    expect(await store.requestCancel(running.id, 'U9')).toMatchObject({
      type: 'requested',
      turn: { status: 'running' },
    });
    expect(await store.isCancelRequested(running.id)).toBe(true);
    expect(await store.getTurn(running.id)).toMatchObject({ cancelRequestedBy: 'U9' });
  });

  it('keeps reporter state per turn and grants the status message and the final answer once each', async () => {
    const turn = await queueTurn(await newThread());
    const state = reporterStateFor<{ statusTs: string }>(database.store, turn.id);
    expect(await state.load()).toBeNull();
    await state.save({ statusTs: '1.2' });
    expect(await reporterStateFor(database.store, turn.id).load()).toEqual({ statusTs: '1.2' });
    const claims = await Promise.all([state.claimStatusMessage(), state.claimStatusMessage()]);
    expect(claims.sort()).toEqual([false, true]);
    expect(await state.claimFinal({ summary: 'done' })).toEqual({ attempt: 1 });
    expect(await state.claimFinal({ summary: 'done' })).toBeNull();
  });
});
