import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunPage, RunSummary } from '../../src/store/run-queries.ts';
import {
  ADMIN,
  CHANNEL_VIEWER,
  cookieHeader,
  createDashboardHarness,
  type DashboardHarness,
  fixCalculatorScript,
  OTHER,
} from './dashboard-harness.ts';
import { CHANNEL, GITHUB_WEBHOOK_SECRET, HOST_SECRETS, REPO, USER, waitFor } from './server-harness.ts';

describe('the dashboard over HTTP, behind Sign in with Slack', () => {
  let harness: DashboardHarness;
  let turnId: string;
  let owner: string;
  let other: string;
  let admin: string;

  const get = (path: string, cookie?: string) =>
    fetch(harness.url(path), { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const post = (path: string, cookie: string, form: Record<string, string>) =>
    fetch(harness.url(path), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  const runsOf = async (cookie: string, query = '') =>
    ((await (await get(`/api/runs${query}`, cookie)).json()) as RunPage).runs;

  // Starting the whole server (embedded database, worker, gateway) is slow on a busy machine.
  beforeAll(async () => {
    harness = await createDashboardHarness();
    harness.model.enqueue(
      ...fixCalculatorScript({
        before: [
          // The model echoes a secret it should never have seen: the dashboard must still mask it.
          {
            type: 'tool_calls',
            calls: [
              {
                name: 'reply',
                arguments: { text: `leaked ${HOST_SECRETS.OPENAI_API_KEY} <script>x</script>` },
              },
            ],
          },
        ],
      }),
    );
    const { ts } = await harness.mention(`look around repo:${REPO}`);
    await waitFor('the run to end', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'),
    );
    owner = await harness.signIn({ id: USER, name: 'Ana' });
    other = await harness.signIn({ id: OTHER, name: 'Olga' });
    admin = await harness.signIn({ id: ADMIN, name: 'Ada' });
    turnId = (await runsOf(owner))[0]?.turn.id ?? '';
  }, 180_000);
  afterAll(async () => harness?.close());

  it('sends HTML routes without a session to sign in and answers 401 on the API', async () => {
    for (const path of ['/runs', `/runs/${turnId}`, '/runs/usage', `/runs/${turnId}/diff`]) {
      const response = await get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get('location')).toBe(`/auth/signin?next=${encodeURIComponent(path)}`);
    }
    for (const path of ['/api/runs', `/api/runs/${turnId}`]) {
      const response = await get(path);
      expect(response.status, path).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'unauthenticated' });
    }
    const signIn = await get('/auth/signin?next=/runs');
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('Sign in with Slack');
    // A session cookie with a forged signature is no session.
    const forged = owner.replace(/baton_session=([^.;]+)\.[^;]+/, 'baton_session=$1.forged');
    expect((await get('/runs', forged)).status).toBe(302);
  });

  it('signs in through Slack OpenID Connect with a fresh session cookie, HttpOnly and SameSite=Lax', async () => {
    harness.oidc.signInAs({ id: USER, name: 'Ana' });
    const start = await get('/auth/slack?next=/runs');
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(harness.oidc.authorizeUrl);
    expect(authorize.searchParams.get('scope')).toBe('openid profile');
    expect(authorize.searchParams.get('client_id')).toBe(harness.oidc.clientId);
    const approved = await fetch(authorize, { redirect: 'manual' });
    const callback = await get(
      new URL(approved.headers.get('location') ?? '').pathname +
        new URL(approved.headers.get('location') ?? '').search,
      cookieHeader(start.headers.getSetCookie()),
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/runs');
    const session = callback.headers.getSetCookie().find((line) => line.startsWith('baton_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(harness.oidc.calls.map((call) => call.method)).toContain('openid.connect.token');
    expect(harness.oidc.calls.map((call) => call.method)).toContain('openid.connect.userInfo');

    // A callback whose state was not started in this browser is refused.
    const replay = await get(`/auth/slack/callback?code=abc&state=${authorize.searchParams.get('state')}`);
    expect(replay.status).toBe(400);
  });

  it('shows the requester their run, escaped and with secrets masked, each tool call once', async () => {
    const list = await get('/runs', owner);
    expect(list.status).toBe(200);
    const listHtml = await list.text();
    expect(listHtml).toContain(`/runs/${turnId}`);
    expect(listHtml).toContain('look around');

    const page = await get(`/runs/${turnId}`, owner);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Timeline');
    expect(html.match(/<summary>reply /g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>x</script>');
    expect(html).not.toContain(HOST_SECRETS.OPENAI_API_KEY);
    expect(html).toContain('[redacted]');

    const jsonl = await get(`/runs/${turnId}/items.jsonl`, owner);
    expect(jsonl.headers.get('content-disposition')).toContain('attachment');
    const lines = (await jsonl.text()).trim().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('\n')).not.toContain(HOST_SECRETS.OPENAI_API_KEY);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ schemaVersion: 1, turnId, sequence: 1 });
    const types = lines.map((line) => (JSON.parse(line) as { type: string }).type);
    expect(types).toContain('user_message');
    expect(types).toContain('tool_call');
  });

  it('hides another person’s run (403) unless the configuration grants its channel, or they are an admin', async () => {
    expect(await runsOf(other)).toEqual([]);
    expect((await get(`/runs/${turnId}`, other)).status).toBe(403);
    const api = await get(`/api/runs/${turnId}`, other);
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ error: 'run_forbidden' });
    expect((await runsOf(admin)).map((run: RunSummary) => run.turn.id)).toContain(turnId);
    expect((await get(`/runs/${turnId}`, admin)).status).toBe(200);
    const viewer = await harness.signIn({ id: CHANNEL_VIEWER, name: 'Chan' });
    expect((await get(`/runs/${turnId}`, viewer)).status).toBe(200);
    // Seeing is not controlling: only the requester and admins cancel or retry.
    const csrf = await harness.csrfOf(viewer);
    expect((await post(`/runs/${turnId}/retry`, viewer, { csrf })).status).toBe(403);
  });

  it('refuses a POST without its CSRF token, or with another session’s', async () => {
    expect((await post(`/runs/${turnId}/retry`, owner, {})).status).toBe(403);
    const otherCsrf = await harness.csrfOf(other);
    const wrong = await post(`/runs/${turnId}/retry`, owner, { csrf: otherCsrf });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('CSRF');
    // With the right token, the finished run simply cannot be cancelled any more.
    const csrf = await harness.csrfOf(owner);
    expect((await post(`/runs/${turnId}/cancel`, owner, { csrf })).status).toBe(409);
    expect((await post('/auth/signout', owner, {})).status).toBe(403);
  });

  it('answers 404, never 500, for malformed or unknown ids and paths', async () => {
    for (const path of [
      '/runs/%E0%A4%A',
      '/runs/no-such-run',
      '/runs/..%2F..%2Fetc',
      `/runs/${turnId}/nope`,
      '/runs/a/b/c',
      '/runs/%00',
    ]) {
      const response = await get(path, owner);
      expect(response.status, path).toBe(404);
    }
    for (const path of ['/api/runs/%E0%A4%A', '/api/runs/no-such-run', `/api/runs/${turnId}/x`]) {
      const response = await get(path, owner);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'run_not_found' });
    }
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/runs');
  });

  it('filters the list, searches the request text, and shows usage', async () => {
    const first = (await runsOf(admin, '?search=look'))[0];
    expect(`${first?.turn.status} ${first?.turn.error}`).toBe('succeeded null');
    expect((await runsOf(admin, '?status=succeeded')).length).toBe(1);
    expect((await runsOf(admin, '?status=failed')).length).toBe(0);
    expect((await runsOf(admin, `?repo=${encodeURIComponent(REPO)}&origin=slack`)).length).toBe(1);
    expect((await runsOf(admin, '?origin=github')).length).toBe(0);
    expect((await runsOf(admin, '?search=AROUND')).length).toBe(1);
    expect((await runsOf(admin, '?search=100%25')).length).toBe(0);
    const html = await (await get('/runs?status=succeeded&search=look', admin)).text();
    expect(html).toContain('<option value="succeeded" selected>');
    expect(html).toContain(`/runs/${turnId}`);
    const usage = await (await get('/runs/usage', admin)).text();
    expect(usage).toContain('By repository');
    expect(usage).toContain(REPO);
    expect(usage).toContain('100%');
  });

  it('shows the branch’s diff against its base, per file, from the mirror', async () => {
    const diff = await get(`/runs/${turnId}/diff`, owner);
    expect(diff.status).toBe(200);
    const html = await diff.text();
    expect(html).toContain('src/math.js');
    expect(html).toContain('<span class="del">-  return a - b;</span>');
    expect(html).toContain('<span class="add">+  return a + b;</span>');
    expect((await get(`/runs/${turnId}/diff`, other)).status).toBe(403);
  });

  it('retries a failed run as a new turn on the same thread, recorded on both sides', async () => {
    harness.model.enqueue({ type: 'error', status: 401 });
    const { ts } = await harness.mention(`second thing repo:${REPO}`);
    await waitFor('the run to fail', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'),
    );
    const failed = (await runsOf(owner, '?search=second'))[0];
    expect(failed?.turn.status).toBe('failed');
    const page = await (await get(`/runs/${failed?.turn.id}`, owner)).text();
    expect(page).toContain('Retry');
    expect(page).toContain('class="item error" role="alert"');
    expect(page).toContain('HTTP 401');
    harness.model.enqueue(...fixCalculatorScript());
    const csrf = await harness.csrfOf(owner);
    const retried = await post(`/runs/${failed?.turn.id}/retry`, owner, { csrf });
    expect(retried.status).toBe(303);
    const retryId = retried.headers.get('location')?.split('/').at(-1) ?? '';
    expect(retryId).not.toBe(failed?.turn.id);
    const retry = (await (await get(`/api/runs/${retryId}`, owner)).json()) as RunSummary;
    expect(retry.thread.id).toBe(failed?.thread.id);
    const again = await post(`/runs/${failed?.turn.id}/retry`, owner, { csrf });
    expect(again.status).toBe(409);
    const original = (await (await get(`/api/runs/${failed?.turn.id}`, owner)).json()) as {
      items: { payload: { type: string; text?: string } }[];
    };
    expect(
      original.items.some(
        (item) => item.payload.text === `Retried from the dashboard by Ana as run ${retryId}.`,
      ),
    ).toBe(true);
    await waitFor('the retry to end', async () => {
      const run = (await (await get(`/api/runs/${retryId}`, owner)).json()) as RunSummary;
      return run.turn.status === 'succeeded';
    });
  });

  it('cancels a running run for its requester, recorded as an item', async () => {
    harness.model.enqueue(...fixCalculatorScript({ slowMs: 30_000 }));
    const { ts } = await harness.mention(`slow thing repo:${REPO}`);
    const running = await waitFor('the run to start', async () => {
      const run = (await runsOf(owner, '?search=slow'))[0];
      return run?.turn.status === 'running' ? run : undefined;
    });
    const csrf = await harness.csrfOf(owner);
    expect(
      (await post(`/runs/${running.turn.id}/cancel`, other, { csrf: await harness.csrfOf(other) })).status,
    ).toBe(403);
    const cancelled = await post(`/runs/${running.turn.id}/cancel`, owner, { csrf });
    expect(cancelled.status).toBe(303);
    await waitFor('the run to be cancelled', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'),
    );
    const run = (await (await get(`/api/runs/${running.turn.id}`, owner)).json()) as RunSummary & {
      items: { payload: { text?: string } }[];
    };
    expect(run.turn.status).toBe('cancelled');
    expect(run.turn.cancelRequestedBy).toBe(USER);
    expect(
      run.items.some((item) => item.payload.text === 'Cancel requested from the dashboard by Ana.'),
    ).toBe(true);
  });

  it('leaves the webhook routes to their own signatures', async () => {
    const response = await fetch(harness.url('/webhooks/github'), { method: 'POST', body: '{}' });
    expect(response.status).not.toBe(302);
    expect(response.status).not.toBe(401);
    expect(GITHUB_WEBHOOK_SECRET).toBeTruthy();
  });
});
