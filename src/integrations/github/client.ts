import { Octokit } from '@octokit/rest';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { GitHubAuth } from './auth.ts';
import { rateLimitWait } from './rate-limit.ts';

export interface GitHubClient {
  /** An Octokit that authenticates as `owner/name`'s installation (or the PAT). One per repository. */
  octokitFor(repo: string): Octokit;
}

export interface GitHubClientOptions {
  auth: GitHubAuth;
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
  log: Logger;
  /** How waiting is done (a test passes one that records instead of sleeping). */
  wait?: (milliseconds: number) => Promise<void>;
  /** Rate-limit waits before a request gives up. */
  maxRateLimitRetries?: number;
  /** The longest single wait; a longer reset is reported instead of waited for. */
  maxWaitMs?: number;
  clock?: () => number;
  fetch?: typeof fetch;
}

interface RequestFailure {
  status: number;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isRequestFailure(error: unknown): error is RequestFailure {
  return (
    typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number'
  );
}

const sleep = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

/**
 * Octokit clients that carry the repository's token. A 401 means the token was revoked or expired
 * early: it is dropped and the request tried once more with a fresh one. A rate limit (429, or a 403
 * that says so) waits as GitHub asks; any other 403 (a protected branch, a missing permission) is
 * final and goes back to the caller untouched.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const clients = new Map<string, Octokit>();
  const wait = options.wait ?? sleep;
  const clock = options.clock ?? Date.now;
  const maxRetries = options.maxRateLimitRetries ?? 2;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const log = options.log;

  const build = (repo: string): Octokit => {
    const octokit = new Octokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: 'baton',
      request: options.fetch ? { fetch: options.fetch } : undefined,
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => log.warn({ repo }, message),
        error: (message: string) => log.error({ repo }, message),
      },
    });
    octokit.hook.wrap('request', async (request, requestOptions) => {
      let refreshed = false;
      let rateLimited = 0;
      for (;;) {
        const token = await options.auth.tokenFor(repo);
        requestOptions.headers.authorization = `token ${token}`;
        try {
          return await request(requestOptions);
        } catch (error) {
          if (!isRequestFailure(error)) throw error;
          if (error.status === 401 && !refreshed && options.auth.kind === 'app') {
            refreshed = true;
            options.auth.invalidate(repo);
            log.info(
              { repo, url: requestOptions.url },
              'GitHub answered 401; retrying once with a fresh token',
            );
            continue;
          }
          const delay = rateLimitWait(
            error.status,
            error.response?.headers ?? {},
            error.response?.data,
            clock(),
          );
          if (delay === undefined) throw error;
          if (rateLimited >= maxRetries || delay > maxWaitMs) {
            throw new BatonError({
              code: 'github_rate_limited',
              message: `GitHub rate-limited ${requestOptions.method} ${requestOptions.url} for ${repo}; it asks to wait ${Math.ceil(delay / 1000)} s`,
              retryable: true,
              hint: 'Baton makes at most a few requests per run; try again later or spread the work out',
              cause: error,
            });
          }
          rateLimited += 1;
          log.warn(
            { repo, url: requestOptions.url, waitMs: delay },
            'GitHub rate limit; waiting before retrying',
          );
          await wait(delay);
        }
      }
    });
    return octokit;
  };

  return {
    octokitFor(repo) {
      const key = repo.toLowerCase();
      let client = clients.get(key);
      if (!client) {
        client = build(repo);
        clients.set(key, client);
      }
      return client;
    },
  };
}
