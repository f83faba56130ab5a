import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPushMiddleware } from '../../../middleware/push.ts';
import { BatonError } from '../../../src/observability/errors.ts';
import { createHarness, type Harness } from './harness.ts';
import { NODE_PROJECT } from './node-project.ts';

describe('push middleware', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness(NODE_PROJECT);
  });
  afterAll(async () => harness.cleanup());

  it('reports where the branch went and its commit', async () => {
    const context = {
      ...harness.context(),
      previous: [],
      host: {
        publish: async () => ({ location: '/srv/git/calculator', commit: 'a'.repeat(40) }),
        request: { threadKey: 't' },
      },
    };
    const result = await createPushMiddleware().run(context);
    expect(result).toMatchObject({ status: 'passed', commit: 'a'.repeat(40), url: '/srv/git/calculator' });
  });

  it('skips when there is nothing to push and blocks (once, no retry) when the host refuses', async () => {
    let attempts = 0;
    const refused = {
      ...harness.context(),
      previous: [],
      host: {
        publish: async () => {
          attempts += 1;
          throw new BatonError({
            code: 'push_refused_protected',
            message: 'refusing to push to main: it is the default branch',
          });
        },
        request: { threadKey: 't' },
      },
    };
    const result = await createPushMiddleware().run(refused);
    expect(result.status).toBe('blocked');
    expect(result.summary).toMatch(/push_refused_protected.*refusing to push to main/);
    expect(attempts).toBe(1);
    const nothing = await createPushMiddleware().run({ ...harness.context(), previous: [] });
    expect(nothing.status).toBe('skipped');
  });
});
