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
        const published = await context.host.publish();
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
