import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLintMiddleware } from '../../../middleware/lint.ts';
import { createTestMiddleware } from '../../../middleware/test.ts';
import type { MiddlewareContext } from '../../../middleware/types.ts';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createHarness, type Harness } from './harness.ts';
import { FIXED_SUM, NODE_PROJECT } from './node-project.ts';

describe('lint and test middleware', () => {
  let harness: Harness;
  let context: MiddlewareContext;

  beforeAll(async () => {
    harness = await createHarness(NODE_PROJECT);
    context = { ...harness.context(), previous: [] };
  });
  afterAll(async () => {
    await harness.cleanup();
  });

  it('lint passes on clean code and fails with its output on a violation', async () => {
    const lint = createLintMiddleware();
    expect(lint).toMatchObject({ name: 'lint', feedback: true });

    const clean = await lint.run(context);
    expect(clean).toMatchObject({ status: 'passed', command: 'npm run lint' });
    expect(clean.summary).toMatch(/^npm run lint: exit 0 in [\d.]+s — lint clean$/);

    await harness.sandbox.writeFile('src/old.mjs', 'export var legacy = 1;\n');
    const dirty = await lint.run(context);
    expect(dirty.status).toBe('failed');
    expect(dirty.command).toBe('npm run lint');
    expect(dirty.summary).toMatch(/^npm run lint: exit 1 in [\d.]+s — /);
    // stdout and stderr arrive as one stream, so the agent sees the problem line.
    expect(dirty.output).toContain('src/old.mjs:1: no-var: use const or let');
    await harness.sh('rm src/old.mjs');
  });

  it('test fails on the bug, then passes once the file is fixed', async () => {
    const test = createTestMiddleware();
    const failing = await test.run(context);
    expect(failing).toMatchObject({ status: 'failed', command: 'npm test' });
    expect(failing.summary).toMatch(/^npm test: exit 1 in /);
    expect(failing.output).toContain('sum adds');
    expect(failing.output).toMatch(/4 !== 3|expected: 3/);

    await harness.sandbox.writeFile('src/sum.mjs', FIXED_SUM);
    const passing = await test.run(context);
    expect(passing.status).toBe('passed');
    expect(passing.summary).toMatch(/^npm test: exit 0 in /);
    await harness.sh('git checkout -- src/sum.mjs');
  });

  it('is skipped, saying why, when the check is turned off or nothing is found', async () => {
    const off = await createTestMiddleware().run({ ...context, repo: { ...context.repo, test: false } });
    expect(off).toEqual({
      status: 'skipped',
      summary: 'test skipped: test is turned off in the configuration of fixture',
    });

    await harness.sh('mv package.json package.json.away');
    const none = await createLintMiddleware().run(context);
    await harness.sh('mv package.json.away package.json');
    expect(none.status).toBe('skipped');
    expect(none.summary).toMatch(/^lint skipped: no lint command configured or found/);
    expect(none.command).toBeUndefined();
  });

  it('keeps only the end of long output, with the exit code in the summary', async () => {
    const lint = createLintMiddleware({ outputChars: 1_000 });
    const result = await lint.run({ ...context, repo: { ...context.repo, lint: 'seq 1 20000; exit 3' } });
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/^seq 1 20000; exit 3: exit 3 in [\d.]+s — 20000$/);
    expect(result.output).toMatch(/^\[… \d+ earlier characters cut\]\n/);
    expect(result.output?.endsWith('19999\n20000\n')).toBe(true);
    expect(result.output?.length).toBeLessThan(1_100);
  });

  it('fails a command that runs past its timeout', async () => {
    const test = createTestMiddleware({ timeoutMs: 1_000 });
    const result = await test.run({ ...context, repo: { ...context.repo, test: 'echo started; sleep 20' } });
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/^echo started; sleep 20: timed out after [\d.]+s/);
  });

  it('refuses unknown options at construction', () => {
    let caught: unknown;
    try {
      createTestMiddleware({ timeout: 5 });
    } catch (error) {
      caught = error;
    }
    expect(isBatonError(caught) && caught.code).toBe('middleware_options_invalid');
  });
});
