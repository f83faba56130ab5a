import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
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
  /** Rate-limit waits before a request gives up. */
  maxRateLimitRetries?: number;
  /** The longest single wait; a longer reset is reported instead of waited for. */
  maxWaitMs?: number;
  /** Retries of a 5xx answer (backoff 1, 4, 9 … steps). Default 3. */
  serverErrorRetries?: number;
  /**
   * Milliseconds one second of waiting lasts: a Retry-After second and one step of the 5xx
   * backoff. 1000 in production; a test passes 1 so it waits milliseconds, not minutes.
   */
  retryUnitMs?: number;
  /** Pause between content-creating requests (GitHub asks for at least a second). Default 1000. */
  writeIntervalMs?: number;
  /** Told of every rate-limit wait, in GitHub's terms (milliseconds before scaling). */
  onRateLimitWait?: (milliseconds: number) => void;
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

const BatonOctokit = Octokit.plugin(retry, throttling);

/**
 * Octokit clients that carry the repository's token. GitHub's own limits are handled by the
 * maintained plugins: `plugin-throttling` waits out primary and secondary rate limits (Retry-After,
 * else a minute) and paces writes; `plugin-retry` retries 5xx answers with backoff. A 401 means the
 * token was revoked or expired early: it is dropped and the request tried once more with a fresh
 * one. Any other 4xx (a protected branch, a missing permission) is final and goes back untouched;
 * a rate limit that would wait too long becomes `github_rate_limited`.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const clients = new Map<string, Octokit>();
  const maxRetries = options.maxRateLimitRetries ?? 2;
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const unit = options.retryUnitMs ?? 1000;
  const writeInterval = options.writeIntervalMs ?? 1000;
  const log = options.log;
  // One pacing per client set (process), shared by every repository's Octokit.
  const write = new Bottleneck.Group({ maxConcurrent: 1, minTime: writeInterval });
  const notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: writeInterval });

  const build = (repo: string): Octokit => {
    const onLimit =
      (kind: string) =>
      (
        retryAfterSeconds: number,
        request: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const waitMs = retryAfterSeconds * 1000;
        if (retryCount >= maxRetries || waitMs > maxWaitMs) return false;
        log.warn({ repo, url: request.url, waitMs, kind }, 'GitHub rate limit; waiting before retrying');
        options.onRateLimitWait?.(waitMs);
        return true;
      };
    const octokit = new BatonOctokit({
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      userAgent: 'baton',
      request: options.fetch ? { fetch: options.fetch } : undefined,
      retry: {
        retries: options.serverErrorRetries ?? 3,
        retryAfterBaseValue: unit,
        // Rate limits are the throttling plugin's; a 4xx is an answer, not a hiccup.
        doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
      },
      throttle: {
        id: 'baton',
        retryAfterBaseValue: unit,
        fallbackSecondaryRateRetryAfter: 60,
        write,
        notifications,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
      },
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: (message: string) => log.warn({ repo }, message),
        error: (message: string) => log.error({ repo }, message),
      },
    });
    octokit.hook.wrap('request', async (request, requestOptions) => {
      let refreshed = false;
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
          const asked = rateLimitWait(
            error.status,
            error.response?.headers ?? {},
            error.response?.data,
            Date.now(),
          );
          if (asked === undefined) throw error;
          throw new BatonError({
            code: 'github_rate_limited',
            message: `GitHub rate-limited ${requestOptions.method} ${requestOptions.url} for ${repo}; it asks to wait ${Math.ceil(asked / 1000)} s`,
            retryable: true,
            hint: 'Baton makes at most a few requests per run; try again later or spread the work out',
            cause: error,
          });
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
