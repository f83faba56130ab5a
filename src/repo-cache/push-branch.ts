import { BatonError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { type HostEnv, hostGit, type RepoAuth, tryHostGit, withoutCredentials } from './host-git.ts';
import { assertBranchName } from './layout.ts';
import { WORK_REF_PREFIX } from './mirror.ts';

export interface PushBranchOptions {
  mirrorPath: string;
  branch: string;
  /** A local path or URL; credentials go in `auth`, never in the URL. */
  remoteUrl: string;
  auth?: RepoAuth;
  defaultBranch: string;
  /** Exact names, or patterns with `*` (e.g. `release/*`). */
  protectedBranches: readonly string[];
  hostEnv?: HostEnv;
  log?: Logger;
  signal?: AbortSignal;
}

export interface PushBranchResult {
  branch: string;
  commit: string;
  remoteUrl: string;
}

function matches(pattern: string, branch: string): boolean {
  if (!pattern.includes('*')) return pattern === branch;
  const expression = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${expression}$`).test(branch);
}

/** Refuses, before anything leaves the host, a push to the default branch or a protected one. */
export function assertPushAllowed(
  options: Pick<PushBranchOptions, 'branch' | 'defaultBranch' | 'protectedBranches'>,
): void {
  const { branch } = options;
  const protectedBy = [options.defaultBranch, ...options.protectedBranches].find((pattern) =>
    matches(pattern, branch),
  );
  if (protectedBy !== undefined) {
    throw new BatonError({
      code: 'push_refused_protected',
      message: `refusing to push to ${branch}: it is ${protectedBy === options.defaultBranch ? 'the default branch' : 'a protected branch'}`,
      hint: 'Baton only pushes its own baton/* branches and opens a pull request',
    });
  }
}

/**
 * Pushes the branch's work from the mirror to the remote. Never forced: a remote that moved on
 * rejects the push and the caller reports it. After a push the mirror's copy of the remote branch
 * is updated, so the next create sees what the remote has.
 */
export async function pushBranch(options: PushBranchOptions): Promise<PushBranchResult> {
  assertBranchName(options.branch);
  assertPushAllowed(options);
  const hostEnv = options.hostEnv ?? {};
  const git = { cwd: options.mirrorPath, hostEnv, signal: options.signal };
  const local = await tryHostGit(
    ['rev-parse', '--verify', '--quiet', `${WORK_REF_PREFIX}${options.branch}^{commit}`],
    git,
  );
  const fallback =
    local.exitCode === 0
      ? local
      : await tryHostGit(['rev-parse', '--verify', '--quiet', `refs/heads/${options.branch}^{commit}`], git);
  const commit = fallback.stdout.trim();
  if (fallback.exitCode !== 0 || !commit) {
    throw new BatonError({
      code: 'push_nothing_to_push',
      message: `the mirror has no work on ${options.branch}`,
      hint: 'import the run’s changes (importChanges) before pushing',
    });
  }
  const remoteUrl = withoutCredentials(options.remoteUrl);
  const pushed = await tryHostGit(
    [
      '-c',
      'core.hooksPath=/dev/null',
      'push',
      '--porcelain',
      '--quiet',
      '--',
      remoteUrl,
      `${commit}:refs/heads/${options.branch}`,
    ],
    { ...git, auth: options.auth },
  );
  if (pushed.exitCode !== 0) {
    const detail = `${pushed.stdout}\n${pushed.stderr}`;
    const rejected =
      /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|GH006|protected branch/i.test(detail);
    throw new BatonError({
      code: rejected ? 'push_rejected' : 'push_failed',
      message: `push of ${options.branch} failed: ${detail.trim().split('\n').slice(-3).join(' ')}`,
      retryable: !rejected,
      hint: rejected
        ? 'the remote branch has commits Baton does not have, or the branch is protected; it is never force-pushed'
        : 'check the remote URL and the host’s credentials',
    });
  }
  await hostGit(['update-ref', `refs/heads/${options.branch}`, commit], git);
  options.log?.info({ branch: options.branch, commit }, 'branch pushed');
  return { branch: options.branch, commit, remoteUrl };
}
