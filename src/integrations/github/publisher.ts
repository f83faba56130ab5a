import type { RepoConfig } from '../../config/schema.ts';
import { BatonError, isBatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { assertPushAllowed, type PushBranchResult, type RepoCache } from '../../repo-cache/index.ts';
import type { Publisher, RemoteBranchReader } from '../../runs/turn-dependencies.ts';
import type { GitHubAuth } from './auth.ts';
import type { GitHubClient } from './client.ts';
import { splitRepo } from './repo-name.ts';

/** The user GitHub expects with an installation token over HTTPS. */
export const GITHUB_TOKEN_USER = 'x-access-token';

/** Credentials for the host's git (mirror fetch and push): the repository's token, fetched when needed. */
export function repoAuthFor(
  auth: GitHubAuth,
): (repo: string) => Promise<{ username: typeof GITHUB_TOKEN_USER; password: string }> {
  return async (repo) => ({ username: GITHUB_TOKEN_USER, password: await auth.tokenFor(repo) });
}

function refused(branch: string, reason: string, cause?: unknown): BatonError {
  return new BatonError({
    code: 'push_refused_protected',
    message: `refusing to push to ${branch}: ${reason}`,
    hint: 'Baton only pushes its own baton/* branches and opens a pull request; it never pushes to a protected branch',
    cause,
  });
}

const isStatus = (error: unknown, status: number) =>
  typeof error === 'object' && error !== null && (error as { status?: unknown }).status === status;

/** What GitHub says about the target before anything is pushed: its default branch and protection. */
async function remoteRules(client: GitHubClient, repo: RepoConfig, branch: string) {
  const { owner, name } = splitRepo(repo.name);
  const octokit = client.octokitFor(repo.name);
  const { data } = await octokit.rest.repos.get({ owner, repo: name });
  let isProtected = false;
  try {
    const found = await octokit.rest.repos.getBranch({ owner, repo: name, branch });
    isProtected = found.data.protected;
  } catch (error) {
    // A branch that does not exist yet is Baton's first push of it.
    if (!isStatus(error, 404)) throw error;
  }
  return { defaultBranch: data.default_branch, isProtected, htmlUrl: data.html_url };
}

/**
 * The publisher for repositories on GitHub: the run's commits go into the host mirror, the target
 * is checked (configured and real default branch, GitHub's protection) before anything leaves the
 * host, then the branch is pushed with the installation token. The token travels in git's
 * environment only (see host-git.ts): never in argv, a remote URL or a config file. Never forced.
 */
export function createGitHubPublisher(options: {
  repoCache: RepoCache;
  auth: GitHubAuth;
  client: GitHubClient;
  log: Logger;
}): Publisher {
  const credentials = repoAuthFor(options.auth);
  return async ({ exported, repo, branch }) => {
    assertPushAllowed({
      branch,
      defaultBranch: repo.defaultBranch,
      protectedBranches: repo.protectedBranches,
    });
    await options.repoCache.importChanges({ repo, exported });
    const remote = await remoteRules(options.client, repo, branch);
    if (branch === remote.defaultBranch)
      throw refused(branch, 'it is the repository’s default branch on GitHub');
    if (remote.isProtected) throw refused(branch, 'GitHub protects it');

    const push = async () =>
      options.repoCache.push({
        repo,
        branch,
        remoteUrl: repo.url,
        auth: await credentials(repo.name),
        defaultBranch: repo.defaultBranch,
        protectedBranches: repo.protectedBranches,
        log: options.log,
      });
    let pushed: PushBranchResult;
    try {
      try {
        pushed = await push();
      } catch (error) {
        // A token revoked or expired early: one fresh token, one more try.
        const authFailed =
          isBatonError(error) &&
          error.code === 'push_failed' &&
          /Authentication failed|returned error: 401/i.test(error.message);
        if (!authFailed || options.auth.kind !== 'app') throw error;
        options.auth.invalidate(repo.name);
        pushed = await push();
      }
    } catch (error) {
      if (isBatonError(error) && /GH006|protected branch/i.test(error.message)) {
        throw refused(branch, 'GitHub refused it as a protected branch (GH006)', error);
      }
      throw error;
    }
    options.log.info({ repo: repo.name, branch, commit: pushed.commit }, 'branch pushed to GitHub');
    return { location: `${remote.htmlUrl}/tree/${branch}` };
  };
}

/**
 * The branch as GitHub has it (its head commit), for outcomes told from facts. A 404 is "no such
 * branch"; any other failure is thrown (the caller leaves the fact unknown rather than guess).
 */
export function createGitHubRemoteBranchReader(options: { client: GitHubClient }): RemoteBranchReader {
  return async ({ repo, branch }) => {
    const { owner, name } = splitRepo(repo.name);
    const octokit = options.client.octokitFor(repo.name);
    try {
      const [found, repository] = await Promise.all([
        octokit.rest.repos.getBranch({ owner, repo: name, branch }),
        octokit.rest.repos.get({ owner, repo: name }),
      ]);
      return { commit: found.data.commit.sha, location: `${repository.data.html_url}/tree/${branch}` };
    } catch (error) {
      if (isStatus(error, 404)) return null;
      throw error;
    }
  };
}
