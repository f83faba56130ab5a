import { describe, expect, it } from 'vitest';
import type { StepRecord } from '../../../middleware/types.ts';
import { budgetsSchema } from '../../../src/config/schema.ts';
import type { CheckRoundsResult } from '../../../src/runs/check-rounds.ts';
import type { DeliveryFacts } from '../../../src/runs/delivery-facts.ts';
import { buildOutcome, failureOutcome } from '../../../src/runs/outcome.ts';

const BRANCH = 'baton/0123456789ab';
const HEAD = 'a'.repeat(40);
const OLDER = 'b'.repeat(40);
const TREE = `https://github.example/acme/app/tree/${BRANCH}`;
const PR = 'https://github.example/acme/app/pull/7';
const finished = {
  type: 'finished' as const,
  payload: { summary: 'Fixed add().', prTitle: 'Fix', prBody: '' },
};

function outcomeOf(records: StepRecord[], facts: DeliveryFacts, checks?: CheckRoundsResult['checks']) {
  const blocked = records.find((record) => record.status === 'blocked' || record.status === 'failed');
  return buildOutcome({
    rounds: {
      loop: finished,
      checks:
        checks ??
        (blocked ? { type: 'blocked', step: blocked.name, summary: blocked.summary } : { type: 'passed' }),
      records,
      fixRounds: 0,
    },
    budgets: budgetsSchema.parse({}),
    branch: BRANCH,
    tokens: 10,
    costUsd: 0.01,
    facts,
  });
}

const skippedCommit: StepRecord = { name: 'commit', status: 'skipped', summary: 'Nothing to commit' };

describe('the outcome is told from facts: the branch, the remote and the open pull request', () => {
  it('a resumed turn whose branch was pushed before the crash links the PR the facts found', () => {
    const outcome = outcomeOf(
      [
        skippedCommit,
        { name: 'push', status: 'passed', summary: 'Already pushed', commit: HEAD, url: TREE },
        { name: 'open-pr', status: 'passed', summary: 'Draft PR #7 opened', url: PR },
      ],
      {
        workspace: { head: HEAD, commitsAhead: 1 },
        remote: { commit: HEAD, location: TREE },
        pullRequest: null,
      },
    );
    expect(outcome).toMatchObject({ status: 'succeeded', commit: HEAD, branch: BRANCH, pullRequestUrl: PR });
    expect(outcome.summary).toBe(`Fixed add().\nPull request: ${PR}`);
  });

  it('a PR that could not be opened: pushed, and why there is no PR; never "not pushed"', () => {
    const outcome = outcomeOf(
      [
        { name: 'push', status: 'passed', summary: 'Pushed', commit: HEAD, url: TREE },
        {
          name: 'open-pr',
          status: 'failed',
          summary: 'The branch was pushed, but the pull request could not be opened: GitHub answered 502',
        },
      ],
      {
        workspace: { head: HEAD, commitsAhead: 1 },
        remote: { commit: HEAD, location: TREE },
        pullRequest: null,
      },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.summary).toBe(
      `The work is pushed to ${BRANCH} in ${TREE}; the pull request could not be opened: GitHub answered 502.`,
    );
  });

  it('an open PR the steps did not see (open-pr skipped) is still linked', () => {
    const outcome = outcomeOf([skippedCommit, { name: 'push', status: 'skipped', summary: 'No commits' }], {
      workspace: { head: HEAD, commitsAhead: 1 },
      remote: { commit: HEAD, location: TREE },
      pullRequest: { number: 7, url: PR },
    });
    expect(outcome.pullRequestUrl).toBe(PR);
    expect(outcome.summary).toContain(`Pull request: ${PR}`);
  });

  it('commits the remote lacks say "not pushed"; when the remote could not be read, nothing is claimed', () => {
    const behind = outcomeOf([{ name: 'commit', status: 'passed', summary: 'Committed', commit: HEAD }], {
      workspace: { head: HEAD, commitsAhead: 2 },
      remote: { commit: OLDER, location: TREE },
    });
    expect(behind.summary).toContain(`committed on branch ${BRANCH} but was not pushed`);
    const absent = outcomeOf([], { workspace: { head: HEAD, commitsAhead: 1 }, remote: null });
    expect(absent.summary).toContain('but was not pushed');
    const unknown = outcomeOf([], { workspace: { head: HEAD, commitsAhead: 1 } });
    expect(unknown.summary).toContain(`The work is committed on branch ${BRANCH}.`);
    expect(unknown.summary).not.toContain('pushed');
  });

  it('"No changes were committed" only when the branch has no commits beyond its base', () => {
    const none = outcomeOf([skippedCommit], { workspace: { head: HEAD, commitsAhead: 0 }, remote: null });
    expect(none.summary).toContain('No changes were committed.');
    expect(none.branch).toBeUndefined();
    const earlier = outcomeOf([skippedCommit], { workspace: { head: HEAD, commitsAhead: 3 }, remote: null });
    expect(earlier.summary).not.toContain('No changes were committed');
    expect(earlier.commit).toBe(HEAD);
  });

  it('a turn that failed outside the steps tells where the work is from the facts alone', () => {
    const base = { cancelled: false, reason: 'the sandbox died', branch: BRANCH, tokens: 1, costUsd: 0 };
    const pushed = failureOutcome({
      ...base,
      facts: {
        workspace: undefined,
        remote: { commit: HEAD, location: TREE },
        pullRequest: { number: 7, url: PR },
      },
    });
    expect(pushed.summary).toBe(`The run failed: the sandbox died. Pull request: ${PR}`);
    expect(pushed.pullRequestUrl).toBe(PR);
    const untouched = failureOutcome({
      ...base,
      facts: { workspace: { head: HEAD, commitsAhead: 0 }, remote: null },
    });
    expect(untouched.summary).toBe(
      `The run failed: the sandbox died. Nothing was pushed; branch ${BRANCH} is unchanged.`,
    );
    const unknown = failureOutcome({ ...base, cancelled: true, facts: {} });
    expect(unknown.summary).toBe(`Cancelled. Whether branch ${BRANCH} changed could not be checked.`);
  });
});
