import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerCanSee, identifyCaller } from './github-access.ts';
import { createFakeCredentials, randomToken } from './github-credentials.ts';
import { createBareRepo, gitSync, writeProtectedRefs } from './github-git.ts';
import { handleGitRequest } from './github-git-endpoint.ts';
import { type FakeGitHubWorld, matchRoute, type Route, type RouteResult } from './github-router.ts';
import { appRoutes } from './github-routes-app.ts';
import { issueRoutes } from './github-routes-issues.ts';
import { pullRoutes } from './github-routes-pulls.ts';
import { createSeeders, type FakeGitHubSeeders } from './github-seed.ts';
import {
  type FakeRepoState,
  type IssuedToken,
  nextId,
  type Permission,
  type RecordedGitHubRequest,
} from './github-state.ts';

export type * from './github-state.ts';
export { deliverWebhook, signWebhook } from './github-webhooks.ts';

export interface FakeGitHubOptions {
  /** The fake's clock (token and JWT expiry); defaults to Date.now. */
  now?: () => number;
  appId?: number;
  /** The App's bot login, author of what installation tokens post. */
  botLogin?: string;
}

export interface FailureRule {
  method: string;
  path: string;
  status: number;
  remaining: number;
  headers: Record<string, string>;
  message: string;
}

export interface FakeGitHub extends FakeGitHubSeeders {
  /** The REST base URL, GitHub Enterprise style (`http://127.0.0.1:PORT/api/v3`). */
  apiUrl: string;
  webUrl: string;
  /** The smart-HTTP URL of a repository: `http://127.0.0.1:PORT/owner/name.git`. */
  gitUrl(repo: string): string;
  createRepo(input: {
    owner: string;
    name: string;
    files?: Record<string, string>;
    defaultBranch?: string;
  }): FakeRepoState;
  bareRepoPath(repo: string): string;
  /** Runs git in the repository's bare directory and returns stdout. */
  git(repo: string, ...args: string[]): string;
  repoState(repo: string): FakeRepoState;
  requests: RecordedGitHubRequest[];
  appId: number;
  clientId: string;
  privateKeyPem: string;
  installationId: number;
  issuedTokens: IssuedToken[];
  acceptedJwts: { iat: number; exp: number; iss: string | number }[];
  /** A personal access token the fake accepts (token mode). */
  createPersonalToken(): string;
  revokeToken(token: string): void;
  protectBranch(repo: string, branch: string): void;
  setPermission(repo: string, user: string, permission: Permission): void;
  /**
   * The next `times` requests to `method path` (API path without the prefix) fail with `status`
   * (a 403/429 says "secondary rate limit" unless `message` is given). Replaces an earlier rule; 0 clears it.
   */
  failNext(
    method: string,
    path: string,
    status: number,
    times?: number,
    extra?: { headers?: Record<string, string>; message?: string },
  ): void;
  /**
   * Called before each REST request is handled (a test kills a process when a request arrives);
   * a result answers the request instead of the fake. Replaces an earlier hook; undefined clears it.
   */
  beforeRest(hook: ((request: RecordedGitHubRequest) => Promise<RouteResult | undefined>) | undefined): void;
  close(): Promise<void>;
}

