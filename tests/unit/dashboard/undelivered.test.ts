import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardBenchServer, startDashboardBenchServer } from '../../e2e/dashboard-only-server.ts';

describe('final replies Baton gave up posting', () => {
  let server: DashboardBenchServer;
  let turnId: string;

  beforeAll(async () => {
    server = await startDashboardBenchServer({ admins: ['admin@example.com'] });
    const { store } = server;
    const thread = await store.upsertThread({
      key: 'slack:T1:C1:1.000100',
      origin: { kind: 'slack', teamId: 'T1', channelId: 'C1', threadTs: '1.000100' },
      repo: 'acme/api',
      branch: 'baton/one',
    });
    const created = await store.createQueuedTurn({
      threadId: thread.id,
      request: { text: 'fix the build', requester: { id: 'U1' } },
      requesterId: 'U1',
    });
    turnId = created.turn.id;
    await store.updateTurn(turnId, { status: 'succeeded', completedAt: new Date().toISOString() });
    const outcome = { status: 'succeeded', summary: 'The build is green again <b>now</b>.' };
    await store.recordFinal(turnId, { origin: 'slack', outcome, dueAt: new Date().toISOString() });
    await store.claimFinal(turnId, { origin: 'slack', outcome, leaseSeconds: 30 });
    await store.releaseFinal(turnId, { error: 'channel_not_found', retryAt: null });
  }, 120_000);
  afterAll(async () => server?.close());

  const page = async (path: string, who: string) =>
    (await fetch(server.url(path), { headers: { 'x-forwarded-email': who } })).text();

  it('lists them above the runs for the requester and admins, and not for others', async () => {
    expect(await server.store.listUndeliveredFinals()).toHaveLength(1);
    for (const who of ['U1', 'admin@example.com']) {
      const html = await page('/runs', who);
      expect(html, who).toContain('Final replies not delivered (1)');
      expect(html).toContain(`/runs/${turnId}`);
      expect(html).toContain('channel_not_found');
    }
    expect(await page('/runs', 'U2')).not.toContain('Final replies not delivered');
  });

  it('shows on the run page what the reply would have said, escaped', async () => {
    const html = await page(`/runs/${turnId}`, 'U1');
    expect(html).toContain('The final reply was not delivered');
    expect(html).toContain('gave up: channel_not_found');
    expect(html).toContain('The build is green again &lt;b&gt;now&lt;/b&gt;.');
  });
});
