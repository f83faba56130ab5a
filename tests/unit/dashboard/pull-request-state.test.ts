import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPullRequestState, pullRequestOf } from '../../../src/dashboard/pull-request-state.ts';
import { createGitHubAuth } from '../../../src/integrations/github/auth.ts';
import { createGitHubClient } from '../../../src/integrations/github/client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';

const log = createLogger({ level: 'silent' });

describe('a run’s pull request state, read from GitHub', () => {
  let github: FakeGitHub;
  let now = 1_000_000;

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.createRepo({ owner: 'acme', name: 'api', files: { 'README.md': 'hi\n' } });
    github.commitFiles('acme/api', { branch: 'baton/one', files: { 'a.txt': 'a\n' } });
    github.commitFiles('acme/api', { branch: 'baton/two', files: { 'b.txt': 'b\n' } });
  });
  afterAll(async () => github?.close());

  it('says draft, open, merged or closed, asking GitHub again only after a while', async () => {
    const draft = github.addPullRequest('acme/api', { head: 'baton/one', title: 'One', draft: true });
    const open = github.addPullRequest('acme/api', { head: 'baton/two', title: 'Two' });
    const client = createGitHubClient({
      auth: createGitHubAuth({ apiUrl: github.apiUrl, token: github.createPersonalToken(), log }),
      apiUrl: github.apiUrl,
      log,
    });
    const webHost = new URL(github.webUrl).host;
    const stateOf = createPullRequestState({
      octokitFor: client.octokitFor,
      webHost,
      ttlMs: 60_000,
      now: () => now,
    });
    expect(await stateOf(draft.html_url)).toBe('draft');
    expect(await stateOf(open.html_url)).toBe('open');

    const before = github.requests.length;
    const pull = github.repoState('acme/api').pulls.find((candidate) => candidate.number === draft.number);
    if (!pull) throw new Error('the fake lost the pull request');
    pull.merged = true;
    pull.state = 'closed';
    expect(await stateOf(draft.html_url)).toBe('draft');
    expect(github.requests.length).toBe(before);
    now += 61_000;
    expect(await stateOf(draft.html_url)).toBe('merged');

    expect(await stateOf(`${github.webUrl}/acme/api/pull/999`)).toBeUndefined();
    expect(await stateOf('https://elsewhere.example/acme/api/pull/1')).toBeUndefined();
  });

  it('reads only pull request URLs of the configured GitHub host', () => {
    expect(pullRequestOf('https://github.com/acme/api/pull/12', 'github.com')).toEqual({
      repo: 'acme/api',
      number: 12,
    });
    for (const url of [
      'https://github.com/acme/api/issues/12',
      'https://gitlab.com/acme/api/pull/1',
      'not a url',
      'https://github.com/acme/api/pull/x',
    ])
      expect(pullRequestOf(url, 'github.com')).toBeUndefined();
  });
});
