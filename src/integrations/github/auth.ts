import type { KeyObject } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { BatonError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { parseAppPrivateKey, signAppJwt } from './app-jwt.ts';
import { splitRepo } from './repo-name.ts';

/** Credentials for one repository: an installation token (App) or the configured token (PAT). */
export interface GitHubAuth {
  kind: 'app' | 'token';
  /** A token that may act on `owner/name`; cached and shared by concurrent callers. */
  tokenFor(repo: string): Promise<string>;
  /** Drops the cached token for `repo` (GitHub answered 401), so the next call gets a fresh one. */
  invalidate(repo: string): void;
}

export interface GitHubAuthOptions {
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
  /** The App's numeric id, or its Client ID (`Iv23…`): GitHub accepts either as the JWT's issuer. */
  appId?: number | string;
  /** The App's PEM private key. */
  privateKey?: string;
  /** A personal access token, for small setups without an App. */
  token?: string;
  /** Ask for the `workflows` permission too (only when Baton may change `.github/workflows`). */
  workflows?: boolean;
  fetch?: typeof fetch;
  clock?: () => number;
  log: Logger;
  /** Told every credential minted (installation tokens, the App's JWT), so it can be masked everywhere. */
  onSecret?: (name: string, value: string) => void;
}

/** A cached token is replaced this long before GitHub's expiry, so no request carries a dying one. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const JWT_REUSE_MARGIN_MS = 60_000;

/** What Baton needs and nothing more: contents and PRs to push and open, issues to comment, checks to read. */
export function installationPermissions(workflows: boolean): Record<string, 'read' | 'write'> {
  return {
    contents: 'write',
    pull_requests: 'write',
    issues: 'write',
    checks: 'read',
    metadata: 'read',
    ...(workflows ? { workflows: 'write' as const } : {}),
  };
}

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { data?: unknown };
}

function appError(error: unknown, what: string): BatonError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as RequestFailure;
  const status = failure.status;
  if (status === undefined) {
    return new BatonError({
      code: 'github_unreachable',
      message: `GitHub could not be reached for ${what}: ${failure.message ?? String(error)}`,
      retryable: true,
      hint: 'check GITHUB_API_URL and the network',
      cause: error,
    });
  }
  if (status === 404) {
    return new BatonError({
      code: 'github_app_not_installed',
      message: `the GitHub App is not installed on ${what}`,
      hint: 'install the App on the repository (or its organisation) and grant it access to this repository',
      cause: error,
    });
  }
  const data = failure.response?.data;
  const detail =
    typeof data === 'object' && data !== null && 'message' in data ? String(data.message) : failure.message;
  return new BatonError({
    code: status === 401 ? 'github_app_auth_failed' : 'github_app_request_failed',
    message: `GitHub refused the App's request for ${what} (${status}): ${String(detail ?? '').slice(0, 300)}`,
    retryable: status >= 500 || status === 429,
    hint:
      status === 401
        ? 'check GITHUB_APP_ID (the App id or its Client ID) and GITHUB_APP_PRIVATE_KEY, and that the host clock is right'
        : 'check the App’s permissions and GitHub’s status',
    cause: error,
  });
}

/**
 * Installation tokens through `@octokit/auth-app`: it signs nothing itself here (the JWT comes from
 * `signAppJwt`, on Baton's clock) but issues the narrowed tokens and merges concurrent requests.
 * Baton keeps the per-repository installation and a token cache that refreshes five minutes early.
 */
