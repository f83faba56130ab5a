import type { Logger } from '../observability/logger.ts';
import { type RepoCache, readRemoteBranch } from '../repo-cache/index.ts';
import type { Publisher } from './run-turn.ts';
import type { RemoteBranchReader } from './turn-dependencies.ts';

/**
 * The CLI's publisher: takes the run's commits into the host mirror, then pushes the branch to the
 * repository it came from (a path or URL). The default and protected branches are refused first.
 */
export function createLocalPublisher(options: { repoCache: RepoCache; log: Logger }): Publisher {
  return async ({ exported, repo, branch }) => {
    await options.repoCache.importChanges({ repo, exported });
    const pushed = await options.repoCache.push({
      repo,
      branch,
      remoteUrl: repo.url,
      defaultBranch: repo.defaultBranch,
      protectedBranches: repo.protectedBranches,
      log: options.log,
    });
    options.log.info({ branch, commit: pushed.commit, remote: repo.url }, 'branch pushed');
    return { location: repo.url };
  };
}

/** The branch as the repository it came from (a path or URL) has it, read with `git ls-remote`. */
export function createLocalRemoteBranchReader(
  options: { hostEnv?: Record<string, string | undefined> } = {},
): RemoteBranchReader {
  return async ({ repo, branch }) => {
    const commit = await readRemoteBranch({ remoteUrl: repo.url, branch, hostEnv: options.hostEnv });
    return commit ? { commit, location: repo.url } : null;
  };
}
