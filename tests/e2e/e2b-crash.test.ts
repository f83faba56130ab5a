import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/observability/logger.ts';
import { createMetricsRegistry } from '../../src/observability/metrics.ts';
import { createRepoCache } from '../../src/repo-cache/index.ts';
import { createE2BSandboxProvider } from '../../src/sandbox/e2b/index.ts';
import { type FakeE2B, startFakeE2B } from '../fakes/e2b-server.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../fixtures/git-repo.ts';

const holder = join(import.meta.dirname, '../fixtures/e2b-sandbox-holder.ts');

describe('a SIGKILLed worker’s E2B sandbox', () => {
  let fake: FakeE2B;
  let repo: FixtureRepo;
  const data = createTempDir('baton-e2b-crash-');
  beforeAll(async () => {
    fake = await startFakeE2B();
    repo = createFixtureRepo({ 'README.md': 'hello\n' });
  });
  afterAll(async () => {
    await fake?.close();
    repo?.cleanup();
    data.cleanup();
  });

  it('is left running by the dead process and killed, and counted, by the next worker’s reconcile', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', holder], {
      env: {
        PATH: process.env.PATH,
        BATON_TEST_E2B: JSON.stringify({
          apiKey: fake.apiKey,
          apiUrl: fake.apiUrl,
          sandboxUrl: fake.sandboxUrl,
        }),
        BATON_TEST_REPO: repo.path,
        BATON_TEST_DATA_DIR: join(data.path, 'crashed'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const sandboxId = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        const line = chunk
          .toString()
          .split('\n')
          .find((entry) => entry.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { sandboxId: string }).sandboxId);
      });
      void exited.then(() => reject(new Error('the holder exited before its sandbox was ready')));
    });
    await expect.poll(() => fake.sandboxes.get(sandboxId)?.processes.size ?? 0, { timeout: 20_000 }).toBe(1);
    child.kill('SIGKILL');
    await exited;
    expect(fake.sandboxes.get(sandboxId)?.state).toBe('running');

    const registry = createMetricsRegistry({ defaults: false });
    const orphans = registry.counter({
      name: 'baton_e2b_orphan_sandboxes_total',
      help: 'orphans',
      labelNames: ['reason'],
    });
    const restarted = createE2BSandboxProvider({
      repoCache: createRepoCache({ dataDir: join(data.path, 'restarted') }),
      connection: {
        apiKey: fake.apiKey,
        apiUrl: fake.apiUrl,
        sandboxUrl: fake.sandboxUrl,
        requestTimeoutMs: 20_000,
      },
      template: 'base',
      instance: 'crash-test',
      keepPausedMs: 30 * 60_000,
      // The store: the dead worker's turn was given up (or finished elsewhere); nothing is active.
      threadState: async (thread) =>
        thread === 'slack:C1:crash' ? { active: false, lastEndedAt: Date.now() } : null,
      orphans,
      log: createSilentLogger(),
    });
    expect(await restarted.reconcile?.()).toEqual({ orphans: 1, expired: 0 });
    expect(fake.sandboxes.has(sandboxId)).toBe(false);
    expect(fake.record.killed).toEqual([sandboxId]);
    expect(await registry.render()).toContain('baton_e2b_orphan_sandboxes_total{reason="turn_ended"} 1');
  }, 120_000);
});
