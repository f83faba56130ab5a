import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linearSchema } from '../../../src/config/schema.ts';
import { createLinearClient, createLinearReporter } from '../../../src/integrations/linear/index.ts';
import { createSilentLogger } from '../../../src/observability/logger.ts';
import type { RunOutcome, RunProgress } from '../../../src/runs/reporter.ts';
import { type FakeLinear, startFakeLinear } from '../../fakes/linear-server.ts';
import { eventually } from './harness.ts';

const leakedToken = `ghp_${'a'.repeat(36)}`;

function outcome(overrides: Partial<RunOutcome>): RunOutcome {
  return {
    status: 'succeeded',
    summary: 'Fixed the redirect after login.',
    branch: 'baton/thread-1',
    checks: [{ name: 'test', status: 'passed', summary: 'npm test: 12 passed' }],
    tokens: 1000,
    costUsd: 0.01,
    ...overrides,
  };
}

function progress(step: number, activity: string): RunProgress {
  return { step, activity, elapsedMs: step * 1000, tokens: 0, costUsd: 0, plan: [] };
}

describe('Linear reporter', () => {
  let linear: FakeLinear;
  const silent = createSilentLogger();

  beforeEach(async () => {
    linear = await startFakeLinear();
    linear.addIssue({ id: 'issue-1', identifier: 'ENG-123', title: 'Fix the redirect', teamKey: 'ENG' });
  });

  afterEach(async () => {
    await linear.close();
  });

  const client = () => createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.apiUrl, log: silent });

  it('without a session: one comment with the summary and PR link, the PR attached, the issue moved', async () => {
    const reporter = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      config: linearSchema.parse({ reviewState: 'In Review' }),
      log: silent,
    });
    await reporter.start({ runId: 'run-1', task: 'Fix the redirect' });
    reporter.progress(progress(1, 'read_file src/login.ts'));
    await reporter.finish(outcome({ pullRequestUrl: 'https://github.com/acme/web/pull/7' }));

    const comments = linear.comments('issue-1');
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain('https://github.com/acme/web/pull/7');
    expect(comments[0]?.body).toContain('Fixed the redirect after login.');
    expect(linear.attachments('issue-1')).toEqual([
      expect.objectContaining({
        url: 'https://github.com/acme/web/pull/7',
        title: 'Draft pull request acme/web#7',
      }),
    ]);
    expect(linear.issue('issue-1').stateName).toBe('In Review');
  });

  it('leaves the state alone without reviewState, and notes a state that does not exist', async () => {
    const unset = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      config: linearSchema.parse({}),
      log: silent,
    });
    await unset.finish(outcome({ pullRequestUrl: 'https://github.com/acme/web/pull/7' }));
    expect(linear.issue('issue-1').stateName).toBe('Backlog');

    const wrong = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      config: linearSchema.parse({ reviewState: 'Ready for QA' }),
      log: silent,
    });
    await wrong.finish(outcome({ pullRequestUrl: 'https://github.com/acme/web/pull/7' }));
    expect(linear.issue('issue-1').stateName).toBe('Backlog');
    expect(linear.comments('issue-1').at(-1)?.body).toMatch(
      /Could not move this issue to "Ready for QA".*In Review/s,
    );
  });

  it('comments a failure, with secrets redacted, and attaches nothing', async () => {
    const reporter = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      config: linearSchema.parse({ reviewState: 'In Review' }),
      log: silent,
      secrets: ['hunter2-the-db-password'],
    });
    await reporter.finish(
      outcome({
        status: 'failed',
        summary: `Tests failed with token ${leakedToken} and password hunter2-the-db-password.`,
        checks: [{ name: 'test', status: 'failed', summary: 'npm test: 2 failed' }],
      }),
    );
    const body = linear.comments('issue-1')[0]?.body ?? '';
    expect(body).toContain('could not finish');
    expect(body).toContain('npm test: 2 failed');
    expect(body).not.toContain(leakedToken);
    expect(body).not.toContain('hunter2-the-db-password');
    expect(linear.attachments('issue-1')).toEqual([]);
    expect(linear.issue('issue-1').stateName).toBe('Backlog');
  });

  it('with a session: thoughts, throttled actions, an elicitation and a final response', async () => {
    linear.addAgentSession({ id: 'session-1', issueId: 'issue-1' });
    let clock = 0;
    const reporter = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      agentSessionId: 'session-1',
      config: linearSchema.parse({}),
      log: silent,
      now: () => clock,
      progressIntervalMs: 30_000,
      keepAliveMs: 600_000,
    });
    await reporter.start({ runId: 'run-1', task: 'Fix the redirect\nmore detail' });
    clock = 31_000;
    reporter.progress(progress(1, 'run_command npm test'));
    reporter.progress(progress(2, 'run_command npm test')); // same activity: nothing new
    clock = 32_000;
    reporter.progress(progress(3, `read_file ${leakedToken}`)); // within the interval: held back
    await reporter.reply(`Found the bug in the redirect (token ${leakedToken}).`);
    await reporter.ask('Should the old query string be kept?');
    await reporter.finish(outcome({ pullRequestUrl: 'https://github.com/acme/web/pull/7' }));

    const contents = linear.activities('session-1').map((activity) => activity.content);
    expect(contents).toEqual([
      { type: 'thought', body: 'Working on it: Fix the redirect' },
      { type: 'action', action: 'run_command', parameter: 'npm test (step 1)' },
      { type: 'thought', body: 'Found the bug in the redirect (token [redacted]).' },
      { type: 'elicitation', body: 'Should the old query string be kept?' },
      { type: 'response', body: expect.stringContaining('https://github.com/acme/web/pull/7') },
    ]);
    expect(JSON.stringify(contents)).not.toContain(leakedToken);
    expect(linear.comments('issue-1')).toEqual([]);
    expect(linear.attachments('issue-1')).toHaveLength(1);
  });

  it('with a session: a failed run ends with an error activity, a waiting one with nothing', async () => {
    linear.addAgentSession({ id: 'session-1', issueId: 'issue-1' });
    const make = () =>
      createLinearReporter({
        client: client(),
        issueId: 'issue-1',
        agentSessionId: 'session-1',
        config: linearSchema.parse({}),
        log: silent,
      });
    await make().finish(outcome({ status: 'failed', summary: 'The tests never passed.' }));
    await make().finish(outcome({ status: 'waiting', summary: 'Asked a question.' }));
    expect(linear.activities('session-1').map((activity) => activity.content)).toEqual([
      { type: 'error', body: expect.stringContaining('The tests never passed.') },
    ]);
  });

  it('keeps the session alive while a run is quiet', async () => {
    linear.addAgentSession({ id: 'session-1', issueId: 'issue-1' });
    let clock = 0;
    const reporter = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      agentSessionId: 'session-1',
      config: linearSchema.parse({}),
      log: silent,
      now: () => clock,
      progressIntervalMs: 5,
      keepAliveMs: 600_000,
    });
    await reporter.start({ runId: 'run-1', task: 'Fix it' });
    clock = 10;
    reporter.progress(progress(4, 'run_command npm test')); // posted right away: the interval has passed
    clock = 700_000; // then more than ten minutes without a post
    await eventually(() =>
      linear
        .activities('session-1')
        .some((activity) => activity.content.body === 'Still working (step 4: run_command npm test).'),
    );
    await reporter.finish(outcome({}));
    expect(linear.activities('session-1').map((activity) => activity.content.type)).toEqual([
      'thought',
      'action',
      'thought',
      'response',
    ]);
  });

  it('does not fail the run when Linear is down at the end', async () => {
    const reporter = createLinearReporter({
      client: client(),
      issueId: 'issue-1',
      config: linearSchema.parse({}),
      log: silent,
    });
    linear.failNextRequests(5);
    await expect(
      reporter.finish(outcome({ pullRequestUrl: 'https://github.com/acme/web/pull/7' })),
    ).resolves.toBeUndefined();
  });
});
