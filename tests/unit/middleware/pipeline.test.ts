import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runMiddlewarePass } from '../../../middleware/pipeline.ts';
import { resolveMiddlewares } from '../../../middleware/registry.ts';
import type { Middleware } from '../../../middleware/types.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { BatonError } from '../../../src/observability/errors.ts';
import { createHarness, type Harness } from './harness.ts';
import { FIXED_SUM, NODE_PROJECT } from './node-project.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));
const TOKEN = ['ghp', '_', 'P1p3l1n3T0k3nV4lu3Xy9Zw8Qr7St6Uv5Wa'].join('');

function throwing(name: string, feedback: boolean): Middleware {
  return {
    name,
    feedback,
    run: async () => {
      throw new BatonError({ code: 'tool_broken', message: `${name} could not start` });
    },
  };
}

describe('runMiddlewarePass', () => {
  let harness: Harness;
  let defaults: Middleware[];

  beforeAll(async () => {
    harness = await createHarness(NODE_PROJECT);
    defaults = await resolveMiddlewares(configSchema.parse({}).middleware, { baseDir: FIXTURES });
  });
  afterAll(async () => {
    await harness.cleanup();
  });
  beforeEach(async () => {
    await harness.sh('git reset -q --hard main && git clean -qfd -e .baton');
  });

  it('stops at a lint failure and feeds the output back; nothing is committed', async () => {
    const head = await harness.sh('git rev-parse HEAD');
    await harness.sandbox.writeFile('src/sum.mjs', 'export var sum = (a, b) => a + b;\n');
    const pass = await runMiddlewarePass(defaults, harness.context());
    expect(pass.records.map((record) => [record.name, record.status])).toEqual([['lint', 'failed']]);
    expect(pass.outcome.type).toBe('needs_fix');
    const feedback = pass.outcome.type === 'needs_fix' ? pass.outcome.feedback : '';
    expect(feedback).toMatch(/^The lint check failed: npm run lint: exit 1 in /);
    expect(feedback).toContain('Command: npm run lint');
    expect(feedback).toContain('src/sum.mjs:1: no-var: use const or let');
    expect(await harness.sh('git rev-parse HEAD')).toBe(head);
  });

  it('stops at a blocked secret scan after commit, before push', async () => {
    await harness.sandbox.writeFile('src/sum.mjs', FIXED_SUM);
    await harness.sandbox.writeFile('src/client.mjs', `export const token = '${TOKEN}';\n`);
    const pass = await runMiddlewarePass(defaults, harness.context());
    expect(pass.records.map((record) => [record.name, record.status])).toEqual([
      ['lint', 'passed'],
      ['test', 'passed'],
      ['commit', 'passed'],
      ['secret-scan', 'blocked'],
    ]);
    expect(pass.outcome).toMatchObject({ type: 'blocked', step: 'secret-scan' });
    expect(JSON.stringify(pass)).not.toContain(TOKEN);
  });

  it('passes when every step passes, ending with the commit', async () => {
    await harness.sandbox.writeFile('src/sum.mjs', FIXED_SUM);
    const pass = await runMiddlewarePass(defaults, harness.context());
    expect(pass.outcome).toEqual({ type: 'passed' });
    expect(pass.records.map((record) => [record.name, record.status])).toEqual([
      ['lint', 'passed'],
      ['test', 'passed'],
      ['commit', 'passed'],
      ['secret-scan', 'passed'],
      ['push', 'skipped'],
      ['open-pr', 'skipped'],
    ]);
    expect(pass.records[2]?.commit).toBe(await harness.sh('git rev-parse HEAD'));
    expect(await harness.sh('git log -1 --format=%s')).toBe('Fix sum');
  });

  it('runs a custom middleware from a module path and passes earlier records to each step', async () => {
    const seen: string[][] = [];
    const recorder: Middleware = {
      name: 'recorder',
      feedback: false,
      run: async (context) => {
        seen.push(context.previous.map((record) => `${record.name}:${record.status}`));
        return { status: 'passed', summary: 'recorded' };
      },
    };
    const [custom] = await resolveMiddlewares(
      [{ name: './middleware/require-file.ts', options: { path: 'CHANGELOG.md' } }],
      {
        baseDir: FIXTURES,
      },
    );
    if (!custom) throw new Error('custom middleware missing');

    const missing = await runMiddlewarePass([recorder, custom, recorder], harness.context());
    expect(missing.outcome).toEqual({
      type: 'needs_fix',
      feedback:
        'The require-file check failed: CHANGELOG.md is missing\nOutput (the end of it):\n```\nAdd CHANGELOG.md describing the change.\n```',
    });
    expect(seen).toEqual([[]]);

    await harness.sandbox.writeFile('CHANGELOG.md', '# Changes\n');
    const present = await runMiddlewarePass([recorder, custom, recorder], harness.context());
    expect(present.outcome).toEqual({ type: 'passed' });
    expect(seen.slice(1)).toEqual([[], ['recorder:passed', 'require-file:passed']]);
  });

  it('turns a step that throws into a failed record instead of crashing', async () => {
    const feedbackStep = await runMiddlewarePass(
      [throwing('linter', true), defaults[3] as Middleware],
      harness.context(),
    );
    expect(feedbackStep.records).toEqual([
      { name: 'linter', status: 'failed', summary: 'linter failed [tool_broken]: linter could not start' },
    ]);
    expect(feedbackStep.outcome).toEqual({
      type: 'needs_fix',
      feedback: 'The linter check failed: linter failed [tool_broken]: linter could not start',
    });

    // A step that cannot feed back (like the scan) and fails must not let the pass go on to commit.
    const finalStep = await runMiddlewarePass(
      [throwing('scanner', false), defaults[3] as Middleware],
      harness.context(),
    );
    expect(finalStep.records.map((record) => record.name)).toEqual(['scanner']);
    expect(finalStep.outcome).toEqual({
      type: 'blocked',
      step: 'scanner',
      summary: 'scanner failed [tool_broken]: scanner could not start',
    });
  });
});
