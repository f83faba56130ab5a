import type { StepRecord } from '../../middleware/types.ts';
import { describeBudget } from '../agent/budget.ts';
import type { BudgetsConfig } from '../config/schema.ts';
import type { CheckRoundsResult } from './check-rounds.ts';
import type { RunOutcome } from './reporter.ts';

export interface OutcomeInput {
  rounds: CheckRoundsResult;
  budgets: BudgetsConfig;
  branch: string;
  /** Where the branch was published (a path or URL), when it has commits. */
  publishedTo?: string;
  commit?: string;
  tokens: number;
  costUsd: number;
}

/** Where the work is, in words, for every ending. */
function whereTheWorkIs(input: OutcomeInput): string {
  if (input.commit && input.publishedTo)
    return `The work is on branch ${input.branch} in ${input.publishedTo}.`;
  if (input.commit) return `The work is committed on branch ${input.branch}.`;
  return 'No changes were committed.';
}

function checksOf(records: readonly StepRecord[]): RunOutcome['checks'] {
  return records.map((record) => ({ name: record.name, status: record.status, summary: record.summary }));
}

/** The end of a turn as the requester sees it: one status, one plain paragraph. */
export function buildOutcome(input: OutcomeInput): RunOutcome {
  const { rounds } = input;
  const base = {
    branch: input.commit ? input.branch : undefined,
    commit: input.commit,
    checks: checksOf(rounds.records),
    tokens: input.tokens,
    costUsd: input.costUsd,
  };
  const where = whereTheWorkIs(input);
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
        summary: `Blocked by ${checks.step}: ${checks.summary}. Nothing was committed or pushed.`,
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
