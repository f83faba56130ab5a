import { createSilentLogger } from '../../src/observability/logger.ts';
import { createRepoCache } from '../../src/repo-cache/index.ts';
import { createE2BSandboxProvider } from '../../src/sandbox/e2b/index.ts';
import { startFakeE2B } from '../fakes/e2b-server.ts';
import { createFixtureRepo, createTempDir } from '../fixtures/git-repo.ts';
import { CONTRACT_FILES, describeSandboxProviderContract } from './sandbox-provider.contract.ts';

describeSandboxProviderContract('e2b (on the fake E2B)', async () => {
  const fixture = createFixtureRepo(CONTRACT_FILES);
  const dataDir = createTempDir('baton-contract-e2b-');
  const fake = await startFakeE2B();
  const repoCache = createRepoCache({ dataDir: dataDir.path });
  const provider = createE2BSandboxProvider({
    repoCache,
    connection: {
      apiKey: fake.apiKey,
      apiUrl: fake.apiUrl,
      sandboxUrl: fake.sandboxUrl,
      requestTimeoutMs: 30_000,
    },
    template: 'base',
    instance: 'contract',
    keepPausedMs: 0,
    log: createSilentLogger(),
  });
  const repo = { name: 'acme/contract', url: fixture.path };
  return {
    provider,
    repo,
    acceptChanges: async (exported) => {
      await repoCache.importChanges({ repo, exported });
    },
    cleanup: async () => {
      await fake.close();
      dataDir.cleanup();
      fixture.cleanup();
    },
  };
});
