import { createSilentLogger } from '../../src/observability/logger.ts';
import { importChanges } from '../../src/repo-cache/index.ts';
import { createLocalSandboxProvider } from '../../src/sandbox/index.ts';
import { createFixtureRepo, createTempDir } from '../fixtures/git-repo.ts';
import { CONTRACT_FILES, describeSandboxProviderContract } from './sandbox-provider.contract.ts';

describeSandboxProviderContract('local (bubblewrap)', async () => {
  const fixture = createFixtureRepo(CONTRACT_FILES);
  const dataDir = createTempDir('baton-contract-');
  const provider = createLocalSandboxProvider({ dataDir: dataDir.path, log: createSilentLogger() });
  const repo = { name: 'acme/contract', url: fixture.path };
  return {
    provider,
    repo,
    acceptChanges: async (exported) => {
      await importChanges({ mirrorPath: provider.mirrorPath(repo), exported });
    },
    cleanup: async () => {
      await provider.idle();
      dataDir.cleanup();
      fixture.cleanup();
    },
  };
});
