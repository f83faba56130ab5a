import { runMiddlewarePass } from '../../middleware/pipeline.ts';
import type { Middleware, MiddlewareContext, StepRecord } from '../../middleware/types.ts';
import type { FinishPayload } from '../tools/types.ts';
import type { CheckRoundsResult } from './check-rounds.ts';

/**
 * When a turn ends without passing checks (budget, cancellation, model error, failing checks, a
 * question), its work is still kept: the steps that do not feed back to the agent (secret scan,
 * commit) run on a work-in-progress message. A blocked scan keeps nothing.
 */
export async function keepWork(options: {
  rounds: CheckRoundsResult;
  middlewares: readonly Middleware[];
  context: (finish: FinishPayload) => Omit<MiddlewareContext, 'previous'>;
  task: string;
}): Promise<StepRecord[]> {
  const { rounds } = options;
  if (rounds.checks.type === 'passed' || rounds.checks.type === 'blocked') return [];
  const keepers = options.middlewares.filter((middleware) => !middleware.feedback);
  const reason = rounds.loop.type === 'finished' ? 'checks failing' : rounds.loop.type.replace('_', ' ');
  const title = `WIP (${reason}): ${options.task.split('\n')[0]?.slice(0, 60) ?? 'Baton run'}`;
  const summary =
    rounds.loop.type === 'finished' ? rounds.loop.payload.summary : `Work in progress, ${reason}.`;
  const pass = await runMiddlewarePass(
    keepers,
    options.context({ summary, prTitle: title, prBody: summary }),
  );
  return pass.records;
}
