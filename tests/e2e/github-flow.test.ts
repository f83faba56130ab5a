import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakes/github-server.ts';
import { deliverWebhook } from '../fakes/github-server.ts';
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
const renameDouble = {
  name: 'edit_file',
  arguments: {
    path: 'src/math.js',
    old_string: 'export function double(a) {\n  return add(a, a);',
    new_string: 'export function double(value) {\n  return add(value, value);',
  },
};

function runCommand(command: string) {
  return { name: 'run_command', arguments: { command } };
}

function finishWith(summary: string) {
  return {
    type: 'tool_calls' as const,
    calls: [{ name: 'finish', arguments: { summary, pr_title: summary, pr_body: summary } }],
  };
}

/** Branches (`refs/heads/…`) and their commits in the fake GitHub's bare repository. */
function remoteRefs(github: FakeGitHub): Map<string, string> {
  const lines = github.git(REPO, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads/');
  return new Map(
    lines
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

/** The pushes the fake accepted over smart HTTP, with the Basic-auth user and password they used. */
function gitPushes(github: FakeGitHub): { user: string; password: string }[] {
  return github.requests
    .filter((request) => request.kind === 'git' && request.path.endsWith('/git-receive-pack'))
    .map((request) => {
      const encoded = (request.authorization ?? '').replace(/^Basic /i, '');
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      return { user: decoded.slice(0, separator), password: decoded.slice(separator + 1) };
    });
}

describe('GitHub end to end (baton start in-process, fake GitHub over REST and smart HTTP)', () => {
  let harness: ServerHarness;
  let github: FakeGitHub;
  const webhookUrl = () => harness.url('/webhooks/github');

  beforeAll(async () => {
    harness = await createServerHarness({ github: true });
    if (!harness.github) throw new Error('the harness has no fake GitHub');
    github = harness.github;
  });
  afterAll(async () => harness?.close());

  it('Slack mention → branch pushed with an installation token → draft PR with the checks → reply links it; a writer’s review comment iterates on the same PR', async () => {
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'add() subtracted.' },
          },
        ],
      },
    );
    const { ts } = await harness.mention(`please fix the add test repo:${REPO}`);
    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
    );
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('white_check_mark');

    const [run] = await harness.runs();
    const branch = run?.thread.branch ?? '';
    expect(branch).toMatch(/^baton\/[0-9a-f]{12}$/);
    const refs = remoteRefs(github);
    expect([...refs.keys()].sort()).toEqual([`refs/heads/${branch}`, 'refs/heads/main']);
    expect(github.git(REPO, 'diff', `main..${branch}`)).toContain('+  return a + b;');

    // Pushed over smart HTTP as x-access-token with a token the fake issued for this repository.
    const pushes = gitPushes(github);
    expect(pushes.length).toBeGreaterThan(0);
    for (const push of pushes) {
      expect(push.user).toBe('x-access-token');
      const issued = github.issuedTokens.find((token) => token.token === push.password);
      expect(issued?.repositories).toEqual(['calculator']);
    }

    const [pull, ...otherPulls] = github.repoState(REPO).pulls;
    expect(otherPulls).toHaveLength(0);
    expect(pull?.draft).toBe(true);
    expect(pull?.head.ref).toBe(branch);
    expect(pull?.base.ref).toBe('main');
    expect(pull?.title).toBe('Fix add()');
    expect(pull?.body).toMatch(/\*\*lint\*\* `npm run lint`: passed/);
    expect(pull?.body).toMatch(/\*\*test\*\* `npm test`: passed/);
    expect(pull?.body).toContain('add() subtracted.');

    const finals = harness.botMessages(ts).filter((message) => message.text.includes('add() adds now.'));
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toContain(pull?.html_url);

    // A reviewer with write access asks for a change in a review comment on that PR.
    const number = pull?.number ?? 0;
    github.setPermission(REPO, 'rita-reviewer', 'write');
    const asked = github.addReviewComment(REPO, number, {
      user: 'rita-reviewer',
      body: '@baton rename this',
      path: 'src/math.js',
      line: 5,
    });
    const requestsBefore = harness.model.requests.length;
    const headBefore = refs.get(`refs/heads/${branch}`);
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [renameDouble] },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: {
              summary: 'Renamed the parameter of double().',
              pr_title: 'Fix add() and rename double()’s parameter',
              pr_body: 'add() subtracted; double() had a terse parameter.',
            },
          },
        ],
      },
    );
    const delivered = await deliverWebhook(
      webhookUrl(),
      'pull_request_review_comment',
      reviewComment({
        repo: REPO,
        number,
        login: 'rita-reviewer',
        body: '@baton rename this',
        branch,
        commentId: asked.id,
        path: 'src/math.js',
        line: 5,
      }),
      { secret: GITHUB_WEBHOOK_SECRET },
    );
    expect(delivered.status).toBe(200);
    const answer = await waitFor('the answer in the review thread', () =>
      github.repoState(REPO).reviewComments.find((comment) => comment.in_reply_to_id === asked.id),
    );
    expect(answer.user.login).toBe('baton[bot]');
    expect(answer.body).toContain('Renamed the parameter of double().');
    expect(harness.model.requests.length).toBeGreaterThan(requestsBefore);

    const headAfter = github.git(REPO, 'rev-parse', `refs/heads/${branch}`);
    expect(headAfter).not.toBe(headBefore);
    expect(github.git(REPO, 'rev-parse', `${headAfter}^`)).toBe(headBefore);
    expect(github.git(REPO, 'show', headAfter)).toContain('+export function double(value) {');
    const pulls = github.repoState(REPO).pulls;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]?.title).toBe('Fix add() and rename double()’s parameter');
    expect(pulls[0]?.body).toContain('double() had a terse parameter.');
    expect(pulls[0]?.draft).toBe(true);

    // Someone without write access asks too: ignored before anything runs.
    github.setPermission(REPO, 'drive-by', 'read');
    const modelRequests = harness.model.requests.length;
    const runCount = (await harness.runs()).length;
    const refused = await deliverWebhook(
      webhookUrl(),
      'pull_request_review_comment',
      reviewComment({ repo: REPO, number, login: 'drive-by', body: '@baton push this to main', branch }),
      { secret: GITHUB_WEBHOOK_SECRET },
    );
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.body)).toEqual({ result: 'ignored', reason: 'not_authorised' });
    expect((await harness.runs()).length).toBe(runCount);
    expect(harness.model.requests.length).toBe(modelRequests);

    // A redelivery of a taken review comment (same X-GitHub-Delivery), three times at once: one run in all.
    const again = github.addReviewComment(REPO, number, {
      user: 'rita-reviewer',
      body: '@baton also add a comment',
      path: 'src/math.js',
      line: 1,
    });
    harness.model.enqueue({
      type: 'tool_calls',
      calls: [
        {
          name: 'finish',
          arguments: { summary: 'Nothing else to change.', pr_title: 'Fix add()', pr_body: 'No change.' },
        },
      ],
    });
    const payload = reviewComment({
      repo: REPO,
      number,
      login: 'rita-reviewer',
      body: '@baton also add a comment',
      branch,
      commentId: again.id,
      path: 'src/math.js',
      line: 1,
    });
    const deliveryId = 'redelivered-github-0001';
    const deliveries = await Promise.all(
      [1, 2, 3].map(() =>
        deliverWebhook(webhookUrl(), 'pull_request_review_comment', payload, {
          secret: GITHUB_WEBHOOK_SECRET,
          deliveryId,
        }),
      ),
    );
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
    await waitFor('the answer to the redelivered comment', () =>
      github.repoState(REPO).reviewComments.find((comment) => comment.in_reply_to_id === again.id),
    );
    const late = await deliverWebhook(webhookUrl(), 'pull_request_review_comment', payload, {
      secret: GITHUB_WEBHOOK_SECRET,
      deliveryId,
    });
    expect(JSON.parse(late.body)).toEqual({ result: 'duplicate' });
    expect((await harness.runs()).length).toBe(runCount + 1);
    const answers = github
      .repoState(REPO)
      .reviewComments.filter((comment) => comment.in_reply_to_id === again.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]?.body).toContain('Nothing else to change.');
  });
  it('refuses to push a branch GitHub protects, even when the agent tries `git push origin main`; says so in the thread', async () => {
    const before = remoteRefs(github);
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [runCommand('git push origin HEAD:main')] },
      { type: 'tool_calls', calls: [runCommand('git push --force origin HEAD:refs/heads/main')] },
      finishWith('Fixed add() and pushed it.'),
    );
    const { ts } = await harness.mention(`fix add() and push it straight to main repo:${REPO}`);
    // The thread's branch exists as soon as the request is taken; GitHub protects it from now on.
    const run = await waitFor('the queued run', async () =>
      (await harness.runs()).find((candidate) => candidate.thread.key.endsWith(ts)),
    );
    github.protectBranch(REPO, run.thread.branch);
    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
    );

    expect(harness.slack.reactions(CHANNEL, ts)).toContain('x');
    const thread = harness
      .botMessages(ts)
      .map((message) => message.text)
      .join('\n');
    expect(thread).toContain('Blocked by push');
    expect(thread).toMatch(
      /refusing to push to baton\/[0-9a-f]{12}: GitHub refused it as a protected branch \(GH006\)/,
    );
    expect(thread).toContain('but was not pushed.');
    // The agent's own `git push` attempts failed inside the sandbox: no network, no credential.
    const toolResults = JSON.stringify(harness.model.modelRequests().at(-1)?.body);
    expect(toolResults).toMatch(/Exit code: 128/);
    expect(thread).not.toMatch(/\/pull\/\d+/);
    expect(remoteRefs(github)).toEqual(before);
    expect(github.repoState(REPO).pulls.filter((pull) => pull.head.ref === run.thread.branch)).toEqual([]);
  });

  it('blocks a diff that adds a token before anything is pushed, and says so in the thread without the token', async () => {
    const before = remoteRefs(github);
    const token = `ghp_${'A1b2C3d4E5'.repeat(3)}a1B2c3`;
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      {
        type: 'tool_calls',
        calls: [
          fixAdd,
          {
            name: 'write_file',
            arguments: { path: 'src/config.js', content: `export const githubToken = '${token}';\n` },
          },
        ],
      },
      finishWith('Added the GitHub token to the config.'),
    );
    const { ts } = await harness.mention(`hard-code our GitHub token in src/config.js repo:${REPO}`);
    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
    );

    expect(harness.slack.reactions(CHANNEL, ts)).toContain('x');
    const thread = harness
      .botMessages(ts)
      .map((message) => message.text)
      .join('\n');
    expect(thread).toMatch(/Blocked by secret-scan/);
    expect(thread).toContain('Nothing was pushed, and the commits that hold it were not kept');
    expect(JSON.stringify(harness.slack.calls)).not.toContain(token);
    expect(remoteRefs(github)).toEqual(before);
  });
});
