import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRunQueries,
  decodeCursor,
  openStore,
  type RunQueries,
  type SqlClient,
  type Store,
} from '../../../src/store/index.ts';

describe('the dashboard’s run queries (embedded Postgres)', () => {
  let store: Store;
  let sql: SqlClient;
  let queries: RunQueries;
  let clock = Date.parse('2026-12-01T10:00:00.000Z');
  const ids: Record<string, string> = {};

  /** A finished run in its own thread, one minute after the previous one. */
  async function run(
    name: string,
    input: {
      requester: string;
      channel?: string;
      repo: string;
      status: 'succeeded' | 'failed';
      text: string;
      tokens?: number;
    },
  ) {
    const thread = await store.upsertThread({
      key: `slack:T1:${input.channel ?? 'C0'}:${name}`,
      origin: input.channel
        ? { kind: 'slack', channelId: input.channel }
        : { kind: 'github', repo: input.repo, number: 1 },
      repo: input.repo,
      branch: `baton/${name}`,
    });
    const created = await store.createQueuedTurn({
      threadId: thread.id,
      request: { text: input.text, requester: { id: input.requester } },
      requesterId: input.requester,
    });
    await store.updateTurn(created.turn.id, {
      status: input.status,
      tokens: input.tokens ?? 100,
      costUsd: 0.01,
      completedAt: new Date(clock).toISOString(),
    });
    ids[name] = created.turn.id;
    clock += 60_000;
  }

  beforeAll(async () => {
    ({ store, sql } = await openStore({ now: () => new Date(clock) }));
    queries = createRunQueries(sql);
    await run('a', {
      requester: 'U1',
      channel: 'C1',
      repo: 'acme/api',
      status: 'succeeded',
      text: 'fix the 100% CPU bug',
    });
    await run('b', {
      requester: 'U2',
      channel: 'C1',
      repo: 'acme/web',
      status: 'failed',
      text: 'add dark mode',
    });
    await run('c', {
      requester: 'U2',
      channel: 'C2',
      repo: 'acme/api',
      status: 'succeeded',
      text: 'rename the flag_x option',
    });
    await run('d', {
      requester: 'U3',
      repo: 'acme/ops',
      status: 'succeeded',
      text: 'bump node',
      tokens: 500,
    });
    await run('e', {
      requester: 'U1',
      channel: 'C2',
      repo: 'acme/web',
      status: 'failed',
      text: 'fix the login page',
    });
  });
  afterAll(async () => store?.close());

  const names = (runs: { turn: { id: string } }[]) =>
    runs.map((found) => Object.entries(ids).find(([, id]) => id === found.turn.id)?.[0]);

  it('shows everyone’s runs to an admin, newest first', async () => {
    const page = await queries.listRuns({ visibility: { type: 'all' }, limit: 10 });
    expect(names(page.runs)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect(page.hasMore).toBe(false);
  });

  it('shows a person their own runs plus the channels and repositories granted to them', async () => {
    const own = await queries.listRuns({
      visibility: { type: 'scoped', requesterId: 'U1', channels: [], repos: [] },
      limit: 10,
    });
    expect(names(own.runs)).toEqual(['e', 'a']);
    const channel = await queries.listRuns({
      visibility: { type: 'scoped', requesterId: 'U3', channels: ['C1'], repos: [] },
      limit: 10,
    });
    expect(names(channel.runs)).toEqual(['d', 'b', 'a']);
    const repo = await queries.listRuns({
      visibility: { type: 'scoped', requesterId: 'U9', channels: [], repos: ['acme/api'] },
      limit: 10,
    });
    expect(names(repo.runs)).toEqual(['c', 'a']);
    const nobody = await queries.listRuns({
      visibility: { type: 'scoped', requesterId: 'U9', channels: [], repos: [] },
      limit: 10,
    });
    expect(nobody.runs).toEqual([]);
  });

  it('filters by status, repository, requester and origin, and searches text with % and _ taken literally', async () => {
    const all = { type: 'all' } as const;
    const list = async (filters: Parameters<RunQueries['listRuns']>[0]['filters']) =>
      names((await queries.listRuns({ visibility: all, filters, limit: 10 })).runs);
    expect(await list({ status: 'failed' })).toEqual(['e', 'b']);
    expect(await list({ repo: 'acme/api', requester: 'U2' })).toEqual(['c']);
    expect(await list({ origin: 'github' })).toEqual(['d']);
    expect(await list({ search: 'FIX THE' })).toEqual(['e', 'a']);
    expect(await list({ search: '100%' })).toEqual(['a']);
    expect(await list({ search: '0%' })).toEqual(['a']);
    expect(await list({ search: 'flag_x' })).toEqual(['c']);
    expect(await list({ search: 'flag%' })).toEqual([]);
  });

  it('pages by cursor without repeating or skipping a run', async () => {
    const first = await queries.listRuns({ visibility: { type: 'all' }, limit: 2 });
    expect(first.hasMore).toBe(true);
    const second = await queries.listRuns({
      visibility: { type: 'all' },
      limit: 2,
      before: decodeCursor(first.nextCursor) ?? undefined,
    });
    const third = await queries.listRuns({
      visibility: { type: 'all' },
      limit: 2,
      before: decodeCursor(second.nextCursor) ?? undefined,
    });
    expect([...names(first.runs), ...names(second.runs), ...names(third.runs)]).toEqual([
      'e',
      'd',
      'c',
      'b',
      'a',
    ]);
    expect(third.hasMore).toBe(false);
    for (const garbage of ['', 'x', '2026-13-45T99:00:00Z_a', "2026-12-01T10:00:00.000Z_a' OR 1=1", null])
      expect(decodeCursor(garbage)).toBeNull();
  });

  it('sums usage by repository, requester and day, within the visibility', async () => {
    const usage = await queries.usage({ visibility: { type: 'all' }, since: '2026-11-01T00:00:00.000Z' });
    expect(usage.byRepo.find((row) => row.key === 'acme/api')).toEqual({
      key: 'acme/api',
      runs: 2,
      succeeded: 2,
      tokens: 200,
      costUsd: 0.02,
    });
    expect(usage.byRequester.find((row) => row.key === 'U1')).toMatchObject({ runs: 2, succeeded: 1 });
    expect(usage.byDay).toEqual([
      { key: '2026-12-01', runs: 5, succeeded: 3, tokens: 900, costUsd: expect.closeTo(0.05, 6) },
    ]);
    const scoped = await queries.usage({
      visibility: { type: 'scoped', requesterId: 'U3', channels: [], repos: [] },
      since: '2026-11-01T00:00:00.000Z',
    });
    expect(scoped.byRepo).toEqual([{ key: 'acme/ops', runs: 1, succeeded: 1, tokens: 500, costUsd: 0.01 }]);
    const later = await queries.usage({ visibility: { type: 'all' }, since: '2026-12-02T00:00:00.000Z' });
    expect(later.byDay).toEqual([]);
  });

  it('offers the filter values among visible runs, and changes its marker when a run starts or moves on', async () => {
    expect(
      await queries.filterValues({ type: 'scoped', requesterId: 'U2', channels: [], repos: [] }),
    ).toEqual({
      repos: ['acme/api', 'acme/web'],
      requesters: ['U2'],
    });
    const before = await queries.changeMarker();
    expect(await queries.changeMarker()).toBe(before);
    const thread = await store.upsertThread({
      key: 'slack:T1:C3:f',
      origin: { kind: 'slack' },
      repo: 'acme/api',
      branch: 'baton/f',
    });
    const created = await store.createQueuedTurn({
      threadId: thread.id,
      request: { text: 'new' },
      requesterId: 'U1',
    });
    const queued = await queries.changeMarker();
    expect(queued).not.toBe(before);
    await store.updateTurn(created.turn.id, { status: 'running' });
    const running = await queries.changeMarker();
    expect(running).not.toBe(queued);
    await store.updateTurn(created.turn.id, { tokens: 42 });
    expect(await queries.changeMarker()).not.toBe(running);
    await store.updateTurn(created.turn.id, {
      status: 'succeeded',
      completedAt: new Date(clock).toISOString(),
    });
    expect(await queries.changeMarker()).not.toBe(running);
    expect(await queries.getRun('no-such-run')).toBeNull();
    expect((await queries.getRun(created.turn.id))?.thread.id).toBe(thread.id);
  });
});
