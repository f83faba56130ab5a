import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakes/github-server.ts';
import { deliverWebhook } from '../fakes/github-server.ts';
import type { FakeLinear } from '../fakes/linear-server.ts';
import { issueEvent } from '../fakes/linear-webhooks.ts';
import { reviewComment } from '../unit/github-trigger/payloads.ts';
import {
  CHANNEL,
  createServerHarness,
  GITHUB_WEBHOOK_SECRET,
  REPO,
  type ServerHarness,
  waitFor,
} from './server-harness.ts';

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = (summary: string) => ({
  name: 'finish',
  arguments: { summary, pr_title: summary, pr_body: summary },
});

/** One run that fixes add() and finishes with `summary`, asked in a new Slack thread. */
async function fixInNewThread(harness: ServerHarness, summary: string) {
  harness.model.enqueue(
    { type: 'tool_calls', calls: [readMath] },
    { type: 'tool_calls', calls: [fixAdd] },
    { type: 'tool_calls', calls: [finish(summary)] },
  );
  const { ts } = await harness.mention(`please fix the add test repo:${REPO}`);
  await waitFor('the final reaction', () =>
    harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
  );
  return { ts };
}

/** Failed attempts at a final reply (retried or given up), as `/metrics` counts them. */
async function undeliveredFinals(harness: ServerHarness, origin: string): Promise<number> {
  const text = await (await fetch(harness.url('/metrics'))).text();
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`baton_finals_undelivered_total{origin="${origin}"}`));
  return Number(line?.split(' ').at(-1) ?? 0);
}