function createInstallationAuth(
  options: GitHubAuthOptions & { appId: number | string; privateKey: string },
): GitHubAuth {
  const clock = options.clock ?? Date.now;
  const key: KeyObject = parseAppPrivateKey(options.privateKey);
  // A bare Octokit's request (no auth, no retries): the App's own calls carry the JWT themselves.
  const { request } = new Octokit({
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'baton',
    request: options.fetch ? { fetch: options.fetch } : undefined,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  let jwt: { token: string; expiresAtMs: number } | undefined;
  const appJwt = () => {
    if (!jwt || jwt.expiresAtMs - JWT_REUSE_MARGIN_MS <= clock()) {
      jwt = signAppJwt({ appId: options.appId, privateKey: key, nowMs: clock() });
      options.onSecret?.('GitHub App JWT', jwt.token);
    }
    return jwt;
  };
  const app = createAppAuth({
    appId: options.appId,
    request,
    createJwt: async () => {
      const signed = appJwt();
      return { jwt: signed.token, expiresAt: new Date(signed.expiresAtMs).toISOString() };
    },
    log: { warn: (message: string) => options.log.warn(message) },
  });
  const permissions = installationPermissions(options.workflows ?? false);
  const installations = new Map<string, Promise<number>>();
  const tokens = new Map<string, { token: string; expiresAtMs: number }>();
  const pending = new Map<string, Promise<string>>();

  const installationFor = (repo: string): Promise<number> => {
    const { owner, name } = splitRepo(repo);
    const cacheKey = `${owner}/${name}`.toLowerCase();
    let found = installations.get(cacheKey);
    if (!found) {
      found = request('GET /repos/{owner}/{repo}/installation', {
        owner,
        repo: name,
        headers: { authorization: `bearer ${appJwt().token}` },
      }).then(
        (response) => Number(response.data.id),
        (error: unknown) => {
          throw appError(error, repo);
        },
      );
      // A failed lookup is not remembered: the App may be installed a minute later.
      found.catch(() => installations.delete(cacheKey));
      installations.set(cacheKey, found);
    }
    return found;
  };

  const issue = async (repo: string, cacheKey: string): Promise<string> => {
    const installationId = await installationFor(repo);
    let issued: { token: string; expiresAt: string };
    try {
      // `refresh`: the expiry is judged here, on Baton's clock, not by the library's own cache.
      issued = await app({
        type: 'installation',
        installationId,
        repositoryNames: [splitRepo(repo).name],
        permissions,
        refresh: true,
      });
    } catch (error) {
      throw appError(error, repo);
    }
    const expiresAtMs = Date.parse(issued.expiresAt);
    if (!issued.token || Number.isNaN(expiresAtMs)) {
      throw new BatonError({
        code: 'github_app_request_failed',
        message: `GitHub returned no installation token for ${repo}`,
        retryable: true,
      });
    }
    // Registered before anyone can use it, so no message, log line or item ever carries it unmasked.
    options.onSecret?.(`GitHub installation token for ${repo}`, issued.token);
    tokens.set(cacheKey, { token: issued.token, expiresAtMs });
    options.log.debug({ repo, installationId, expiresAt: issued.expiresAt }, 'installation token issued');
    return issued.token;
  };

  return {
    kind: 'app',
    tokenFor(repo) {
      const cacheKey = repo.toLowerCase();
      const cached = tokens.get(cacheKey);
      if (cached && cached.expiresAtMs - REFRESH_MARGIN_MS > clock()) return Promise.resolve(cached.token);
      let inFlight = pending.get(cacheKey);
      if (!inFlight) {
        inFlight = issue(repo, cacheKey).finally(() => pending.delete(cacheKey));
        pending.set(cacheKey, inFlight);
      }
      return inFlight;
    },
    invalidate(repo) {
      tokens.delete(repo.toLowerCase());
    },
  };
}

/**
 * GitHub credentials: a GitHub App (short-lived installation tokens, each narrowed to the one
 * repository it is for) when an App id (or Client ID) and key are set, otherwise a plain token.
 */
export function createGitHubAuth(options: GitHubAuthOptions): GitHubAuth {
  if (options.appId !== undefined && options.privateKey) {
    return createInstallationAuth({ ...options, appId: options.appId, privateKey: options.privateKey });
  }
  const token = options.token;
  if (token) {
    return { kind: 'token', tokenFor: async () => token, invalidate: () => undefined };
  }
  throw new BatonError({
    code: 'github_not_configured',
    message: 'no GitHub credentials are configured',
    hint: 'set GITHUB_APP_ID (or the App’s Client ID) and GITHUB_APP_PRIVATE_KEY (a GitHub App), or GITHUB_TOKEN',
  });
}
