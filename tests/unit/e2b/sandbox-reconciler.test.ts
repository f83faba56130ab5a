import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxReconciler } from '../../../src/app/sandbox-reconciler.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createE2BHarness, type E2BHarness } from './e2b-harness.ts';

describe('the worker’s sandbox reconciler', () => {
  let harness: E2BHarness;
  beforeAll(async () => {
    harness = await createE2BHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('announces what it killed at start, then kills a paused sandbox once its keep time has run out', async () => {
    const provider = harness.provider();
    const left = await provider.create(
      harness.createOptions({ branch: 'baton/left-running', labels: { thread: 'a', turn: 'a1' } }),
    );
    const paused = await provider.create(
      harness.createOptions({ branch: 'baton/kept', labels: { thread: 'b', turn: 'b1' } }),
    );
    await paused.dispose();
    harness.threads.set('a', { active: false, lastEndedAt: harness.clock.now });
    harness.threads.set('b', { active: false, lastEndedAt: harness.clock.now });
    const lines: string[] = [];
    const reconciler = await startSandboxReconciler({
      provider,
      log: createSilentLogger(),
      announce: (line) => lines.push(line),
      everyMs: 100,
    });
    try {
      expect(lines).toEqual(['Sandboxes: killed 1 orphaned, 0 expired']);
      expect(harness.fake.sandboxes.has(left.id)).toBe(false);
      expect(harness.fake.sandboxes.get(paused.id)?.state).toBe('paused');
      harness.clock.now += 31 * 60_000;
      await expect.poll(() => harness.fake.sandboxes.has(paused.id), { timeout: 10_000 }).toBe(false);
      expect(harness.fake.record.killed).toContain(paused.id);
    } finally {
      reconciler.stop();
    }
  });
});
