import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANNEL,
  createServerHarness,
  HOST_SECRETS,
  REPO,
  type ServerHarness,
  waitFor,
} from './server-harness.ts';

describe('the dashboard', () => {
  let harness: ServerHarness;
  let turnId: string;

  beforeAll(async () => {
    harness = await createServerHarness();
    harness.model.enqueue(
      // The model echoes a secret it should never have seen: the dashboard must still mask it.
      {
        type: 'tool_calls',
        calls: [
          { name: 'reply', arguments: { text: `leaked ${HOST_SECRETS.OPENAI_API_KEY} <script>x</script>` } },
        ],
      },
      { type: 'text', content: 'Nothing to change.' },
    );
    const { ts } = await harness.mention(`look around repo:${REPO}`);
    await waitFor('the run to end', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name !== 'eyes'),
    );
    const runs = await harness.runs();
    turnId = runs[0]?.turn.id ?? '';
  });
  afterAll(async () => harness?.close());

  it('lists runs and shows one run’s timeline, escaped and with secrets masked', async () => {
    const list = await fetch(harness.url('/runs'));
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toMatch(/text\/html/);
    const listHtml = await list.text();
    expect(listHtml).toContain(`/runs/${turnId}`);
    expect(listHtml).toContain('look around');

    const page = await fetch(harness.url(`/runs/${turnId}`));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Timeline');
    expect(html).toContain('Tool call reply');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>x</script>');
    expect(html).not.toContain(HOST_SECRETS.OPENAI_API_KEY);
    expect(html).toContain('[redacted]');
  });

  it('answers 404 for an unknown run and redirects / to /runs', async () => {
    const missing = await fetch(harness.url('/runs/no-such-run'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'run_not_found' });
    const api = await fetch(harness.url('/api/runs/no-such-run'));
    expect(api.status).toBe(404);
    const root = await fetch(harness.url('/'), { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/runs');
  });
});
