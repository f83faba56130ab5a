import type { FakeCredentials } from './github-credentials.ts';
import type { FakeRepoState, IssuedToken } from './github-state.ts';

export type Caller =
  | { kind: 'jwt'; appId: number }
  | { kind: 'installation'; token: IssuedToken }
  | { kind: 'personal'; token: string }
  | { kind: 'anonymous' };

export interface RouteContext {
  method: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  accept: string;
  caller: Caller;
  /** Set for routes under `/repos/:owner/:repo`. */
  repo: FakeRepoState;
}

export interface RouteResult {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  pattern: string;
  /** Who may call: the App itself (a JWT) or an installation/personal token. */
  auth: 'jwt' | 'token';
  handle(context: RouteContext): RouteResult | Promise<RouteResult>;
}

/** What the route files share: the repositories, the App's credentials and the fake's URLs. */
export interface FakeGitHubWorld {
  repos: Map<string, FakeRepoState>;
  credentials: FakeCredentials;
  apiUrl: string;
  webUrl: string;
  gitUrl(repo: string): string;
  now(): number;
  /** The App's bot login (`<slug>[bot]`), the author of what an installation token posts. */
  botLogin: string;
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const expected = route.pattern.split('/').filter(Boolean);
    if (expected.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matched = expected.every((segment, index) => {
      const actual = decodeURIComponent(parts[index] ?? '');
      if (segment.startsWith(':')) {
        params[segment.slice(1)] = actual;
        return true;
      }
      return segment === actual;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

export const notFound = (): RouteResult => ({
  status: 404,
  json: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
});

export function validationFailed(message: string, resource = 'PullRequest'): RouteResult {
  return {
    status: 422,
    json: {
      message: 'Validation Failed',
      errors: [{ resource, code: 'custom', message }],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    },
  };
}

export function isoTime(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The login a token acts as: the App's bot for an installation token. */
export function callerLogin(world: FakeGitHubWorld, caller: Caller): string {
  return caller.kind === 'personal' ? 'octo-human' : world.botLogin;
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