const API_PREFIX = '/api/v3';

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: RouteResult): void {
  const headers: Record<string, string> = { 'x-github-media-type': 'github.v3', ...result.headers };
  if (result.text !== undefined) {
    response.writeHead(result.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    response.end(result.text);
    return;
  }
  response.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(result.json === undefined ? '' : JSON.stringify(result.json));
}

/** A GitHub (REST + git smart HTTP) on 127.0.0.1 backed by real bare repositories. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const now = options.now ?? Date.now;
  const root = mkdtempSync(join(tmpdir(), 'fake-github-'));
  const credentials = createFakeCredentials({ now, appId: options.appId });
  const repos = new Map<string, FakeRepoState>();
  const requests: RecordedGitHubRequest[] = [];
  const failures: FailureRule[] = [];
  let beforeRest: ((request: RecordedGitHubRequest) => Promise<RouteResult | undefined>) | undefined;
  const world: FakeGitHubWorld = {
    repos,
    credentials,
    apiUrl: '',
    webUrl: '',
    gitUrl: (repo) => `${world.webUrl}/${repo}.git`,
    now,
    botLogin: options.botLogin ?? 'baton[bot]',
  };
  const routes: Route[] = [...appRoutes(world), ...pullRoutes(world), ...issueRoutes(world)];
  const repoOf = (repo: string): FakeRepoState => {
    const state = repos.get(repo.toLowerCase());
    if (!state) throw new Error(`fake GitHub: no repository ${repo}`);
    return state;
  };

  const identify = (authorization: string | undefined) => identifyCaller(credentials, authorization);

  const handleRest = async (
    request: IncomingMessage,
    recorded: RecordedGitHubRequest,
  ): Promise<RouteResult> => {
    const hooked = await beforeRest?.(recorded);
    if (hooked) return hooked;
    const rule = failures.find(
      (candidate) => candidate.method === recorded.method && candidate.path === recorded.path,
    );
    if (rule) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) failures.splice(failures.indexOf(rule), 1);
      return { status: rule.status, json: { message: rule.message }, headers: rule.headers };
    }
    const matched = matchRoute(routes, recorded.method, recorded.path);
    if (!matched) return { status: 404, json: { message: 'Not Found' } };
    const caller = identify(request.headers.authorization);
    if ('invalid' in caller) return { status: 401, json: { message: caller.invalid } };
    if (matched.route.auth === 'jwt' && caller.kind !== 'jwt') {
      return { status: 401, json: { message: 'A JSON web token could not be decoded' } };
    }
    if (matched.route.auth === 'token' && (caller.kind === 'jwt' || caller.kind === 'anonymous')) {
      return caller.kind === 'jwt'
        ? { status: 403, json: { message: 'Resource not accessible by integration' } }
        : { status: 401, json: { message: 'Requires authentication' } };
    }
    let repo: FakeRepoState | undefined;
    if (matched.params.owner !== undefined && matched.params.repo !== undefined) {
      repo = repos.get(`${matched.params.owner}/${matched.params.repo}`.toLowerCase());
      if (!repo || !callerCanSee(caller, repo)) return { status: 404, json: { message: 'Not Found' } };
    }
    return matched.route.handle({
      method: recorded.method,
      params: matched.params,
      query: recorded.query,
      body: recorded.body,
      accept: request.headers.accept ?? '',
      caller,
      // Routes without a repository never read it.
      repo: repo as FakeRepoState,
    });
  };

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isRest = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
    const recorded: RecordedGitHubRequest = {
      kind: isRest ? 'rest' : 'git',
      method: request.method ?? 'GET',
      path: isRest ? url.pathname.slice(API_PREFIX.length) || '/' : url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      accept: request.headers.accept,
      body: undefined,
    };
    requests.push(recorded);
    if (!isRest) {
      handleGitRequest({ request, response, url, recorded, repos, credentials, root }).catch(
        (error: unknown) => {
          response.writeHead(500).end(String(error));
        },
      );
      return;
    }
    readBody(request)
      .then(async (text) => {
        try {
          recorded.body = text ? JSON.parse(text) : undefined;
        } catch {
          recorded.body = text;
        }
        const result = await handleRest(request, recorded);
        recorded.status = result.status;
        send(response, result);
      })
      .catch((error: unknown) => send(response, { status: 500, json: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  world.webUrl = `http://127.0.0.1:${port}`;
  world.apiUrl = `${world.webUrl}${API_PREFIX}`;

  return {
    ...createSeeders(world, repoOf),
    apiUrl: world.apiUrl,
    webUrl: world.webUrl,
    gitUrl: world.gitUrl,
    createRepo: (input) => {
      const fullName = `${input.owner}/${input.name}`;
      const barePath = join(root, `${fullName}.git`);
      const defaultBranch = input.defaultBranch ?? 'main';
      createBareRepo({
        path: barePath,
        files: input.files ?? { 'README.md': `# ${input.name}\n` },
        defaultBranch,
      });
      const state: FakeRepoState = {
        owner: input.owner,
        name: input.name,
        fullName,
        id: nextId(),
        defaultBranch,
        barePath,
        pulls: [],
        issues: [],
        issueComments: [],
        reviewComments: [],
        reviews: [],
        checkRuns: [],
        reactions: [],
        permissions: new Map(),
        protectedBranches: new Set(),
        nextNumber: 1,
      };
      repos.set(fullName.toLowerCase(), state);
      return state;
    },
    bareRepoPath: (repo) => repoOf(repo).barePath,
    git: (repo, ...args) => gitSync(repoOf(repo).barePath, args),
    repoState: repoOf,
    requests,
    appId: credentials.appId,
    clientId: credentials.clientId,
    privateKeyPem: credentials.privateKeyPem,
    installationId: credentials.installationId,
    issuedTokens: credentials.issuedTokens,
    acceptedJwts: credentials.acceptedJwts,
    createPersonalToken: () => {
      const token = randomToken('ghp');
      credentials.personalTokens.add(token);
      return token;
    },
    revokeToken: (token) => {
      for (const issued of credentials.issuedTokens) if (issued.token === token) issued.revoked = true;
      credentials.personalTokens.delete(token);
    },
    protectBranch: (repo, branch) => {
      const state = repoOf(repo);
      state.protectedBranches.add(branch);
      writeProtectedRefs(state.barePath, state.protectedBranches);
    },
    setPermission: (repo, user, permission) => {
      repoOf(repo).permissions.set(user, permission);
    },
    failNext: (method, path, status, times = 1, extra = {}) => {
      // A new rule replaces the one for the same endpoint; `times = 0` only clears it.
      const existing = failures.findIndex(
        (rule) => rule.method === method.toUpperCase() && rule.path === path,
      );
      if (existing >= 0) failures.splice(existing, 1);
      if (times <= 0) return;
      const secondary = status === 429 || status === 403;
      failures.push({
        method: method.toUpperCase(),
        path,
        status,
        remaining: times,
        headers: extra.headers ?? {},
        message:
          extra.message ??
          (secondary
            ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
            : `fake failure ${status}`),
      });
    },
    beforeRest: (hook) => {
      beforeRest = hook;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
