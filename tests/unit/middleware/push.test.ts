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
        importWork: async () => null,
        request: { threadKey: 't' },
      },
    };
    const result = await createPushMiddleware().run(context);
    expect(result).toMatchObject({ status: 'passed', commit: 'a'.repeat(40), url: '/srv/git/calculator' });
  });

  it('asks the host to push exactly the head the secret scan cleared', async () => {
    const asked: unknown[] = [];
    const context = {
      ...harness.context(),
      previous: [
        { name: 'secret-scan', status: 'passed' as const, summary: 'clean', commit: 'b'.repeat(40) },
      ],
      host: {
        publish: async (options?: { expectHead?: string }) => {
          asked.push(options);
          return { location: '/srv/git/calculator', commit: 'b'.repeat(40) };
        },
        importWork: async () => null,
        request: { threadKey: 't' },
      },
    };
    await createPushMiddleware().run(context);
    await createPushMiddleware().run({ ...context, previous: [] });
    expect(asked).toEqual([{ expectHead: 'b'.repeat(40) }, {}]);
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
        importWork: async () => null,
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
