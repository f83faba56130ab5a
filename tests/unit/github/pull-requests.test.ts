import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubAuth } from '../../../src/integrations/github/auth.ts';
import { createGitHubClient } from '../../../src/integrations/github/client.ts';
import { createGitHubPullRequests } from '../../../src/integrations/github/pull-requests.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';

const log = createSilentLogger();
const REPO = 'acme/widgets';

describe('GitHub pull requests (Octokit against the fake)', () => {
  let github: FakeGitHub;
  const service = (fetchImpl?: typeof fetch) => {
    const auth = createGitHubAuth({
      apiUrl: github.apiUrl,
      appId: github.appId,
      privateKey: github.privateKeyPem,
      log,
    });
    return createGitHubPullRequests({
      client: createGitHubClient({ auth, apiUrl: github.apiUrl, log, fetch: fetchImpl, writeIntervalMs: 0 }),
      log,
    });
  };
  const listQueries = () =>
    github.requests.filter((request) => request.method === 'GET' && request.path === `/repos/${REPO}/pulls`);
  const creates = () =>
    github.requests.filter((request) => request.method === 'POST' && request.path === `/repos/${REPO}/pulls`);

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.createRepo({ owner: 'acme', name: 'widgets' });
    // Someone else's open PR: a lookup without `owner:` would find it.
    github.commitFiles(REPO, { branch: 'human/feature', files: { 'h.txt': 'h\n' } });
    github.addPullRequest(REPO, { head: 'human/feature', title: 'A human PR' });
  });
  afterAll(async () => github.close());

  it('opens a draft, then updates the same pull request on the next call', async () => {
    github.commitFiles(REPO, { branch: 'baton/one', files: { 'one.txt': '1\n' } });
    const pulls = service();
    const first = await pulls.ensureDraftPullRequest({
      repo: REPO,
      head: 'baton/one',
      base: 'main',
      title: 'First title',
      body: 'First body',
    });
    expect(first).toMatchObject({ created: true, url: `${github.webUrl}/${REPO}/pull/${first.number}` });
    expect(listQueries().at(-1)?.query.head).toBe('acme:baton/one');
    expect(creates().at(-1)?.body).toMatchObject({ head: 'baton/one', base: 'main', draft: true });
    const second = await pulls.ensureDraftPullRequest({
      repo: REPO,
      head: 'baton/one',
      base: 'main',
      title: 'Second title',
      body: 'Second body',
    });
    expect(second).toEqual({ number: first.number, url: first.url, created: false });
    expect(creates()).toHaveLength(1);
    const stored = github.repoState(REPO).pulls.filter((pull) => pull.head.ref === 'baton/one');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ title: 'Second title', body: 'Second body', draft: true });
    for (const query of listQueries()) expect(query.query.head).toMatch(/^acme:/);
  });

  it('updates the winner when a concurrent creation answers 422 "already exists"', async () => {
    github.commitFiles(REPO, { branch: 'baton/race', files: { 'race.txt': 'r\n' } });
    let winner = 0;
    // Another worker opens the PR between our lookup and our create.
    const racing: typeof fetch = async (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith(`/repos/${REPO}/pulls`) && winner === 0) {
        winner = github.addPullRequest(REPO, { head: 'baton/race', title: 'Winner', draft: true }).number;
      }
      return fetch(input, init);
    };
    const result = await service(racing).ensureDraftPullRequest({
      repo: REPO,
      head: 'baton/race',
      base: 'main',
      title: 'Ours',
      body: 'Our body',
    });
    expect(result).toMatchObject({ number: winner, created: false });
    expect(creates().at(-1)?.status).toBe(422);
    const stored = github.repoState(REPO).pulls.filter((pull) => pull.head.ref === 'baton/race');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ title: 'Ours', body: 'Our body' });
  });

  it('says plainly when the branch has no commits beyond its base', async () => {
    github.git(REPO, 'branch', 'baton/empty', 'main');
    await expect(
      service().ensureDraftPullRequest({
        repo: REPO,
        head: 'baton/empty',
        base: 'main',
        title: 't',
        body: 'b',
      }),
    ).rejects.toMatchObject({ code: 'pull_request_no_commits' });
  });
});
