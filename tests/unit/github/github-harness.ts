import { Writable } from 'node:stream';
import { type RepoConfig, repoSchema } from '../../../src/config/schema.ts';
import { createGitHubAuth, type GitHubAuth } from '../../../src/integrations/github/auth.ts';
import { createGitHubClient, type GitHubClient } from '../../../src/integrations/github/client.ts';
import { createGitHubPublisher, repoAuthFor } from '../../../src/integrations/github/publisher.ts';
import { createLogger, type Logger } from '../../../src/observability/logger.ts';
import { createRepoCache, type RepoCache } from '../../../src/repo-cache/index.ts';
import type { Publisher } from '../../../src/runs/turn-dependencies.ts';
import { createLocalSandboxProvider, type LocalSandboxProvider } from '../../../src/sandbox/index.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';
import { LIMITS } from '../middleware/harness.ts';

export const REPO_NAME = 'acme/widgets';

export interface GitHubHarness {
  github: FakeGitHub;
  auth: GitHubAuth;
  client: GitHubClient;
  publisher: Publisher;
  repoCache: RepoCache;
  provider: LocalSandboxProvider;
  repo: RepoConfig;
  dataDir: string;
  /** Everything the logger wrote, at debug level. */
  logLines: string[];
  log: Logger;
  /** A real bubblewrap workspace of acme/widgets on `branch`, fetched with the App's token. */
  sandboxOn(branch: string): Promise<Sandbox>;
  /** Writes files in the workspace and commits them; returns the new HEAD. */
  commit(sandbox: Sandbox, files: Record<string, string>, message?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createGitHubHarness(
  files: Record<string, string> = {},
  options: { workflows?: boolean } = {},
): Promise<GitHubHarness> {
  const github = await startFakeGitHub();
  github.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# widgets\n', ...files } });
  const logLines: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  const auth = createGitHubAuth({
    apiUrl: github.apiUrl,
    appId: github.appId,
    privateKey: github.privateKeyPem,
    workflows: options.workflows,
    log,
  });
  // No pacing between writes: the fake has no secondary limits, and the tests stay fast.
  const client = createGitHubClient({ auth, apiUrl: github.apiUrl, log, writeIntervalMs: 0 });
  const dataDir = createTempDir('baton-github-');
  const repoCache = createRepoCache({ dataDir: dataDir.path, mirrorStaleMs: 0, log });
  const provider = createLocalSandboxProvider({ dataDir: dataDir.path, repoCache, log, spares: 0 });
  const repo = repoSchema.parse({ name: REPO_NAME, url: github.gitUrl(REPO_NAME) });
  const sandboxes: Sandbox[] = [];
  return {
    github,
    auth,
    client,
    publisher: createGitHubPublisher({ repoCache, auth, client, log }),
    repoCache,
    provider,
    repo,
    dataDir: dataDir.path,
    logLines,
    log,
    async sandboxOn(branch) {
      const sandbox = await provider.create({
        repo: { name: repo.name, url: repo.url, auth: await repoAuthFor(auth)(repo.name) },
        baseRef: 'main',
        branch,
        limits: LIMITS,
      });
      sandboxes.push(sandbox);
      return sandbox;
    },
    async commit(sandbox, changes, message = 'Change files') {
      for (const [path, content] of Object.entries(changes)) await sandbox.writeFile(path, content);
      const result = await sandbox.exec({
        cmd: `git add -A && git -c user.name=Baton -c user.email=baton@example.com commit -q -m '${message}' && git rev-parse HEAD`,
      });
      if (result.exitCode !== 0) throw new Error(`commit failed: ${result.stderr}`);
      return result.stdout.trim();
    },
    async cleanup() {
      for (const sandbox of sandboxes) await sandbox.dispose();
      await github.close();
      dataDir.cleanup();
    },
  };
}
