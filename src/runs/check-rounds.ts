import { runMiddlewarePass } from '../../middleware/pipeline.ts';
import type { Middleware, MiddlewareContext, StepRecord } from '../../middleware/types.ts';
import type { AgentLoopResult } from '../agent/loop.ts';
import type { FinishPayload } from '../tools/types.ts';
import type { ItemPayload } from './items.ts';

export type ChecksOutcome =
  | { type: 'passed' }
  | { type: 'failed'; feedback: string }
  | { type: 'blocked'; step: string; summary: string }
  | { type: 'not_run' };

export interface CheckRoundsResult {
  /** How the agent last stopped. */
  loop: AgentLoopResult;
  checks: ChecksOutcome;
  records: StepRecord[];
  fixRounds: number;
}

export interface CheckRoundsOptions {
  middlewares: readonly Middleware[];
  fixRounds: number;
  context: (finish: FinishPayload) => Omit<MiddlewareContext, 'previous'>;
  /** Sends the failure back to the agent and runs it until it stops again. */
  continueAgent: (feedback: string) => Promise<AgentLoopResult>;
  record: (payload: ItemPayload) => Promise<void>;
  /** Runs before each pass (the environment refresh when the agent changed a dependency). */
  beforeChecks?: () => Promise<void>;
}

/**
 * After `finish`: run the middleware; a failed check goes back to the agent with its output, for at
 * most `fixRounds` rounds; then the result is reported as it is.
 */
export async function runCheckRounds(
  first: AgentLoopResult,
  options: CheckRoundsOptions,
): Promise<CheckRoundsResult> {
  let loop = first;
  let records: StepRecord[] = [];
  for (let round = 0; ; round += 1) {
    if (loop.type !== 'finished') return { loop, checks: { type: 'not_run' }, records, fixRounds: round };
    await options.beforeChecks?.();
    const pass = await runMiddlewarePass(options.middlewares, options.context(loop.payload));
    records = pass.records;
    for (const step of pass.records) {
      await options.record({
        type: 'middleware_step',
        name: step.name,
        status: step.status,
        summary: step.summary,
        output: step.output,
      });
    }
    const outcome = pass.outcome;
    if (outcome.type === 'passed') return { loop, checks: { type: 'passed' }, records, fixRounds: round };
    if (outcome.type === 'blocked') {
      return {
        loop,
        checks: { type: 'blocked', step: outcome.step, summary: outcome.summary },
        records,
        fixRounds: round,
      };
    }
    if (round >= options.fixRounds) {
      return { loop, checks: { type: 'failed', feedback: outcome.feedback }, records, fixRounds: round };
    }
    loop = await options.continueAgent(
      `The checks after your finish failed (fix round ${round + 1} of ${options.fixRounds}). ` +
        `Fix the problem, run the check again, then call finish.\n\n${outcome.feedback}`,
    );
  }
}
