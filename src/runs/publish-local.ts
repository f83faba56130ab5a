import type { Logger } from '../observability/logger.ts';
import { importChanges, mirrorPathFor, pushBranch } from '../sandbox/index.ts';
import type { Publisher } from './run-turn.ts';

/**
 * The CLI's publisher: takes the run's commits into the host mirror, then pushes the branch to the
 * repository it came from (a path or URL). The default and protected branches are refused first.
 */
export function createLocalPublisher(options: {
  dataDir: string;
  log: Logger;
  hostEnv?: Record<string, string | undefined>;
}): Publisher {
  return async ({ exported, repo, branch }) => {
    const mirrorPath = mirrorPathFor({ dataDir: options.dataDir, repoName: repo.name });
    await importChanges({ mirrorPath, exported });
    const pushed = await pushBranch({
      mirrorPath,
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
