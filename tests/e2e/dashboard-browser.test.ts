import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from './browser.ts';
import { LOW_CONTRAST_SCRIPT } from './contrast.ts';
import {
  createDashboardHarness,
  type DashboardHarness,
  fixCalculatorScript,
  OTHER,
} from './dashboard-harness.ts';
import { HOST_SECRETS, REPO, USER } from './server-harness.ts';

describe('the dashboard in a real browser (headless Chromium)', () => {
  let harness: DashboardHarness;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let streamedRunUrl = '';
  /** Every page the browser showed, to check no secret ever reached one. */
  const seen: string[] = [];
  const secrets = () => [
    ...Object.values(HOST_SECRETS),
    harness.oidc.clientSecret,
    harness.slack.botToken,
    harness.slack.signingSecret,
    'dashboard-session-secret-0123456789',
  ];
  const keep = async () => void seen.push(await page.content());
  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });

  // Starting the whole server (embedded database, worker, gateway) is slow on a busy machine.
  beforeAll(async () => {
    harness = await createDashboardHarness();
    browser = await launchBrowser();
    context = browser.context;
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('signs in through Slack (the fake OpenID provider) from the sign-in page', async () => {
    harness.oidc.signInAs({ id: USER, name: 'Ana' });
    await page.goto(harness.url('/runs'));
    expect(new URL(page.url()).pathname).toBe('/auth/signin');
    await shot('sign-in');
    await page.getByRole('link', { name: 'Sign in with Slack' }).click();
    await page.waitForURL((url) => url.pathname === '/runs');
    await expect.poll(() => page.locator('header .who').textContent()).toContain('Ana');
    await keep();
  });

  it('shows a new run in the list live, then streams it on its page to its end without a reload', async () => {
    await page.setViewportSize({ width: 1200, height: 300 });
    harness.model.enqueue(
      ...fixCalculatorScript({
        slowMs: 2_500,
        before: [
          {
            type: 'delay',
            ms: 1_500,
            reply: {
              type: 'tool_calls',
              calls: [{ name: 'reply', arguments: { text: `key ${HOST_SECRETS.OPENAI_API_KEY}` } }],
            },
          },
        ],
      }),
    );
    await harness.mention(`fix the add test repo:${REPO}`);
    const row = page.locator('#run-rows a', { hasText: 'fix the add test' });
    await row.waitFor({ timeout: 20_000 });
    await page.keyboard.press('j');
    expect(await page.evaluate("document.activeElement?.closest('#run-rows') !== null")).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname.startsWith('/runs/'));
    streamedRunUrl = page.url();
    expect(await page.locator('#timeline').getAttribute('data-stream')).toContain('/events');
    // The edit comes seconds later: whatever shows it from here on arrived over the stream.
    const editCall = page.locator('#timeline details[data-call-id] summary', { hasText: 'edit_file' });
    expect(await editCall.count()).toBe(0);
    // Marks this document (a reload or navigation would lose the mark) and scrolls down a little.
    await page.evaluate('window.sameDocument = true; window.scrollTo(0, 100)');
    const scrolled = await page.evaluate('window.scrollY');
    expect(scrolled).toBeGreaterThan(0);
    await editCall.waitFor({ timeout: 20_000 });
    await page.locator('#live-state', { hasText: 'ended: succeeded' }).waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(await page.evaluate('window.scrollY')).toBe(scrolled);
    // Each tool call once, its result folded in; the facts and plan followed the run.
    expect(
      await page.locator('#timeline details[data-call-id] summary', { hasText: 'edit_file' }).count(),
    ).toBe(1);
    expect(await page.locator('#timeline details[data-call-id] .result.pending').count()).toBe(0);
    expect(await page.locator('#facts .status').textContent()).toBe('succeeded');
    expect(await page.locator('#plan li').count()).toBe(2);
    expect(await page.locator('#timeline').textContent()).toContain('[redacted]');
    await page.setViewportSize({ width: 1200, height: 700 });
    expect(await page.evaluate(LOW_CONTRAST_SCRIPT)).toEqual([]);
    await shot('run-streamed');
    await keep();
  });

  it('opens the run’s diff, per file and highlighted', async () => {
    await page.getByRole('link', { name: 'diff', exact: true }).click();
    await page.waitForURL((url) => url.pathname.endsWith('/diff'));
    expect(await page.locator('.diff-file h3').first().textContent()).toContain('src/math.js');
    expect(await page.locator('.diff .add', { hasText: 'return a + b;' }).count()).toBe(1);
    expect(await page.locator('.diff .del', { hasText: 'return a - b;' }).count()).toBe(1);
    expect(await page.evaluate(LOW_CONTRAST_SCRIPT)).toEqual([]);
    // The contrast check does find faint text when there is some.
    const probe = await context.newPage();
    await probe.setContent('<p style="color:#aaa">faint</p><p style="color:#333">plain</p>');
    expect(await probe.evaluate(LOW_CONTRAST_SCRIPT)).toEqual([expect.stringContaining('"faint"')]);
    await probe.close();
    await shot('diff');
    await keep();
  });

  it('cancels a running run from its page', async () => {
    harness.model.enqueue(...fixCalculatorScript({ slowMs: 30_000 }));
    await harness.mention(`a long task repo:${REPO}`);
    await page.goto(harness.url('/runs'));
    await page.locator('#run-rows a', { hasText: 'a long task' }).click();
    await page.locator('#facts .status', { hasText: 'running' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('#facts .status', { hasText: 'cancelled' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('#timeline').textContent()).toContain(
      'Cancel requested from the dashboard by Ana.',
    );
    await shot('cancelled');
    await keep();
  });

  it('answers 403 on another person’s run after signing in as them', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/auth/signin');
    harness.oidc.signInAs({ id: OTHER, name: 'Olga' });
    await page.getByRole('link', { name: 'Sign in with Slack' }).click();
    await page.waitForURL((url) => url.pathname === '/runs');
    expect(await page.locator('#run-rows a').count()).toBe(0);
    const response = await page.goto(streamedRunUrl);
    expect(response?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe('Not allowed');
    await shot('forbidden');
    await keep();
  });

  it('is readable and usable without JavaScript: sign-in, the run, its timeline and diff', async () => {
    const plain = await launchBrowser({ javaScriptEnabled: false });
    try {
      const noScript = await plain.context.newPage();
      harness.oidc.signInAs({ id: USER, name: 'Ana' });
      await noScript.goto(harness.url('/runs'));
      await noScript.getByRole('link', { name: 'Sign in with Slack' }).click();
      await noScript.waitForURL((url) => url.pathname === '/runs');
      await noScript.locator('#run-rows a', { hasText: 'fix the add test' }).click();
      expect(await noScript.locator('#facts .status').textContent()).toBe('succeeded');
      expect(await noScript.locator('#timeline details[data-call-id]').count()).toBeGreaterThan(3);
      await noScript.getByRole('link', { name: 'diff', exact: true }).click();
      expect(await noScript.locator('.diff .add', { hasText: 'return a + b;' }).count()).toBe(1);
      seen.push(await noScript.content());
    } finally {
      await plain.close();
    }
  });

  it('never showed a secret on any page', () => {
    expect(seen.length).toBeGreaterThanOrEqual(5);
    for (const html of seen) for (const secret of secrets()) expect(html).not.toContain(secret);
  });
});
