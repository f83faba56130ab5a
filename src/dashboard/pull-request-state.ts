import type { Octokit } from '@octokit/rest';

export type PullRequestState = 'draft' | 'open' | 'merged' | 'closed';

/** The state of a pull request by its web URL; undefined when it is not a GitHub PR Baton can read. */
export type PullRequestStateSource = (url: string) => Promise<PullRequestState | undefined>;

export interface PullRequestStateOptions {
  octokitFor(repo: string): Pick<Octokit, 'rest'>;
  /** `github.com`, or the GitHub Enterprise host. */
  webHost: string;
  /** A state is asked again after this long; pages re-render often while a run is live. */
  ttlMs?: number;
  now?: () => number;
}

/** `https://github.com/acme/api/pull/12` → `{ repo: 'acme/api', number: 12 }`. */
export function pullRequestOf(url: string, webHost: string): { repo: string; number: number } | undefined {
  try {
    const parsed = new URL(url);
    const match = /^\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/pull\/(\d+)\/?$/.exec(parsed.pathname);
    if (parsed.host !== webHost || !match?.[1] || !match[2] || !match[3]) return undefined;
    return { repo: `${match[1]}/${match[2]}`, number: Number(match[3]) };
  } catch {
    return undefined;
  }
}

/** Reads the PR from GitHub (one call per URL per `ttlMs`); a failure shows no state rather than failing the page. */
export function createPullRequestState(options: PullRequestStateOptions): PullRequestStateSource {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; state: Promise<PullRequestState | undefined> }>();
  const read = async (url: string): Promise<PullRequestState | undefined> => {
    const pull = pullRequestOf(url, options.webHost);
    if (!pull) return undefined;
    const [owner = '', repo = ''] = pull.repo.split('/');
    try {
      const { data } = await options.octokitFor(pull.repo).rest.pulls.get({
        owner,
        repo,
        pull_number: pull.number,
        request: { signal: AbortSignal.timeout(3000) },
      });
      if (data.merged) return 'merged';
      if (data.state === 'closed') return 'closed';
      return data.draft ? 'draft' : 'open';
    } catch {
      return undefined;
    }
  };
  return (url) => {
    const cached = cache.get(url);
    if (cached && now() - cached.at < ttlMs) return cached.state;
    const state = read(url);
    if (cache.size > 2000) cache.clear();
    cache.set(url, { at: now(), state });
    return state;
  };
}
