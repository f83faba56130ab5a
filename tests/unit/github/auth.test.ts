import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubAuth, installationPermissions } from '../../../src/integrations/github/auth.ts';
import { createGitHubClient } from '../../../src/integrations/github/client.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';

const log = createSilentLogger();

describe('GitHub App auth against the fake', () => {
  let github: FakeGitHub;
  let now = Date.parse('2030-01-01T10:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    github = await startFakeGitHub({ now: clock });
    github.createRepo({ owner: 'acme', name: 'widgets' });
    github.createRepo({ owner: 'acme', name: 'gadgets' });
  });
  afterAll(async () => github.close());

  const appAuth = (extra: { workflows?: boolean } = {}) =>
    createGitHubAuth({
      apiUrl: github.apiUrl,
      appId: github.appId,
      privateKey: github.privateKeyPem,
      clock,
      log,
      ...extra,
    });
  const tokensFor = (name: string) =>
    github.issuedTokens.filter((issued) => issued.repositories?.join(',') === name);

  it('signs a JWT the fake accepts: RS256, iat backdated a minute, exp within ten minutes', async () => {
    const before = github.acceptedJwts.length;
    const auth = appAuth();
    expect(auth.kind).toBe('app');
    await auth.tokenFor('acme/widgets');
    const jwt = github.acceptedJwts[before];
    expect(jwt).toBeDefined();
    expect(jwt?.iss).toBe(github.appId);
    expect(jwt?.iat).toBe(Math.floor(now / 1000) - 60);
    expect((jwt?.exp ?? 0) - Math.floor(now / 1000)).toBeLessThanOrEqual(600);
    expect((jwt?.exp ?? 0) - Math.floor(now / 1000)).toBeGreaterThan(60);
  });

  it('requests one token per repository, narrowed to it, shared by concurrent callers and reused', async () => {
    const auth = appAuth();
    const before = github.issuedTokens.length;
    const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => auth.tokenFor('acme/widgets')));
    expect(new Set(tokens).size).toBe(1);
    expect(await auth.tokenFor('acme/widgets')).toBe(tokens[0]);
    const gadgets = await auth.tokenFor('acme/gadgets');
    expect(gadgets).not.toBe(tokens[0]);
    const issued = github.issuedTokens.slice(before);
    expect(issued.map((token) => token.repositories)).toEqual([['widgets'], ['gadgets']]);
    expect(issued[0]?.permissions).toEqual({
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      checks: 'read',
      metadata: 'read',
    });
    const tokenRequests = github.requests.filter((request) => request.path.endsWith('/access_tokens'));
    expect(tokenRequests.at(-1)?.body).toMatchObject({ repositories: ['gadgets'] });
    // Narrowed for real: the widgets token cannot read gadgets.
    const widgetsOnly = createGitHubClient({
      auth: { kind: 'token', tokenFor: async () => tokens[0] ?? '', invalidate: () => undefined },
      apiUrl: github.apiUrl,
      log,
    });
    await expect(
      widgetsOnly.octokitFor('acme/gadgets').rest.repos.get({ owner: 'acme', repo: 'gadgets' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('asks for the workflows permission only when configured to', async () => {
    expect(installationPermissions(false)).not.toHaveProperty('workflows');
    const before = github.issuedTokens.length;
    await appAuth({ workflows: true }).tokenFor('acme/widgets');
    expect(github.issuedTokens[before]?.permissions).toMatchObject({ workflows: 'write' });
  });

  it('keeps a token until five minutes before its expiry, then gets a new one', async () => {
    const auth = appAuth();
    const first = await auth.tokenFor('acme/widgets');
    now += 54 * 60_000;
    expect(await auth.tokenFor('acme/widgets')).toBe(first);
    now += 2 * 60_000;
    const second = await auth.tokenFor('acme/widgets');
    expect(second).not.toBe(first);
    expect(github.issuedTokens.find((issued) => issued.token === second)?.expiresAt).toBe(now + 3_600_000);
  });

  it('retries a request once with a fresh token after a 401, and no more', async () => {
    const auth = appAuth();
    const client = createGitHubClient({ auth, apiUrl: github.apiUrl, log });
    const octokit = client.octokitFor('acme/widgets');
    await octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' });
    const revoked = await auth.tokenFor('acme/widgets');
    github.revokeToken(revoked);
    const before = tokensFor('widgets').length;
    const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' });
    expect(data.full_name).toBe('acme/widgets');
    expect(tokensFor('widgets').length).toBe(before + 1);
    const statuses = github.requests
      .filter((request) => request.path === '/repos/acme/widgets')
      .slice(-2)
      .map((request) => request.status);
    expect(statuses).toEqual([401, 200]);

    github.failNext('GET', '/repos/acme/widgets', 401, 5, { message: 'Bad credentials' });
    const attempts = github.requests.length;
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 401,
    });
    expect(
      github.requests.slice(attempts).filter((request) => request.path === '/repos/acme/widgets'),
    ).toHaveLength(2);
    github.failNext('GET', '/repos/acme/widgets', 401, 0);
  });

  it('accepts the App’s Client ID in place of its numeric id', async () => {
    const before = github.acceptedJwts.length;
    const auth = createGitHubAuth({
      apiUrl: github.apiUrl,
      appId: github.clientId,
      privateKey: github.privateKeyPem,
      clock,
      log,
    });
    const token = await auth.tokenFor('acme/gadgets');
    expect(github.issuedTokens.find((issued) => issued.token === token)?.repositories).toEqual(['gadgets']);
    expect(github.acceptedJwts.slice(before).map((jwt) => jwt.iss)).toContain(github.clientId);
  });

  it('reports an App that is not installed on the repository', async () => {
    await expect(appAuth().tokenFor('acme/unknown')).rejects.toMatchObject({
      code: 'github_app_not_installed',
    });
  });

  it('refuses a key that is not a PEM and missing credentials', () => {
    expect(() => createGitHubAuth({ apiUrl: github.apiUrl, appId: 1, privateKey: 'nope', log })).toThrow(
      expect.objectContaining({ code: 'github_app_key_invalid' }),
    );
    expect(() => createGitHubAuth({ apiUrl: github.apiUrl, log })).toThrow(
      expect.objectContaining({ code: 'github_not_configured' }),
    );
  });

  it('returns a personal token as it is, and the fake accepts it', async () => {
    const pat = github.createPersonalToken();
    const auth = createGitHubAuth({ apiUrl: github.apiUrl, token: pat, log });
    expect(auth.kind).toBe('token');
    expect(await auth.tokenFor('acme/widgets')).toBe(pat);
    const client = createGitHubClient({ auth, apiUrl: github.apiUrl, log });
    const { data } = await client.octokitFor('acme/widgets').rest.users.getAuthenticated();
    expect(data.login).toBe('octo-human');
  });
});

