import { LinearClient as LinearSdkClient } from '@linear/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinearClient } from '../../../src/integrations/linear/client.ts';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import { type FakeLinear, startFakeLinear } from '../../fakes/linear-server.ts';

const alice = { id: 'user-alice', name: 'Alice' };
const bob = { id: 'user-bob', name: 'Bob' };

describe('Linear client against the fake Linear', () => {
  let linear: FakeLinear;

  beforeEach(async () => {
    linear = await startFakeLinear();
    linear.addIssue({
      id: 'issue-1',
      identifier: 'ENG-123',
      title: 'Fix the login redirect',
      description: 'After login users land on /404.',
      teamKey: 'ENG',
      labels: [
        { id: 'label-bug', name: 'bug' },
        { id: 'label-baton', name: 'baton' },
      ],
      comments: [
        { id: 'comment-1', body: 'Happens only on Safari.', user: bob },
        { id: 'comment-2', body: 'Please keep the old query string.', user: alice },
      ],
      priority: 2,
      projectId: 'project-web',
      creator: alice,
    });
  });

  afterEach(async () => {
    await linear.close();
  });

  const client = () =>
    createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.apiUrl, log: createSilentLogger() });

  it('sends the API key as the raw Authorization header, without Bearer', async () => {
    const viewer = await client().viewer();
    expect(viewer.id).toBe(linear.viewer.id);
    expect(linear.requests.at(-1)).toMatchObject({
      operationName: 'BatonViewer',
      authorization: linear.apiKey,
    });
    expect(linear.requests.every((request) => !request.authorization?.startsWith('Bearer'))).toBe(true);
  });

  it('is refused with a Bearer-prefixed key, as Linear refuses it', async () => {
    const bearer = createLinearClient({
      apiKey: `Bearer ${linear.apiKey}`,
      apiUrl: linear.apiUrl,
      log: createSilentLogger(),
    });
    const failure = await bearer.getIssue('ENG-123').catch((error: unknown) => error);
    expect(isBatonError(failure) && failure.code).toBe('linear_auth');
    expect(isBatonError(failure) && failure.hint).toMatch(/without a "Bearer" prefix/);
  });

  it('refuses a plain-http apiUrl that is not loopback (SDK rule)', () => {
    expect(() => new LinearSdkClient({ apiKey: 'k', apiUrl: 'http://linear.internal/graphql' })).toThrow(
      /HTTPS/,
    );
    let code: string | undefined;
    try {
      createLinearClient({
        apiKey: 'k',
        apiUrl: 'http://linear.internal/graphql',
        log: createSilentLogger(),
      });
    } catch (error) {
      code = isBatonError(error) ? error.code : undefined;
    }
    expect(code).toBe('linear_config_invalid');
  });

  it('reads the whole issue in one request, by key or by id', async () => {
    const before = linear.requests.length;
    const issue = await client().getIssue('ENG-123');
    expect(linear.requests.length - before).toBe(1);
    expect(issue).toEqual({
      id: 'issue-1',
      identifier: 'ENG-123',
      title: 'Fix the login redirect',
      description: 'After login users land on /404.',
      url: 'https://linear.app/acme/issue/ENG-123',
      priority: 2,
      priorityLabel: 'High',
      creator: { id: 'user-alice', name: 'alice' },
      team: { id: 'team-ENG', key: 'ENG', name: 'Team ENG' },
      state: { id: expect.any(String), name: 'Backlog', type: 'backlog' },
      project: { id: 'project-web', name: 'Project project-web' },
      labels: [
        { id: 'label-bug', name: 'bug' },
        { id: 'label-baton', name: 'baton' },
      ],
      comments: [
        {
          id: 'comment-1',
          body: 'Happens only on Safari.',
          createdAt: expect.any(String),
          author: { id: 'user-bob', name: 'bob' },
        },
        {
          id: 'comment-2',
          body: 'Please keep the old query string.',
          createdAt: expect.any(String),
          author: { id: 'user-alice', name: 'alice' },
        },
      ],
      links: [],
    });
    expect((await client().getIssue('issue-1')).identifier).toBe('ENG-123');
  });

  it('reports an unknown issue as linear_not_found', async () => {
    const failure = await client()
      .getIssue('ENG-999')
      .catch((error: unknown) => error);
    expect(isBatonError(failure) && failure.code).toBe('linear_not_found');
  });

  it('comments, attaches a pull request once per URL, and moves the issue by state name', async () => {
    const linearClient = client();
    await linearClient.comment('issue-1', 'Working on it');
    expect(linear.comments('issue-1').at(-1)).toMatchObject({ body: 'Working on it', user: linear.viewer });

    const pullRequest = { url: 'https://github.com/acme/web/pull/7', title: 'Fix the login redirect' };
    await linearClient.attachPullRequest('issue-1', pullRequest);
    await linearClient.attachPullRequest('issue-1', { ...pullRequest, title: 'Fix the login redirect (v2)' });
    expect(linear.attachments('issue-1')).toEqual([
      expect.objectContaining({ url: pullRequest.url, title: 'Fix the login redirect (v2)' }),
    ]);
    const attach = linear.requests.find((request) => request.operationName === 'attachmentLinkURL');
    expect(attach?.variables).toMatchObject({ issueId: 'issue-1', url: pullRequest.url });

    const moved = await linearClient.moveToState('issue-1', 'in review');
    expect(moved.stateName).toBe('In Review');
    expect(linear.issue('issue-1').stateName).toBe('In Review');
    expect(linear.requests.at(-1)).toMatchObject({
      operationName: 'updateIssue',
      variables: { id: 'issue-1' },
    });

    const issue = await linearClient.getIssue('ENG-123');
    expect(issue.state.name).toBe('In Review');
    expect(issue.links).toEqual([expect.objectContaining({ url: pullRequest.url })]);
  });

  it('names the available states when the wanted one does not exist', async () => {
    const failure = await client()
      .moveToState('issue-1', 'Ready for QA')
      .catch((error: unknown) => error);
    expect(isBatonError(failure) && failure.code).toBe('linear_unknown_state');
    expect(isBatonError(failure) && failure.hint).toContain('In Review');
    expect(linear.issue('issue-1').stateName).toBe('Backlog');
  });

  it('posts agent activities with typed content', async () => {
    linear.addAgentSession({ id: 'session-1', issueId: 'issue-1' });
    await client().agentActivity('session-1', { type: 'thought', body: 'Looking at the redirect' });
    await client().agentActivity('session-1', { type: 'action', action: 'Running', parameter: 'npm test' });
    expect(linear.activities('session-1').map((activity) => activity.content)).toEqual([
      { type: 'thought', body: 'Looking at the redirect' },
      { type: 'action', action: 'Running', parameter: 'npm test' },
    ]);
    expect(linear.requests.at(-1)?.operationName).toBe('createAgentActivity');
  });

  it('maps an outage to a retryable error', async () => {
    linear.failNextRequests(1);
    const failure = await client()
      .comment('issue-1', 'hello')
      .catch((error: unknown) => error);
    expect(isBatonError(failure) && failure.retryable).toBe(true);
  });
});
