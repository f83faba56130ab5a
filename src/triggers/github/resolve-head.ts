import type { Octokit } from '@octokit/rest';
import { splitRepo } from '../../integrations/github/repo-name.ts';
import { BatonError } from '../../observability/errors.ts';
import type { IgnoreReason } from './types.ts';

export interface PullHead {
  ref: string;
  /** `owner/name` the head branch lives in; `null` when its fork was deleted. */
  repo: string | null;
  state?: string;
}

/** issue_comment payloads carry no head branch: one bounded `GET /pulls/{n}` answers it. */
export async function fetchPullHead(input: {
  octokitFor: (repo: string) => Octokit;
  repo: string;
  number: number;
  timeoutMs: number;
}): Promise<PullHead> {
  const { owner, name: repo } = splitRepo(input.repo);
  try {
    const { data } = await input.octokitFor(input.repo).rest.pulls.get({
      owner,
      repo,
      pull_number: input.number,
      request: { signal: AbortSignal.timeout(input.timeoutMs) },
    });
    return { ref: data.head.ref, repo: data.head.repo?.full_name ?? null, state: data.state };
  } catch (error) {
    throw new BatonError({
      code: 'github.pull_unavailable',
      message: `Could not read ${input.repo}#${input.number} from GitHub.`,
      retryable: true,
      hint: 'check that GitHub is reachable and the App is installed on the repository; then redeliver the webhook',
      cause: error,
    });
  }
}

/**
 * Baton works only on its own pull requests: a head branch with Baton's prefix, in the same
 * repository (a fork can name a branch anything).
 */
export function checkBatonHead(head: PullHead, repo: string, branchPrefix: string): IgnoreReason | null {
  if (head.state === 'closed') return 'pull_request_closed';
  if (!head.ref.startsWith(branchPrefix)) return 'not_a_baton_branch';
  if (head.repo?.toLowerCase() !== repo.toLowerCase()) return 'fork';
  return null;
}
