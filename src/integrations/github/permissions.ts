import type { Octokit } from '@octokit/rest';
import { BatonError } from '../../observability/errors.ts';
import { splitRepo } from './repo-name.ts';

/** What the permission endpoint said about one user on one repository. */
export interface PermissionVerdict {
  /** Write access or more: only such commenters may start a run. */
  allowed: boolean;
  /** The legacy field: `admin`, `write`, `read` or `none` (maintain folds to write, triage to read). */
  permission: string;
  /** The exact role (`maintain`, `triage`, a custom role's name) when GitHub sends it. */
  roleName?: string;
}

export interface PermissionChecker {
  check(repo: string, login: string): Promise<PermissionVerdict>;
}

export interface PermissionCheckerOptions {
  octokitFor: (repo: string) => Octokit;
  /** How long an answer is trusted; a revoked collaborator keeps access at most this long. */
  ttlMs?: number;
  /** One request's bound: the webhook must be answered within GitHub's 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

// `permission` folds maintain (and custom roles based on write) into `write`, so these two cover
// every role that may push. `role_name` is exact but open-ended (custom roles), so it only informs.
const WRITE_LEVELS = new Set(['admin', 'write']);

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

/**
 * Asks `GET /repos/{owner}/{repo}/collaborators/{username}/permission`, caching answers per
 * (repository, user) so a burst of comments costs one request. Failures are not cached.
 */
export function createPermissionChecker(options: PermissionCheckerOptions): PermissionChecker {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { expiresAt: number; verdict: Promise<PermissionVerdict> }>();

  async function fetchVerdict(repo: string, login: string): Promise<PermissionVerdict> {
    const { owner, name } = splitRepo(repo);
    try {
      const { data } = await options.octokitFor(repo).rest.repos.getCollaboratorPermissionLevel({
        owner,
        repo: name,
        username: login,
        request: { signal: AbortSignal.timeout(timeoutMs) },
      });
      const roleName = typeof data.role_name === 'string' ? data.role_name : undefined;
      return {
        allowed: WRITE_LEVELS.has(data.permission),
        permission: data.permission,
        ...(roleName ? { roleName } : {}),
      };
    } catch (error) {
      // Not a collaborator (or not a user at all): no access, and a definite answer worth caching.
      if (statusOf(error) === 404) return { allowed: false, permission: 'none' };
      throw new BatonError({
        code: 'github.permission_check_failed',
        message: `Could not check ${login}'s permission on ${repo}.`,
        retryable: true,
        hint: 'check the GitHub App installation (it needs metadata read access) and that GitHub is reachable',
        cause: error,
      });
    }
  }

  return {
    check(repo, login) {
      const key = `${repo.toLowerCase()}\n${login.toLowerCase()}`;
      const cached = cache.get(key);
      if (cached && cached.expiresAt > now()) return cached.verdict;
      const verdict = fetchVerdict(repo, login);
      cache.set(key, { expiresAt: now() + ttlMs, verdict });
      verdict.catch(() => {
        if (cache.get(key)?.verdict === verdict) cache.delete(key);
      });
      return verdict;
    },
  };
}
