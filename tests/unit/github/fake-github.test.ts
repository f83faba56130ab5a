import { execFile, execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAppPrivateKey, signAppJwt } from '../../../src/integrations/github/app-jwt.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';
import { deliverWebhook, signWebhook } from '../../fakes/github-webhooks.ts';
import { createTempDir } from '../../fixtures/git-repo.ts';

const REPO = 'acme/widgets';

/** Git on the test side (asynchronous: the fake answers from this same process), credential only in env. */
function gitWith(
  cwd: string,
  token: string | undefined,
  args: string[],
): Promise<{ status: number; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: cwd,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  if (token) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  }
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args],
      { cwd, env, encoding: 'utf8' },
      (error, _stdout, stderr) => resolve({ status: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

const QUIET = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('fake GitHub', () => {
  let github: FakeGitHub;
  let token: string;
  const octokit = (auth: string) => new Octokit({ baseUrl: github.apiUrl, auth, log: QUIET });

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.createRepo({ owner: 'acme', name: 'widgets', files: { 'README.md': '# widgets\n' } });
    github.createRepo({ owner: 'acme', name: 'other' });
    const jwt = signAppJwt({
      appId: github.appId,
      privateKey: parseAppPrivateKey(github.privateKeyPem),
      nowMs: Date.now(),
    });
    const app = octokit(jwt.token);
    const { data } = await app.rest.apps.createInstallationAccessToken({
      installation_id: github.installationId,
      repositories: ['widgets'],
      permissions: { contents: 'write', pull_requests: 'write' },
    });
    token = data.token;
  });
  afterAll(async () => github.close());

  it('accepts the App JWT and refuses one signed by another key or living too long', async () => {
    const good = signAppJwt({
      appId: github.appId,
      privateKey: parseAppPrivateKey(github.privateKeyPem),
      nowMs: Date.now(),
    });
    const { data } = await octokit(good.token).rest.apps.getAuthenticated();
    expect(data?.id).toBe(github.appId);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = signAppJwt({ appId: github.appId, privateKey: other, nowMs: Date.now() });
    await expect(octokit(forged.token).rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    const future = signAppJwt({
      appId: github.appId,
      privateKey: parseAppPrivateKey(github.privateKeyPem),
      nowMs: Date.now() + 30 * 60_000,
    });
    await expect(octokit(future.token).rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    // A JWT is not an installation token: repository endpoints refuse it.
    await expect(
      octokit(good.token).rest.repos.get({ owner: 'acme', repo: 'widgets' }),
    ).rejects.toMatchObject({
      status: 403,
    });
  });

  it('scopes an installation token to the repositories it was narrowed to and refuses GET /user', async () => {
    const client = octokit(token);
    expect((await client.rest.repos.get({ owner: 'acme', repo: 'widgets' })).data.default_branch).toBe(
      'main',
    );
    await expect(client.rest.repos.get({ owner: 'acme', repo: 'other' })).rejects.toMatchObject({
      status: 404,
    });
    await expect(client.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403 });
    expect(github.issuedTokens.at(-1)).toMatchObject({ repositories: ['widgets'] });
  });

  it('serves clone and push over smart HTTP only with x-access-token and a valid token', async () => {
    const work = createTempDir('fake-github-client-');
    try {
      const denied = await gitWith(work.path, undefined, ['clone', '-q', github.gitUrl(REPO), 'anonymous']);
      expect(denied.status).not.toBe(0);
      expect(denied.stderr).toMatch(/Authentication failed|could not read Username|401/i);
      const clone = await gitWith(work.path, token, ['clone', '-q', github.gitUrl(REPO), 'repo']);
      expect(clone).toMatchObject({ status: 0 });
      const repo = join(work.path, 'repo');
      writeFileSync(join(repo, 'a.txt'), 'a\n');
      await gitWith(repo, token, ['add', '-A']);
      await gitWith(repo, token, ['commit', '-q', '-m', 'Add a']);
      const pushed = await gitWith(repo, token, ['push', '-q', 'origin', 'HEAD:refs/heads/feature-a']);
      expect(pushed.status).toBe(0);
      const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
      expect(github.git(REPO, 'rev-parse', 'refs/heads/feature-a')).toBe(head);
    } finally {
      work.cleanup();
    }
  });

  it('refuses a protected branch with GH006 and workflow files without the workflows permission', async () => {
    github.protectBranch(REPO, 'release');
    github.git(REPO, 'branch', 'release', 'main');
    const work = createTempDir('fake-github-client-');
    try {
      await gitWith(work.path, token, ['clone', '-q', github.gitUrl(REPO), 'repo']);
      const repo = join(work.path, 'repo');
      writeFileSync(join(repo, 'b.txt'), 'b\n');
      await gitWith(repo, token, ['add', '-A']);
      await gitWith(repo, token, ['commit', '-q', '-m', 'Add b']);
      const protectedPush = await gitWith(repo, token, ['push', 'origin', 'HEAD:refs/heads/release']);
      expect(protectedPush.status).not.toBe(0);
      expect(protectedPush.stderr).toContain('GH006: Protected branch update failed for refs/heads/release.');
      execFileSync('mkdir', ['-p', join(repo, '.github/workflows')]);
      writeFileSync(join(repo, '.github/workflows/ci.yml'), 'on: push\n');
      await gitWith(repo, token, ['add', '-A']);
      await gitWith(repo, token, ['commit', '-q', '-m', 'Add CI']);
      const workflowPush = await gitWith(repo, token, ['push', 'origin', 'HEAD:refs/heads/with-ci']);
      expect(workflowPush.status).not.toBe(0);
      expect(workflowPush.stderr).toMatch(/without `workflows` permission/);
    } finally {
      work.cleanup();
    }
  });

  it('lists pulls by head only with the owner prefix and answers 422 like GitHub', async () => {
    const client = octokit(token);
    github.commitFiles(REPO, { branch: 'feature-b', files: { 'b.txt': 'b\n' } });
    github.commitFiles(REPO, { branch: 'feature-c', files: { 'c.txt': 'c\n' } });
    github.commitFiles(REPO, { branch: 'empty', files: {}, message: 'nothing new' });
    github.git(REPO, 'update-ref', 'refs/heads/empty', 'refs/heads/main');
    const created = await client.rest.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      head: 'feature-b',
      base: 'main',
      title: 'B',
      draft: true,
    });
    expect(created.data).toMatchObject({ number: expect.any(Number), draft: true, state: 'open' });
    await client.rest.pulls.create({
      owner: 'acme',
      repo: 'widgets',
      head: 'feature-c',
      base: 'main',
      title: 'C',
    });
    const unfiltered = await client.rest.pulls.list({ owner: 'acme', repo: 'widgets', head: 'feature-b' });
    expect(unfiltered.data.length).toBe(2);
    const filtered = await client.rest.pulls.list({ owner: 'acme', repo: 'widgets', head: 'acme:feature-b' });
    expect(filtered.data.map((pull) => pull.number)).toEqual([created.data.number]);
    await expect(
      client.rest.pulls.create({
        owner: 'acme',
        repo: 'widgets',
        head: 'feature-b',
        base: 'main',
        title: 'again',
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists'),
    });
    await expect(
      client.rest.pulls.create({
        owner: 'acme',
        repo: 'widgets',
        head: 'empty',
        base: 'main',
        title: 'none',
      }),
    ).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('No commits between main and empty'),
    });
    const updated = await client.rest.pulls.update({
      owner: 'acme',
      repo: 'widgets',
      pull_number: created.data.number,
      title: 'B2',
      // Not a PATCH field on GitHub: ignored, the pull request stays a draft.
      draft: false,
    });
    expect(updated.data).toMatchObject({ title: 'B2', draft: true });
    const diff = await client.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: 'acme',
      repo: 'widgets',
      pull_number: created.data.number,
      mediaType: { format: 'diff' },
    });
    expect(String(diff.data)).toContain('+++ b/b.txt');
  });

  it('folds roles in `permission` but keeps `role_name` exact', async () => {
    github.setPermission(REPO, 'maintainer-maya', 'maintain');
    github.setPermission(REPO, 'triager-tom', 'triage');
    const client = octokit(token);
    const maya = await client.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'widgets',
      username: 'maintainer-maya',
    });
    expect(maya.data).toMatchObject({ permission: 'write', role_name: 'maintain' });
    const tom = await client.rest.repos.getCollaboratorPermissionLevel({
      owner: 'acme',
      repo: 'widgets',
      username: 'triager-tom',
    });
    expect(tom.data).toMatchObject({ permission: 'read', role_name: 'triage' });
  });

  it('fails the next requests on demand and records what it was sent', async () => {
    github.failNext('GET', '/repos/acme/widgets', 429, 1, { headers: { 'retry-after': '3' } });
    const client = octokit(token);
    await expect(client.rest.repos.get({ owner: 'acme', repo: 'widgets' })).rejects.toMatchObject({
      status: 429,
    });
    await expect(client.rest.repos.get({ owner: 'acme', repo: 'widgets' })).resolves.toMatchObject({
      status: 200,
    });
    const last = github.requests.filter((request) => request.path === '/repos/acme/widgets').at(-1);
    expect(last).toMatchObject({ kind: 'rest', method: 'GET', authorization: `token ${token}`, status: 200 });
  });

  it('signs and delivers webhooks the way GitHub does', async () => {
    const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(202).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const delivery = await deliverWebhook(
        `http://127.0.0.1:${port}/webhooks/github`,
        'ping',
        { zen: 'hi' },
        {
          secret: 's3cret',
          deliveryId: 'delivery-1',
        },
      );
      expect(delivery).toMatchObject({ status: 202, deliveryId: 'delivery-1' });
      expect(received[0]?.headers).toMatchObject({
        'x-github-event': 'ping',
        'x-github-delivery': 'delivery-1',
        'x-hub-signature-256': signWebhook('{"zen":"hi"}', 's3cret'),
      });
      // The reference vector from GitHub's documentation.
      expect(signWebhook('Hello, World!', "It's a Secret to Everybody")).toBe(
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      );
    } finally {
      server.close();
    }
  });
});
