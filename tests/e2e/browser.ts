import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where screenshots go; kept after the run as test artifacts (gitignored). */
export const ARTIFACTS_DIR = join(import.meta.dirname, '../../test-artifacts/dashboard');

/** Debian's Chromium, headless, on a fresh profile; nothing reaches the network but loopback. */
export async function launchBrowser(
  options: { javaScriptEnabled?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'baton-chromium-'));
  // playwright refuses --user-data-dir in args: a persistent context is exactly a fresh profile directory.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1200, height: 700 },
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
