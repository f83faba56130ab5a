import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../../src/integrations/github/client.ts';
import {
  createGitHubPublisher,
  GITHUB_TOKEN_USER,
  repoAuthFor,
} from '../../../src/integrations/github/publisher.ts';
import { hostGitEnv, mirrorPathFor } from '../../../src/repo-cache/index.ts';
import { createGitHubHarness, type GitHubHarness, REPO_NAME } from './github-harness.ts';

/** Every file under a directory, as text (binary files included; a token would still show). */
function allText(directory: string): string {
  let text = '';
  for (const entry of readdirSync(directory, { recursive: true, encoding: 'utf8' })) {
    const path = join(directory, entry);
    if (statSync(path).isFile()) text += readFileSync(path, 'latin1');
  }
  return text;
}

describe('GitHub publisher', () => {
  let harness: GitHubHarness;
  beforeAll(async () => {
    harness = await createGitHubHarness({ 'src/app.js': 'export const version = 1;\n' });
  });
  afterAll(async () => harness.cleanup());

  const receivePacks = () =>
    harness.github.requests.filter(
      (request) => request.kind === 'git' && request.path.endsWith('/git-receive-pack'),
    );

  it('pushes the run’s branch over smart HTTP with an installation token, never forced', async () => {
    const branch = 'baton/thread-1';
    const sandbox = await harness.sandboxOn(branch);
    const head = await harness.commit(
      sandbox,
      { 'src/app.js': 'export const version = 2;\n' },
      'Bump version',
    );
    const exported = await sandbox.exportChanges();
    const result = await harness.publisher({ exported, repo: harness.repo, branch });
    expect(result.location).toBe(`${harness.github.webUrl}/${REPO_NAME}/tree/${branch}`);
    expect(harness.github.git(REPO_NAME, 'rev-parse', `refs/heads/${branch}`)).toBe(head);
    expect(harness.github.git(REPO_NAME, 'show', `${branch}:src/app.js`)).toBe('export const version = 2;');
    expect(harness.github.git(REPO_NAME, 'rev-parse', 'refs/heads/main')).not.toBe(head);
    // The push authenticated as x-access-token with an installation token narrowed to this repo.
    const push = receivePacks().at(-1);
    const basic = Buffer.from((push?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    const [user, token] = basic.split(':');
    expect(user).toBe(GITHUB_TOKEN_USER);
    expect(harness.github.issuedTokens.find((issued) => issued.token === token)?.repositories).toEqual([
      'widgets',
    ]);
  });

  it('keeps the token out of the workspace, the mirror’s config, argv and the logs', async () => {
    const token = await harness.auth.tokenFor(REPO_NAME);
    const mirror = mirrorPathFor({ dataDir: harness.dataDir, repoName: REPO_NAME });
    expect(readFileSync(join(mirror, 'config'), 'utf8')).not.toContain(token);
    expect(allText(join(harness.dataDir, 'workspaces'))).not.toContain(token);
    expect(harness.logLines.join('')).not.toContain(token);
    expect(harness.logLines.join('')).not.toMatch(/ghs_[A-Za-z0-9]{30}/);
    // Host git receives the credential only in its environment (GIT_CONFIG_*), never as an argument.
    const auth = await repoAuthFor(harness.auth)(REPO_NAME);
    const env = hostGitEnv({}, auth);
    expect(env.GIT_CONFIG_KEY_0).toBe('http.extraHeader');
    expect(
      Buffer.from(env.GIT_CONFIG_VALUE_0?.replace('Authorization: Basic ', '') ?? '', 'base64').toString(),
    ).toBe(`x-access-token:${token}`);
  });

  it('refuses the default branch and a configured protected branch before anything leaves the host', async () => {
    const sandbox = await harness.sandboxOn('baton/thread-2');
    await harness.commit(sandbox, { 'b.txt': 'b\n' });
    const exported = await sandbox.exportChanges();
    const before = receivePacks().length;
    const mainExport = { ...exported, branch: 'main' };
    await expect(
      harness.publisher({ exported: mainExport, repo: harness.repo, branch: 'main' }),
    ).rejects.toMatchObject({
      code: 'push_refused_protected',
      retryable: false,
    });
    const configured = { ...harness.repo, protectedBranches: ['baton/*'] };
    await expect(
      harness.publisher({ exported, repo: configured, branch: 'baton/thread-2' }),
    ).rejects.toMatchObject({
      code: 'push_refused_protected',
    });
    expect(receivePacks().length).toBe(before);
  });

  it('refuses a branch GitHub reports as protected, asking before it pushes', async () => {
    const branch = 'baton/thread-3';
    harness.github.git(REPO_NAME, 'branch', branch, 'main');
    harness.github.protectBranch(REPO_NAME, branch);
    const sandbox = await harness.sandboxOn(branch);
    await harness.commit(sandbox, { 'c.txt': 'c\n' });
    const before = receivePacks().length;
    await expect(
      harness.publisher({ exported: await sandbox.exportChanges(), repo: harness.repo, branch }),
    ).rejects.toMatchObject({
      code: 'push_refused_protected',
      message: expect.stringContaining('GitHub protects it'),
    });
    expect(receivePacks().length).toBe(before);
    const asked = harness.github.requests.map((request) => decodeURIComponent(request.path));
    expect(asked).toContain(`/repos/${REPO_NAME}/branches/${branch}`);
  });

  it('turns a GH006 rejection into push_refused_protected and does not try again', async () => {
    const branch = 'baton/thread-4';
    const sandbox = await harness.sandboxOn(branch);
    const head = await harness.commit(sandbox, { 'd.txt': 'd\n' });
    // A rule GitHub's branch endpoint does not show (a ruleset): only the push finds out.
    harness.github.protectBranch(REPO_NAME, branch);
    harness.github.repoState(REPO_NAME).protectedBranches.delete(branch);
    const before = receivePacks().length;
    await expect(
      harness.publisher({ exported: await sandbox.exportChanges(), repo: harness.repo, branch }),
    ).rejects.toMatchObject({
      code: 'push_refused_protected',
      retryable: false,
      message: expect.stringContaining('GH006'),
    });
    expect(receivePacks().length - before).toBe(1);
    expect(harness.github.git(REPO_NAME, 'branch', '--list', branch)).toBe('');
    expect(() => harness.github.git(REPO_NAME, 'cat-file', '-e', head)).toThrow();
  });

  it('pushes again with a fresh token once when git meets a revoked one', async () => {
    const branch = 'baton/thread-5';
    const sandbox = await harness.sandboxOn(branch);
    const head = await harness.commit(sandbox, { 'e.txt': 'e\n' });
    // Revoked between GitHub's answer about the branch and the push: only git sees the 401.
    const revokingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).includes('/branches/')) {
        for (const issued of harness.github.issuedTokens) harness.github.revokeToken(issued.token);
      }
      return response;
    };
    const client = createGitHubClient({
      auth: harness.auth,
      apiUrl: harness.github.apiUrl,
      log: harness.log,
      fetch: revokingFetch,
    });
    const publisher = createGitHubPublisher({
      repoCache: harness.repoCache,
      auth: harness.auth,
      client,
      log: harness.log,
    });
    const before = harness.github.requests.length;
    const issued = harness.github.issuedTokens.length;
    await publisher({ exported: await sandbox.exportChanges(), repo: harness.repo, branch });
    expect(harness.github.git(REPO_NAME, 'rev-parse', `refs/heads/${branch}`)).toBe(head);
    expect(harness.github.issuedTokens.length).toBe(issued + 1);
    const git = harness.github.requests.slice(before).filter((request) => request.kind === 'git');
    expect(git.map((request) => request.status)).toContain(401);
    expect(git.at(-1)?.status).toBe(200);
  });
});
