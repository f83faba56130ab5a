import type { BudgetsConfig } from '../config/schema.ts';
import type { Usage } from '../model/types.ts';

export type BudgetName = 'steps' | 'tokens' | 'cost' | 'time';

/** Running totals of one turn, shared by the main agent, its subagents and the fix rounds. */
export interface UsageMeter {
  steps: number;
  tokens: number;
  costUsd: number;
  readonly startedAt: number;
}

export function createUsageMeter(now: number): UsageMeter {
  return { steps: 0, tokens: 0, costUsd: 0, startedAt: now };
}

export function recordModelCall(meter: UsageMeter, usage: Usage, costUsd: number): void {
  meter.steps += 1;
  meter.tokens += usage.inputTokens + usage.outputTokens;
  meter.costUsd += costUsd;
}

/** The first budget the turn has used up, or null while it may take another step. */
export function exhaustedBudget(meter: UsageMeter, budgets: BudgetsConfig, now: number): BudgetName | null {
  if (meter.steps >= budgets.maxSteps) return 'steps';
  if (meter.tokens >= budgets.maxTokens) return 'tokens';
  if (meter.costUsd >= budgets.maxCostUsd) return 'cost';
  if (now - meter.startedAt >= budgets.maxWallClockMs) return 'time';
  return null;
}

export function describeBudget(name: BudgetName, budgets: BudgetsConfig): string {
  switch (name) {
    case 'steps':
      return `the step budget (${budgets.maxSteps} model calls)`;
    case 'tokens':
      return `the token budget (${budgets.maxTokens} tokens)`;
    case 'cost':
      return `the cost budget ($${budgets.maxCostUsd.toFixed(2)})`;
    case 'time':
      return `the time budget (${Math.round(budgets.maxWallClockMs / 60_000)} min)`;
  }
}
