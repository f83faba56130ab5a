import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubReporter } from '../../../src/integrations/github/reporter.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { RunOutcome } from '../../../src/runs/reporter.ts';
import { type FakeGitHub, startFakeGitHub } from '../../fakes/github-server.ts';

const REPO = 'acme/widgets';
const LEAKED = `ghp_${'A1b2C3d4'.repeat(5)}`;

const outcome: RunOutcome = {
  status: 'succeeded',
  summary: `Renamed \`a\` to \`alpha\` in 3 files. The token ${LEAKED} was in a fixture.`,
  branch: 'baton/0123456789ab',
  commit: '0123456789abcdef0123456789abcdef01234567',
  checks: [
    { name: 'lint', status: 'passed', summary: 'eslint: no problems' },
    { name: 'test', status: 'failed', summary: '1 failing: widget renames' },
  ],
  tokens: 12_345,
  costUsd: 0.0421,
};

describe('GitHub reporter', () => {
  let github: FakeGitHub;
  let octokitFor: (repo: string) => Octokit;
  let pullNumber: number;

  beforeAll(async () => {
    github = await startFakeGitHub();
    github.createRepo({ owner: 'acme', name: 'widgets' });
    const token = github.createPersonalToken();
    octokitFor = () => new Octokit({ baseUrl: github.apiUrl, auth: token });
    github.commitFiles(REPO, { branch: 'baton/0123456789ab', files: { 'a.txt': 'a\n' } });
    pullNumber = github.addPullRequest(REPO, { head: 'baton/0123456789ab', title: 'Rename' }).number;
  });
  afterAll(async () => github.close());

  const writesSince = (index: number) =>
    github.requests
      .slice(index)
      .filter((request) => request.kind === 'rest' && request.method !== 'GET')
      .map((request) => `${request.method} ${request.path}`);

  it('reacts with eyes to the asking comment, stays quiet while working and closes with exactly one comment', async () => {
    const asking = github.addIssueComment(REPO, pullNumber, { user: 'alice', body: '@baton rename a' });
    const before = github.requests.length;
    const commentsBefore = github.repoState(REPO).issueComments.length;
    const reporter = createGitHubReporter({
      octokitFor,
      repo: REPO,
      number: pullNumber,
      commentId: Number(asking.id),
      log: createSilentLogger(),
      runUrl: (runId) => `https://baton.example.com/runs/${runId}`,
    });

    await reporter.start({ runId: 'run-1', task: 'rename a' });
    reporter.progress({ step: 1, activity: 'reading files', elapsedMs: 10, tokens: 5, costUsd: 0, plan: [] });
    await reporter.finish(outcome);
    await reporter.finish(outcome);

    expect(writesSince(before)).toEqual([
      `POST /repos/acme/widgets/issues/comments/${asking.id}/reactions`,
      `POST /repos/acme/widgets/issues/${pullNumber}/comments`,
    ]);
    const reactions = github
      .repoState(REPO)
      .reactions.filter((reaction) => reaction.subject === `issue-comment:${asking.id}`);
    expect(reactions.map((reaction) => reaction.content)).toEqual(['eyes']);

    const posted = github.repoState(REPO).issueComments.slice(commentsBefore);
    expect(posted).toHaveLength(1);
    const body = posted[0]?.body ?? '';
    expect(body).toContain('Renamed `a` to `alpha` in 3 files.');
    expect(body).toContain('✅ `lint` passed: eslint: no problems');
    expect(body).toContain('❌ `test` failed: 1 failing: widget renames');
    expect(body).toContain('commit `0123456789ab` on `baton/0123456789ab`');
    expect(body).toContain('12,345 tokens · $0.0421');
    expect(body).toContain('[View run](https://baton.example.com/runs/run-1)');
    expect(body).not.toContain(LEAKED);
    expect(body).toContain('[redacted]');
  });

  it('posts replies and questions as PR comments; a question waits for a later comment', async () => {
    const before = github.requests.length;
    const reporter = createGitHubReporter({
      octokitFor,
      repo: REPO,
      number: pullNumber,
      log: createSilentLogger(),
    });
    await reporter.start({ runId: 'run-2', task: 'x' });
    await reporter.reply('Working on it.');
    const answer = await reporter.ask('Should the alias stay?');
    expect(answer).toEqual({ type: 'deferred' });
    expect(writesSince(before)).toEqual([
      `POST /repos/acme/widgets/issues/${pullNumber}/comments`,
      `POST /repos/acme/widgets/issues/${pullNumber}/comments`,
    ]);
    const last = github.repoState(REPO).issueComments.at(-1)?.body ?? '';
    expect(last).toContain('Should the alias stay?');
    expect(last).toContain('@baton');
  });

  it('answers a review comment in its review thread and nowhere else', async () => {
    const line = github.addReviewComment(REPO, pullNumber, {
      user: 'alice',
      body: '@baton use a getter',
      path: 'a.txt',
      line: 1,
    });
    const before = github.requests.length;
    const reporter = createGitHubReporter({
      octokitFor,
      repo: REPO,
      number: pullNumber,
      commentId: line.id,
      commentKind: 'review',
      log: createSilentLogger(),
    });
    await reporter.start({ runId: 'run-3', task: 'use a getter' });
    await reporter.reply('On it.');
    await reporter.finish({ ...outcome, summary: 'Added a getter.' });

    const replies = `POST /repos/acme/widgets/pulls/${pullNumber}/comments/${line.id}/replies`;
    expect(writesSince(before)).toEqual([
      `POST /repos/acme/widgets/pulls/comments/${line.id}/reactions`,
      replies,
      replies,
    ]);
    const thread = github
      .repoState(REPO)
      .reviewComments.filter((comment) => comment.in_reply_to_id === line.id);
    expect(thread.map((comment) => comment.body.split('\n')[0])).toEqual(['On it.', '✅ **Done**']);
    const reactions = github
      .repoState(REPO)
      .reactions.filter((reaction) => reaction.subject === `review-comment:${line.id}`);
    expect(reactions.map((reaction) => reaction.content)).toEqual(['eyes']);
  });

  it('keeps going when the reaction fails, and turns a failed reply into an error for the agent', async () => {
    const asking = github.addIssueComment(REPO, pullNumber, { user: 'alice', body: '@baton again' });
    const reporter = createGitHubReporter({
      octokitFor,
      repo: REPO,
      number: pullNumber,
      commentId: Number(asking.id),
      log: createSilentLogger(),
    });
    github.failNext('POST', `/repos/acme/widgets/issues/comments/${asking.id}/reactions`, 500);
    await expect(reporter.start({ runId: 'run-4', task: 'again' })).resolves.toBeUndefined();
    github.failNext('POST', `/repos/acme/widgets/issues/${pullNumber}/comments`, 500);
    await expect(reporter.reply('hello')).rejects.toMatchObject({ code: 'github.comment_failed' });
  });
});
