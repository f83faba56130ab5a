import type { KeyObject } from 'node:crypto';
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
  appId?: number;
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

function appError(status: number, detail: string, what: string): BatonError {
  if (status === 404) {
    return new BatonError({
      code: 'github_app_not_installed',
      message: `the GitHub App is not installed on ${what}`,
      hint: 'install the App on the repository (or its organisation) and grant it access to this repository',
    });
  }
  return new BatonError({
    code: status === 401 ? 'github_app_auth_failed' : 'github_app_request_failed',
    message: `GitHub refused the App's request for ${what} (${status}): ${detail}`,
    retryable: status >= 500 || status === 429,
    hint:
      status === 401
        ? 'check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, and that the host clock is right'
        : 'check the App’s permissions and GitHub’s status',
  });
}

function createAppAuth(options: GitHubAuthOptions & { appId: number; privateKey: string }): GitHubAuth {
  const fetchImpl = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  const key: KeyObject = parseAppPrivateKey(options.privateKey);
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const permissions = installationPermissions(options.workflows ?? false);
  let jwt: { token: string; expiresAtMs: number } | undefined;
  const installations = new Map<string, Promise<number>>();
  const tokens = new Map<string, { token: string; expiresAtMs: number }>();
  const pending = new Map<string, Promise<string>>();

  const appJwt = () => {
    if (!jwt || jwt.expiresAtMs - JWT_REUSE_MARGIN_MS <= clock()) {
      jwt = signAppJwt({ appId: options.appId, privateKey: key, nowMs: clock() });
      options.onSecret?.('GitHub App JWT', jwt.token);
    }
    return jwt.token;
  };

  const call = async (method: 'GET' | 'POST', path: string, what: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetchImpl(`${apiUrl}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${appJwt()}`,
          'content-type': 'application/json',
          'user-agent': 'baton',
          'x-github-api-version': '2022-11-28',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new BatonError({
        code: 'github_unreachable',
        message: `GitHub at ${apiUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
        retryable: true,
        hint: 'check GITHUB_API_URL and the network',
        cause: error,
      });
    }
    const text = await response.text();
    if (!response.ok) {
      const message = (() => {
        try {
          return String((JSON.parse(text) as { message?: unknown }).message ?? text);
        } catch {
          return text;
        }
      })();
      throw appError(response.status, message.slice(0, 300), what);
    }
    return JSON.parse(text) as Record<string, unknown>;
  };

  const installationFor = (repo: string): Promise<number> => {
    const { owner, name } = splitRepo(repo);
    const cacheKey = `${owner}/${name}`.toLowerCase();
    let found = installations.get(cacheKey);
    if (!found) {
      found = call('GET', `/repos/${owner}/${name}/installation`, repo).then((body) => Number(body.id));
      // A failed lookup is not remembered: the App may be installed a minute later.
      found.catch(() => installations.delete(cacheKey));
      installations.set(cacheKey, found);
    }
    return found;
  };

  const issue = async (repo: string, cacheKey: string): Promise<string> => {
    const { name } = splitRepo(repo);
    const installationId = await installationFor(repo);
    const body = await call('POST', `/app/installations/${installationId}/access_tokens`, repo, {
      repositories: [name],
      permissions,
    });
    const token = String(body.token ?? '');
    const expiresAtMs = Date.parse(String(body.expires_at ?? ''));
    if (!token || Number.isNaN(expiresAtMs)) {
      throw new BatonError({
        code: 'github_app_request_failed',
        message: `GitHub returned no installation token for ${repo}`,
        retryable: true,
      });
    }
    // Registered before anyone can use it, so no message, log line or item ever carries it unmasked.
    options.onSecret?.(`GitHub installation token for ${repo}`, token);
    tokens.set(cacheKey, { token, expiresAtMs });
    options.log.debug(
      { repo, installationId, expiresAt: new Date(expiresAtMs).toISOString() },
      'installation token issued',
    );
    return token;
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
 * repository it is for) when an App id and key are set, otherwise a plain token.
 */
export function createGitHubAuth(options: GitHubAuthOptions): GitHubAuth {
  if (options.appId !== undefined && options.privateKey) {
    return createAppAuth({ ...options, appId: options.appId, privateKey: options.privateKey });
  }
  const token = options.token;
  if (token) {
    return { kind: 'token', tokenFor: async () => token, invalidate: () => undefined };
  }
  throw new BatonError({
    code: 'github_not_configured',
    message: 'no GitHub credentials are configured',
    hint: 'set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (a GitHub App), or GITHUB_TOKEN',
  });
}
