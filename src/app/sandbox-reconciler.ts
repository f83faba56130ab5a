import type { Logger } from '../observability/logger.ts';
import type { SandboxProvider } from '../sandbox/types.ts';

/** How often a long-running worker looks again for paused sandboxes past their keep time. */
export const RECONCILE_EVERY_MS = 5 * 60_000;

/**
 * Sandboxes an earlier process left behind (killed mid-turn), and paused ones past their keep time:
 * once when the worker starts (awaited, so the count is announced), then every few minutes, since a
 * thread that never gets another reply would otherwise keep its paused sandbox until a restart.
 */
export async function startSandboxReconciler(options: {
  provider: SandboxProvider;
  log: Logger;
  announce: (line: string) => void;
  everyMs?: number;
}): Promise<{ stop(): void }> {
  const { provider, log } = options;
  if (!provider.reconcile) return { stop: () => undefined };
  const reconcile = () =>
    provider.reconcile?.().catch((error: unknown) => {
      log.warn({ err: error }, 'sandbox reconcile failed; trying again later');
      return undefined;
    });
  const first = await reconcile();
  if (first && (first.orphans || first.expired))
    options.announce(`Sandboxes: killed ${first.orphans} orphaned, ${first.expired} expired`);
  const timer = setInterval(() => void reconcile(), options.everyMs ?? RECONCILE_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
