import { createSilentLogger } from '../../../src/observability/logger.ts';
import { createMetricsRegistry } from '../../../src/observability/metrics.ts';
import { createRepoCache, type RepoCache } from '../../../src/repo-cache/index.ts';
import { createE2BSandboxProvider, type E2BSandboxProviderOptions } from '../../../src/sandbox/e2b/index.ts';
import type { SandboxCreateOptions, SandboxLimits, SandboxProvider } from '../../../src/sandbox/types.ts';
import { type FakeE2B, startFakeE2B } from '../../fakes/e2b-server.ts';
import { createFixtureRepo, createTempDir, type FixtureRepo } from '../../fixtures/git-repo.ts';

export const E2B_LIMITS: SandboxLimits = {
  commandTimeoutMs: 20_000,
  memoryMb: 1024,
  outputCapBytes: 64 * 1024,
  network: 'off',
  envAllowlist: ['LANG'],
  lifetimeMs: 120_000,
};

export interface E2BHarness {
  fake: FakeE2B;
  fixture: FixtureRepo;
  repoCache: RepoCache;
  /** Thread states the provider sees (the store's, in production). */
  threads: Map<string, { active: boolean; lastEndedAt?: number }>;
  metrics: ReturnType<typeof createMetricsRegistry>;
  clock: { now: number };
  provider(overrides?: Partial<E2BSandboxProviderOptions>): SandboxProvider;
  createOptions(overrides?: Partial<SandboxCreateOptions>): SandboxCreateOptions;
  close(): Promise<void>;
}

export async function createE2BHarness(): Promise<E2BHarness> {
  const fake = await startFakeE2B();
  const fixture = createFixtureRepo({ 'README.md': 'hello\n', 'src/index.js': 'console.log("hi");\n' });
  const dataDir = createTempDir('baton-e2b-');
  const repoCache = createRepoCache({ dataDir: dataDir.path, mirrorStaleMs: 0 });
  const threads = new Map<string, { active: boolean; lastEndedAt?: number }>();
  const metrics = createMetricsRegistry();
  const clock = { now: Date.now() };
  const orphans = metrics.counter({
    name: 'baton_e2b_orphan_sandboxes_total',
    help: 'orphans',
    labelNames: ['reason'],
  });
  return {
    fake,
    fixture,
    repoCache,
    threads,
    metrics,
    clock,
    provider: (overrides = {}) =>
      createE2BSandboxProvider({
        repoCache,
        connection: {
          apiKey: fake.apiKey,
          apiUrl: fake.apiUrl,
          sandboxUrl: fake.sandboxUrl,
          requestTimeoutMs: 20_000,
        },
        template: 'base',
        instance: 'test-instance',
        keepPausedMs: 30 * 60_000,
        threadState: async (threadKey) => threads.get(threadKey) ?? null,
        hostEnv: { LANG: 'C.UTF-8', E2B_API_KEY: fake.apiKey },
        orphans,
        retry: { attempts: 4, baseDelayMs: 1 },
        now: () => clock.now,
        log: createSilentLogger(),
        ...overrides,
      }),
    createOptions: (overrides = {}) => ({
      repo: { name: 'acme/e2b', url: fixture.path },
      baseRef: 'main',
      branch: 'baton/thread-1',
      limits: E2B_LIMITS,
      labels: { thread: 'slack:C1:1.000', turn: 'turn-1' },
      ...overrides,
    }),
    async close() {
      await fake.close();
      dataDir.cleanup();
      fixture.cleanup();
    },
  };
}
