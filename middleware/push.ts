import { describeError, isBatonError } from '../src/observability/errors.ts';
import type { Middleware, StepResult } from './types.ts';

/**
 * Pushes the run's branch from the host (the sandbox holds no credential). A refused push (the
 * default or a protected branch, a remote that moved on) blocks the pipeline: it is never retried
 * in a loop and never forced.
 */
export function createPushMiddleware(): Middleware {
  return {
    name: 'push',
    feedback: false,
    async run(context): Promise<StepResult> {
      try {
        // The scan cleared one head; a branch that moved since (a background job committing) is refused.
        const scan = context.previous.filter((record) => record.name === 'secret-scan').at(-1);
        const published = await context.host.publish(
          scan ? { expectHead: scan.status === 'passed' ? (scan.commit ?? 'none') : 'not cleared' } : {},
        );
        if (!published) return { status: 'skipped', summary: 'No commits to push.' };
        const verb = published.alreadyPushed ? 'Already pushed' : 'Pushed';
        return {
          status: 'passed',
          summary: `${verb} ${context.branch} (${published.commit.slice(0, 12)}) to ${published.location}`,
          commit: published.commit,
          url: published.location,
        };
      } catch (error) {
        const code = isBatonError(error) ? ` [${error.code}]` : '';
        return { status: 'blocked', summary: `Push refused${code}: ${describeError(error)}` };
      }
    },
  };
}
