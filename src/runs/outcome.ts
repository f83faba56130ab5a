import type { StepRecord } from '../../middleware/types.ts';
import { describeBudget } from '../agent/budget.ts';
import type { BudgetsConfig } from '../config/schema.ts';
import type { CheckRoundsResult } from './check-rounds.ts';
import type { RunOutcome } from './reporter.ts';

export interface OutcomeInput {
  rounds: CheckRoundsResult;
  budgets: BudgetsConfig;
  branch: string;
  tokens: number;
  costUsd: number;
}

interface Delivery {
  /** The secret scan refused the branch: its commits were not kept. */
  scanBlocked: boolean;
  commit?: string;
  publishedTo?: string;
  pullRequestUrl?: string;
}

/** What the steps delivered: the commit, where the branch was pushed, the pull request. */
function deliveryOf(records: readonly StepRecord[]): Delivery {
  const passed = (name: string) =>
    records.filter((record) => record.name === name && record.status === 'passed').at(-1);
  const push = passed('push');
  const scan = records.filter((record) => record.name === 'secret-scan').at(-1);
  if (scan && scan.status !== 'passed' && scan.status !== 'skipped') return { scanBlocked: true };
  return {
    scanBlocked: false,
    commit: push?.commit ?? passed('commit')?.commit,
    publishedTo: push?.url,
    pullRequestUrl: passed('open-pr')?.url,
  };
}

/** Where the work is, in words, for every ending. */
function whereTheWorkIs(branch: string, delivery: Delivery): string {
  if (delivery.scanBlocked) return scanBlockedWhere(branch);
  if (delivery.pullRequestUrl) return `Pull request: ${delivery.pullRequestUrl}`;
  if (delivery.commit && delivery.publishedTo)
    return `The work is on branch ${branch} in ${delivery.publishedTo}.`;
  if (delivery.commit) return `The work is committed on branch ${branch}.`;
  return 'No changes were committed.';
}

function scanBlockedWhere(branch: string): string {
  return `Nothing was pushed, and the commits that hold it were not kept: ${branch} is as it was.`;
}

/** After a block: a scan keeps nothing of what it refused; a refused push leaves the commit behind. */
function blockedWhere(step: string, branch: string, delivery: Delivery): string {
  if (step === 'secret-scan') return scanBlockedWhere(branch);
  if (delivery.commit) return `The work is committed on branch ${branch} but was not pushed.`;
  return 'Nothing was committed or pushed.';
}

function checksOf(records: readonly StepRecord[]): RunOutcome['checks'] {
  return records.map((record) => ({ name: record.name, status: record.status, summary: record.summary }));
}

/** The end of a turn as the requester sees it: one status, one plain paragraph. */
export function buildOutcome(input: OutcomeInput): RunOutcome {
  const { rounds } = input;
  const delivery = deliveryOf(rounds.records);
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
      return {
        ...base,
        status: 'failed',
        // A push refused after the commit step leaves a commit behind: say so rather than deny it.
        summary: `Blocked by ${checks.step}: ${checks.summary}. ${blockedWhere(checks.step, input.branch, delivery)}`,
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