describe('delivery under faults (baton start in-process, fake Slack, GitHub and Linear)', () => {
  let harness: ServerHarness;
  let github: FakeGitHub;
  let linear: FakeLinear;
  const pullsPath = `/repos/${REPO}/pulls`;

  beforeAll(async () => {
    harness = await createServerHarness({
      github: true,
      linear: true,
      config: {
        linear: { teamRepos: { ENG: REPO } },
        // Retries of a failed final within a test's patience; the policy is the production one.
        runs: {
          finals: { sweepMs: 100, retryBaseMs: 50, retryMaxMs: 400, maxAttempts: 8, leaseSeconds: 30 },
        },
      },
    });
    if (!harness.github || !harness.linear) throw new Error('the harness lacks a fake');
    github = harness.github;
    linear = harness.linear;
  });
  afterAll(async () => harness?.close());

  it('one 502 on creating the pull request: retried, the PR opened, the final reply links it', async () => {
    github.failNext('POST', pullsPath, 502, 1);
    const { ts } = await fixInNewThread(harness, 'add() adds after a 502.');
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('white_check_mark');
    const creations = github.requests.filter(
      (request) => request.method === 'POST' && request.path === pullsPath,
    );
    expect(creations.map((request) => request.status)).toEqual([502, 201]);
    const pulls = github.repoState(REPO).pulls;
    expect(pulls).toHaveLength(1);
    const finals = harness
      .botMessages(ts)
      .filter((message) => message.text.includes('add() adds after a 502.'));
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toContain(pulls[0]?.html_url);
  });

  it('a pull request GitHub keeps refusing: the reply says the branch is pushed and why there is no PR', async () => {
    github.failNext('POST', pullsPath, 502, 20);
    const { ts } = await fixInNewThread(harness, 'add() adds, PR refused.');
    github.failNext('POST', pullsPath, 502, 0);
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('x');
    const runs = await harness.runs();
    const branch = runs[0]?.thread.branch ?? '';
    // The branch is on GitHub; the pull request is not.
    expect(github.git(REPO, 'diff', `main..${branch}`)).toContain('+  return a + b;');
    expect(github.repoState(REPO).pulls.filter((pull) => pull.head.ref === branch)).toHaveLength(0);
    const [final] = harness.botMessages(ts).filter((message) => message.text.includes(branch));
    expect(final?.text).toContain(`pushed to ${branch}`);
    expect(final?.text).toContain('the pull request could not be opened');
    expect(final?.text).not.toMatch(/not pushed|No changes were committed/);
  });

  it('five Slack 500s on the final reply, then recovery: exactly one final, ✅, counted', async () => {
    // Only the final carries metadata: the status message and reactions are not part of the outage.
    harness.slack.failNext('chat.postMessage', {
      times: 5,
      status: 500,
      matches: (args) => args.metadata !== undefined,
    });
    const { ts } = await fixInNewThread(harness, 'add() adds after a Slack outage.');
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('white_check_mark');
    const finalPosts = harness.slack
      .callsTo('chat.postMessage')
      .filter((call) => call.args.thread_ts === ts && call.args.metadata !== undefined);
    expect(finalPosts.map((call) => call.status)).toEqual([500, 500, 500, 500, 500, 200]);
    const finals = harness.slack
      .thread(CHANNEL, ts)
      .filter((message) => message.metadata?.event_type === 'baton_final');
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toContain('add() adds after a Slack outage.');
    expect(finals[0]?.metadata?.event_payload.turn_id).toBe((await harness.runs())[0]?.turn.id);
    // The retry looked for an earlier post before posting again.
    const looked = harness.slack
      .callsTo('conversations.replies')
      .filter((call) => call.args.ts === ts && String(call.args.include_all_metadata) === 'true');
    expect(looked.length).toBeGreaterThan(0);
    // The first attempt (the SDK's own retries included) failed; the second delivered.
    expect(await undeliveredFinals(harness, 'slack')).toBe(1);
  });

  it('a review-thread reply that answers 404 falls back to a comment on the pull request', async () => {
    const [pull] = github.repoState(REPO).pulls;
    if (!pull) throw new Error('an earlier test opens a pull request');
    github.setPermission(REPO, 'rita-reviewer', 'write');
    const asked = github.addReviewComment(REPO, pull.number, {
      user: 'rita-reviewer',
      body: '@baton explain this line',
      path: 'src/math.js',
      line: 2,
    });
    const repliesPath = `/repos/${REPO}/pulls/${pull.number}/comments/${asked.id}/replies`;
    github.failNext('POST', repliesPath, 404, 5, { message: 'Not Found' });
    harness.model.enqueue({
      type: 'tool_calls',
      calls: [finish('The line adds its two arguments.')],
    });
    const delivered = await deliverWebhook(
      harness.url('/webhooks/github'),
      'pull_request_review_comment',
      reviewComment({
        repo: REPO,
        number: pull.number,
        login: 'rita-reviewer',
        body: '@baton explain this line',
        branch: pull.head.ref,
        commentId: asked.id,
        path: 'src/math.js',
        line: 2,
      }),
      { secret: GITHUB_WEBHOOK_SECRET },
    );
    expect(delivered.status).toBe(200);
    const answer = await waitFor('the answer as a PR comment', () =>
      github
        .repoState(REPO)
        .issueComments.find((comment) => comment.body?.includes('The line adds its two arguments.')),
    );
    expect(answer.user.login).toBe('baton[bot]');
    expect(answer.body).toMatch(/<!-- baton:final:[^ ]+ -->/);
    expect(github.requests.filter((request) => request.path === repliesPath).map((r) => r.status)).toEqual([
      404,
    ]);
    github.failNext('POST', repliesPath, 404, 0);
  });

  it('Linear answering 500 three times on the report: the comment and the attachment arrive after recovery', async () => {
    const issue = linear.addIssue({
      id: 'issue-eng-7',
      identifier: 'ENG-7',
      title: 'add() subtracts',
      description: 'add(2, 3) is -1.',
      teamKey: 'ENG',
      labels: [{ id: 'label-baton', name: 'baton' }],
      creator: { id: 'user-ana', name: 'Ana' },
      stateName: 'Todo',
    });
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [finish('add() adds for Linear.')] },
    );
    linear.failNextRequests(3, { operations: ['attachmentLinkURL', 'createComment'] });
    const labelAdded = issueEvent(issue, { actor: { id: 'user-ana', name: 'Ana' }, previousLabelIds: [] });
    const delivery = await linear.deliverWebhook(harness.url('/webhooks/linear'), labelAdded, {
      deliveryId: 'linear-delivery-eng-7',
    });
    expect(delivery.status).toBe(200);
    const comment = await waitFor('the Linear comment', () =>
      linear.comments(issue.id).find((candidate) => candidate.body.includes('add() adds for Linear.')),
    );
    const pull = github.repoState(REPO).pulls.find((candidate) => candidate.body?.includes('Fixes ENG-7'));
    expect(pull).toBeDefined();
    expect(comment.body).toContain(pull?.html_url);
    expect(linear.attachments(issue.id).map((attachment) => attachment.url)).toEqual([pull?.html_url]);
    expect(
      linear.comments(issue.id).filter((candidate) => candidate.body.includes('add() adds')),
    ).toHaveLength(1);
    const failed = linear.requests.filter((request) =>
      ['attachmentLinkURL', 'createComment'].includes(request.operationName),
    );
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(await undeliveredFinals(harness, 'linear')).toBe(3);
  });
});