describe('GitHub client rate limits', () => {
  let github: FakeGitHub;
  beforeAll(async () => {
    github = await startFakeGitHub();
    github.createRepo({ owner: 'acme', name: 'widgets' });
  });
  afterAll(async () => github.close());

  const setup = () => {
    const waits: number[] = [];
    const pat = github.createPersonalToken();
    const client = createGitHubClient({
      auth: createGitHubAuth({ apiUrl: github.apiUrl, token: pat, log }),
      apiUrl: github.apiUrl,
      log,
      // Waits are told in GitHub's terms and last a thousandth of that: the test does not sleep.
      retryUnitMs: 1,
      onRateLimitWait: (milliseconds) => {
        waits.push(milliseconds);
      },
    });
    const calls = () => github.requests.filter((request) => request.path === '/repos/acme/widgets').length;
    return { waits, octokit: client.octokitFor('acme/widgets'), calls };
  };

  it('waits as retry-after asks on a 429, and a minute on a secondary limit without it', async () => {
    const { waits, octokit } = setup();
    github.failNext('GET', '/repos/acme/widgets', 429, 1, { headers: { 'retry-after': '7' } });
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).resolves.toMatchObject({
      status: 200,
    });
    github.failNext('GET', '/repos/acme/widgets', 403, 1);
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).resolves.toMatchObject({
      status: 200,
    });
    expect(waits).toEqual([7000, 60_000]);
  });

  it('gives up after a bounded number of waits with a retryable error', async () => {
    const { waits, octokit } = setup();
    github.failNext('GET', '/repos/acme/widgets', 429, 10, { headers: { 'retry-after': '1' } });
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      code: 'github_rate_limited',
      retryable: true,
    });
    expect(waits).toEqual([1000, 1000]);
    github.failNext('GET', '/repos/acme/widgets', 429, 0);
  });

  it('retries a 502 with backoff until GitHub answers, and gives a 5xx back after its retries', async () => {
    const { waits, octokit, calls } = setup();
    github.failNext('GET', '/repos/acme/widgets', 502, 1);
    let before = calls();
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).resolves.toMatchObject({
      status: 200,
    });
    expect(calls() - before).toBe(2);
    github.failNext('GET', '/repos/acme/widgets', 503, 10);
    before = calls();
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 503,
    });
    // The first try and three retries; no rate-limit wait was involved.
    expect(calls() - before).toBe(4);
    expect(waits).toEqual([]);
    github.failNext('GET', '/repos/acme/widgets', 503, 0);
  });

  it('does not retry a 403 that is about permissions or protection', async () => {
    const { waits, octokit, calls } = setup();
    github.failNext('GET', '/repos/acme/widgets', 403, 1, {
      message: 'Resource not accessible by integration',
    });
    const before = calls();
    await expect(octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 403,
    });
    expect(calls() - before).toBe(1);
    expect(waits).toEqual([]);
  });
});
