import type { StepRecord } from '../../middleware/types.ts';
import { describeBudget } from '../agent/budget.ts';
import type { BudgetsConfig } from '../config/schema.ts';
import type { CheckRoundsResult } from './check-rounds.ts';
import type { DeliveryFacts } from './delivery-facts.ts';
import type { RunOutcome } from './reporter.ts';

export interface OutcomeInput {
  rounds: CheckRoundsResult;
  budgets: BudgetsConfig;
  branch: string;
  tokens: number;
  costUsd: number;
  /** What the branch, the remote and GitHub say; they win over what the steps of this pass saw. */
  facts?: DeliveryFacts;
}

export interface Delivery {
  /** The secret scan refused the branch: its commits were not kept (not in the mirror, not pushed). */
  scanBlocked?: boolean;
  commit?: string;
  publishedTo?: string;
  pullRequestUrl?: string;
  /** Known not to be on the remote: it has no such branch, or an older head. */
  notPushed?: boolean;
  /** Why the pull request is missing although the branch was pushed. */
  pullRequestProblem?: string;
}

/** What was delivered: the facts first, the steps' own results where a fact is unknown. */
export function deliveryOf(records: readonly StepRecord[], facts: DeliveryFacts = {}): Delivery {
  const last = (name: string, status: StepRecord['status']) =>
    records.filter((record) => record.name === name && record.status === status).at(-1);
  // A refused scan keeps nothing: the commits it read died with the workspace.
  const scan = records.filter((record) => record.name === 'secret-scan').at(-1);
  if (scan && scan.status !== 'passed' && scan.status !== 'skipped') return { scanBlocked: true };
  const push = last('push', 'passed');
  const openPr = last('open-pr', 'passed');
  const ahead = facts.workspace;
  const committedHere = ahead && ahead.commitsAhead > 0 ? ahead.head : undefined;
  const commit = push?.commit ?? last('commit', 'passed')?.commit ?? committedHere;
  // Pushed when the remote holds the branch at the head the work ended on (or the push said so).
  const remote = facts.remote;
  const remoteHasIt =
    remote !== undefined && remote !== null && (commit === undefined || remote.commit === commit);
  const publishedTo = remoteHasIt ? remote.location : push?.url;
  const pullRequestUrl = openPr?.url ?? facts.pullRequest?.url ?? undefined;
  const failedPr = last('open-pr', 'failed');
  return {
    commit: commit ?? (remoteHasIt ? remote.commit : undefined),
    publishedTo,
    notPushed: !publishedTo && (remote === null || (remote !== undefined && !remoteHasIt)),
    pullRequestUrl,
    pullRequestProblem: !pullRequestUrl && failedPr ? failedPr.summary : undefined,
  };
}

/** Where the work is, in words, for every ending. Every sentence is one of the facts above. */
export function whereTheWorkIs(branch: string, delivery: Delivery): string {
  if (delivery.scanBlocked) return scanBlockedWhere(branch);
  if (delivery.pullRequestUrl) return `Pull request: ${delivery.pullRequestUrl}`;
  if (delivery.publishedTo) {
    const problem = delivery.pullRequestProblem
      ? `; the pull request could not be opened: ${delivery.pullRequestProblem.replace(/^The branch was pushed, but the pull request could not be opened:?\s*/i, '')}`
      : '';
    return `The work is pushed to ${branch} in ${delivery.publishedTo}${problem}.`;
  }
  if (delivery.commit && delivery.notPushed)
    return `The work is committed on branch ${branch} but was not pushed.`;
  if (delivery.commit) return `The work is committed on branch ${branch}.`;
  return 'No changes were committed.';
}

function scanBlockedWhere(branch: string): string {
  return `Nothing was pushed, and the commits that hold it were not kept: ${branch} is as it was.`;
}

function checksOf(records: readonly StepRecord[]): RunOutcome['checks'] {
  return records.map((record) => ({ name: record.name, status: record.status, summary: record.summary }));
}

/** The end of a turn as the requester sees it: one status, one plain paragraph. */
export function buildOutcome(input: OutcomeInput): RunOutcome {
  const { rounds } = input;
  const delivery = deliveryOf(rounds.records, input.facts);
  const base = {
    branch: delivery.commit ? input.branch : undefined,
    commit: delivery.commit,
    pullRequestUrl: delivery.pullRequestUrl,
    checks: checksOf(rounds.records.filter((record) => record.status !== 'skipped')),
    tokens: input.tokens,
    costUsd: input.costUsd,
  };
  const where = whereTheWorkIs(input.branch, delivery);
  const loop = rounds.loop;
  switch (loop.type) {
    case 'finished':
      break;
    case 'waiting':
      return { ...base, status: 'waiting', summary: `Baton has a question: ${loop.question}\n${where}` };
    case 'budget_exhausted':
      return {
        ...base,
        status: 'budget_exhausted',
        summary: `Stopped: the run used up ${describeBudget(loop.budget, input.budgets)}. ${where}`,
      };
    case 'cancelled':
      return { ...base, status: 'cancelled', summary: `Cancelled. ${where}` };
    case 'failed':
      return { ...base, status: 'failed', summary: `${loop.error.message} ${where}` };
  }
  const checks = rounds.checks;
  switch (checks.type) {
    case 'passed':
    case 'not_run':
      return { ...base, status: 'succeeded', summary: `${loop.payload.summary}\n${where}` };
    case 'blocked':
      // The pull request step failing leaves pushed work behind: the sentence says where it is.
      if (checks.step === 'open-pr') return { ...base, status: 'failed', summary: where };
      return {
        ...base,
        status: 'failed',
        summary: `Blocked by ${checks.step}: ${checks.summary}. ${delivery.scanBlocked || delivery.commit ? where : 'Nothing was committed or pushed.'}`,
      };
    case 'failed': {
      const failing = rounds.records
        .filter((record) => record.status === 'failed')
        .map((record) => record.summary);
      return {
        ...base,
        status: 'failed',
        summary: `Checks still fail after ${rounds.fixRounds} fix round(s): ${failing.join('; ')}. ${where}`,
      };
    }
  }
}

/** A turn that failed outside the steps (a crash, a cancel): its end told from the facts alone. */
export function failureOutcome(input: {
  cancelled: boolean;
  reason: string;
  branch: string;
  facts: DeliveryFacts;
  tokens: number;
  costUsd: number;
}): RunOutcome {
  const delivery = deliveryOf([], input.facts);
  const known = input.facts.workspace !== undefined || input.facts.remote !== undefined;
  const where = known
    ? delivery.commit || delivery.publishedTo || delivery.pullRequestUrl
      ? whereTheWorkIs(input.branch, delivery)
      : `Nothing was pushed; branch ${input.branch} is unchanged.`
    : `Whether branch ${input.branch} changed could not be checked.`;
  return {
    status: input.cancelled ? 'cancelled' : 'failed',
    summary: `${input.cancelled ? 'Cancelled' : `The run failed: ${input.reason}`}. ${where}`,
    ...(delivery.commit ? { branch: input.branch, commit: delivery.commit } : {}),
    ...(delivery.pullRequestUrl ? { pullRequestUrl: delivery.pullRequestUrl } : {}),
    checks: [],
    tokens: input.tokens,
    costUsd: input.costUsd,
  };
}
