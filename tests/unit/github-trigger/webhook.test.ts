import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fenceUntrusted } from '../../../src/context/fence.ts';
import {
  RECEIVED_AT,
  REPO,
  SECRET,
  SLACK_THREAD_KEY,
  startTriggerHarness,
  type TriggerHarness,
} from './harness.ts';
import { issueComment, review, reviewComment } from './payloads.ts';

describe('GitHub webhook trigger', () => {
  let harness: TriggerHarness;

  beforeAll(async () => {
    harness = await startTriggerHarness();
  });
  afterAll(async () => harness.close());

  const submittedCount = () => harness.intake.submitted.length;
  /** The intake took it: a new turn, or (while the thread's turn is still open) its inbox. */
  const resultOf = (body: string): string => {
    const result = String(JSON.parse(body).result);
    return result === 'queued' || result === 'injected' ? 'taken' : result;
  };

  it('takes "@baton rename this" from a writer on a Baton PR and continues the thread that owns the branch', async () => {
    harness.takeGitHubRequests();
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'alice',
      body: '@baton rename this',
    });
    const delivery = await harness.deliver('issue_comment', payload);

    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({ result: 'queued' });
    expect(harness.intake.submitted.at(-1)).toEqual({
      origin: {
        kind: 'github',
        repo: REPO,
        number: harness.batonPull,
        commentId: payload.comment.id,
        commentKind: 'issue',
      },
      requester: { id: 'alice' },
      text: 'rename this',
      repo: REPO,
      repoHint: REPO,
      threadKey: SLACK_THREAD_KEY,
      receivedAt: RECEIVED_AT,
      dedupeKeys: [
        `github-delivery:${delivery.deliveryId}`,
        `github-comment:acme/widgets:issue:${payload.comment.id}`,
      ],
    });
    // issue_comment payloads lack the head branch: one PR read, then the permission check. Nothing is posted.
    expect(harness.takeGitHubRequests()).toEqual([
      { method: 'GET', path: `/repos/acme/widgets/pulls/${harness.batonPull}` },
      { method: 'GET', path: '/repos/acme/widgets/collaborators/alice/permission' },
    ]);
    await vi.waitFor(() =>
      expect(harness.afterSubmitted.at(-1)?.dedupeKeys[0]).toBe(`github-delivery:${delivery.deliveryId}`),
    );
  });

  it('takes a review comment with its file, line and fenced diff hunk, without reading the PR', async () => {
    harness.takeGitHubRequests();
    const hunk = '@@ -1,2 +1,3 @@\n export const a = 1;\n+export const bee = 2;';
    const payload = reviewComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'adam',
      body: 'Hey @baton, call this `beta` instead',
      branch: harness.batonBranch,
      path: 'src/widget.ts',
      line: 3,
      diffHunk: hunk,
    });
    const delivery = await harness.deliver('pull_request_review_comment', payload);

    expect(delivery.status).toBe(200);
    const request = harness.intake.submitted.at(-1);
    expect(request?.origin).toEqual({
      kind: 'github',
      repo: REPO,
      number: harness.batonPull,
      commentId: payload.comment.id,
      commentKind: 'review',
    });
    expect(request?.text).toBe(
      `Hey call this \`beta\` instead\n\nThis is a review comment on \`src/widget.ts\`, line 3.\nThe diff around it:\n${fenceUntrusted('diff hunk of src/widget.ts', hunk)}`,
    );
    expect(request?.threadKey).toBe(SLACK_THREAD_KEY);
    expect(harness.takeGitHubRequests()).toEqual([
      { method: 'GET', path: '/repos/acme/widgets/collaborators/adam/permission' },
    ]);
  });

  it('takes a review body that mentions Baton, with its state and no comment to react to', async () => {
    const payload = review({
      repo: REPO,
      number: harness.batonPull,
      login: 'alice',
      body: '@baton please address these comments',
      branch: harness.batonBranch,
    });
    const delivery = await harness.deliver('pull_request_review', payload);

    expect(delivery.status).toBe(200);
    const request = harness.intake.submitted.at(-1);
    expect(request?.origin).toEqual({ kind: 'github', repo: REPO, number: harness.batonPull });
    expect(request?.text).toMatch(/^please address these comments\n\n.*"changes requested"/);
    expect(request?.dedupeKeys[1]).toBe(`github-review:acme/widgets:${payload.review.id}`);
  });

  it('allows maintain (folded to write by GitHub) and refuses read and triage without a reply', async () => {
    const before = submittedCount();
    const maintainer = await harness.deliver(
      'issue_comment',
      issueComment({ repo: REPO, number: harness.batonPull, login: 'maya', body: '@baton bump the version' }),
    );
    expect(resultOf(maintainer.body)).toBe('taken');
    expect(submittedCount()).toBe(before + 1);

    harness.takeGitHubRequests();
    for (const login of ['rita', 'tom', 'stranger']) {
      const refused = await harness.deliver(
        'issue_comment',
        issueComment({ repo: REPO, number: harness.batonPull, login, body: '@baton delete everything' }),
      );
      expect(refused.status).toBe(200);
      expect(JSON.parse(refused.body)).toEqual({ result: 'ignored', reason: 'not_authorised' });
    }
    expect(submittedCount()).toBe(before + 1);
    // Nothing was written to GitHub for the refused commenters: no comment, no reaction.
    expect(harness.takeGitHubRequests().filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('asks the permission endpoint once per (repository, user) while the answer is fresh', async () => {
    harness.github.setPermission(REPO, 'walt', 'write');
    harness.takeGitHubRequests();
    const before = submittedCount();
    for (const body of ['@baton one', '@baton two']) {
      await harness.deliver(
        'pull_request_review_comment',
        reviewComment({
          repo: REPO,
          number: harness.batonPull,
          login: 'walt',
          body,
          branch: harness.batonBranch,
        }),
      );
    }
    expect(submittedCount()).toBe(before + 2);
    expect(harness.takeGitHubRequests()).toEqual([
      { method: 'GET', path: '/repos/acme/widgets/collaborators/walt/permission' },
    ]);
  });

  it('ignores comments on a PR that is not Baton’s, from a fork, or on a plain issue', async () => {
    const before = submittedCount();
    const other = await harness.deliver(
      'issue_comment',
      issueComment({ repo: REPO, number: harness.otherPull, login: 'alice', body: '@baton fix the docs' }),
    );
    expect(JSON.parse(other.body)).toEqual({ result: 'ignored', reason: 'not_a_baton_branch' });

    const fork = await harness.deliver(
      'pull_request_review_comment',
      reviewComment({
        repo: REPO,
        number: harness.batonPull,
        login: 'alice',
        body: '@baton go',
        branch: harness.batonBranch,
        headRepo: 'mallory/widgets',
      }),
    );
    expect(JSON.parse(fork.body)).toEqual({ result: 'ignored', reason: 'fork' });

    const issue = await harness.deliver(
      'issue_comment',
      issueComment({
        repo: REPO,
        number: 99,
        login: 'alice',
        body: '@baton fix this issue',
        isPullRequest: false,
      }),
    );
    expect(JSON.parse(issue.body)).toEqual({ result: 'ignored', reason: 'not_a_pull_request' });
    expect(submittedCount()).toBe(before);
  });

  it('ignores Baton itself, other bots, comments without a mention and quoted mentions', async () => {
    const before = submittedCount();
    const cases: [string, string, string][] = [
      ['baton[bot]', '@baton Done: renamed.', 'bot_author'],
      ['dependabot[bot]', '@baton rebase', 'bot_author'],
      ['alice', 'looks good to me', 'no_mention'],
      ['alice', 'write to me@baton.dev', 'no_mention'],
      ['alice', '> @baton rename this\n\nthat was a good idea', 'no_mention'],
      ['alice', '@baton', 'empty_request'],
    ];
    for (const [login, body, reason] of cases) {
      const delivery = await harness.deliver(
        'issue_comment',
        issueComment({ repo: REPO, number: harness.batonPull, login, body }),
      );
      expect({ body, answer: JSON.parse(delivery.body) }).toEqual({
        body,
        answer: { result: 'ignored', reason },
      });
    }
    expect(submittedCount()).toBe(before);
  });

  it('refuses a missing or wrong signature with 401 and submits nothing', async () => {
    const before = submittedCount();
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'alice',
      body: '@baton go',
    });
    const unsigned = await harness.deliver('issue_comment', payload, {});
    const wrongSecret = await harness.deliver('issue_comment', payload, { secret: 'not-the-secret' });
    const garbage = await harness.deliver('issue_comment', payload, { signature: 'sha256=zz' });
    const sha1 = await harness.deliver('issue_comment', payload, { signature: 'sha1=0123' });
    expect([unsigned.status, wrongSecret.status, garbage.status, sha1.status]).toEqual([401, 401, 401, 401]);
    expect(submittedCount()).toBe(before);
  });

  it('answers 400 to malformed JSON and to a payload that is not the event it claims', async () => {
    const malformed = await harness.deliver('issue_comment', null, {
      secret: SECRET,
      rawBody: '{"action": "created",',
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error).toBe('malformed_json');
    const wrongShape = await harness.deliver('issue_comment', { action: 'created', comment: 'hello' });
    expect(wrongShape.status).toBe(400);
    expect(JSON.parse(wrongShape.body).error).toBe('malformed_payload');
  });

  it('acknowledges other events (ping, push) with 204 and does nothing', async () => {
    const before = submittedCount();
    harness.takeGitHubRequests();
    const ping = await harness.deliver('ping', { zen: 'Design for failure.', hook_id: 1 });
    const push = await harness.deliver('push', { ref: 'refs/heads/main' });
    expect([ping.status, push.status]).toEqual([204, 204]);
    expect(submittedCount()).toBe(before);
    expect(harness.takeGitHubRequests()).toEqual([]);
  });

  it('takes a redelivery with the same X-GitHub-Delivery once (200, nothing else)', async () => {
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'alice',
      body: '@baton add tests',
    });
    const first = await harness.deliver('issue_comment', payload, {
      secret: SECRET,
      deliveryId: 'delivery-sequential',
    });
    await vi.waitFor(() => expect(harness.afterSubmitted.at(-1)?.text).toBe('add tests'));
    const before = { submitted: submittedCount(), after: harness.afterSubmitted.length };
    harness.takeGitHubRequests();

    const again = await harness.deliver('issue_comment', payload, {
      secret: SECRET,
      deliveryId: 'delivery-sequential',
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(JSON.parse(again.body)).toEqual({ result: 'duplicate' });
    expect(submittedCount()).toBe(before.submitted);
    expect(harness.takeGitHubRequests().filter((request) => request.method !== 'GET')).toEqual([]);
    // afterSubmit (the reaction and the reporter) runs for the first delivery only.
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.afterSubmitted.length).toBe(before.after);
  });

  it('takes concurrent redeliveries once', async () => {
    const before = submittedCount();
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'maya',
      body: '@baton concurrent',
    });
    const deliveries = await Promise.all(
      [1, 2, 3].map(() =>
        harness.deliver('issue_comment', payload, { secret: SECRET, deliveryId: 'delivery-concurrent' }),
      ),
    );
    expect(deliveries.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
    expect(deliveries.map((delivery) => resultOf(delivery.body)).sort()).toEqual([
      'duplicate',
      'duplicate',
      'taken',
    ]);
    expect(submittedCount()).toBe(before + 1);
  });

  it('takes the same comment once even when two webhooks (repository and organisation) deliver it', async () => {
    const before = submittedCount();
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'alice',
      body: '@baton twice',
    });
    const first = await harness.deliver('issue_comment', payload, { secret: SECRET, deliveryId: 'hook-a' });
    const second = await harness.deliver('issue_comment', payload, { secret: SECRET, deliveryId: 'hook-b' });
    expect([resultOf(first.body), resultOf(second.body)]).toEqual(['taken', 'duplicate']);
    expect(submittedCount()).toBe(before + 1);
  });

  it('answers 503 without claiming the delivery when GitHub cannot be asked, so a redelivery is taken', async () => {
    const before = submittedCount();
    harness.github.setPermission(REPO, 'nina', 'write');
    harness.github.failNext('GET', '/repos/acme/widgets/collaborators/nina/permission', 502);
    const payload = issueComment({
      repo: REPO,
      number: harness.batonPull,
      login: 'nina',
      body: '@baton retry me',
    });
    const failed = await harness.deliver('issue_comment', payload, {
      secret: SECRET,
      deliveryId: 'delivery-503',
    });
    expect(failed.status).toBe(503);
    expect(submittedCount()).toBe(before);

    const redelivered = await harness.deliver('issue_comment', payload, {
      secret: SECRET,
      deliveryId: 'delivery-503',
    });
    expect(resultOf(redelivered.body)).toBe('taken');
    expect(submittedCount()).toBe(before + 1);
  });

  it('ignores a Baton-looking branch no thread owns', async () => {
    harness.github.commitFiles(REPO, { branch: 'baton/000000000000', files: { 'x.txt': 'x\n' } });
    const orphan = harness.github.addPullRequest(REPO, {
      head: 'baton/000000000000',
      title: 'Orphan',
    }).number;
    const delivery = await harness.deliver(
      'issue_comment',
      issueComment({ repo: REPO, number: orphan, login: 'alice', body: '@baton continue' }),
    );
    expect(JSON.parse(delivery.body)).toEqual({ result: 'ignored', reason: 'no_thread' });
  });

  it('ignores repositories Baton is not configured for', async () => {
    const delivery = await harness.deliver(
      'issue_comment',
      issueComment({ repo: 'acme/secret-stuff', number: 1, login: 'alice', body: '@baton go' }),
    );
    expect(JSON.parse(delivery.body)).toEqual({ result: 'ignored', reason: 'unknown_repository' });
  });
});

describe('GitHub webhook trigger without a secret', () => {
  it('refuses every delivery, signed or not', async () => {
    const harness = await startTriggerHarness({ secret: undefined });
    try {
      const payload = issueComment({
        repo: REPO,
        number: harness.batonPull,
        login: 'alice',
        body: '@baton go',
      });
      const signed = await harness.deliver('issue_comment', payload, { secret: SECRET });
      const unsigned = await harness.deliver('issue_comment', payload, {});
      expect([signed.status, unsigned.status]).toEqual([500, 500]);
      expect(JSON.parse(signed.body).error).toBe('not_configured');
      expect(harness.intake.submitted).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});
