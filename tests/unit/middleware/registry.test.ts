import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMiddlewareRegistry, resolveMiddlewares } from '../../../middleware/registry.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { BatonError } from '../../../src/observability/errors.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

async function resolveError(
  entries: { name: string; options?: Record<string, unknown> }[],
): Promise<BatonError> {
  try {
    await resolveMiddlewares(
      entries.map((entry) => ({ options: {}, ...entry })),
      { baseDir: FIXTURES },
    );
  } catch (error) {
    if (error instanceof BatonError) return error;
    throw error;
  }
  throw new Error('expected resolveMiddlewares to fail');
}

describe('middleware registry', () => {
  it('knows the built-ins by name', () => {
    expect(createMiddlewareRegistry().names()).toEqual([
      'lint',
      'test',
      'commit',
      'secret-scan',
      'push',
      'open-pr',
    ]);
  });

  it('resolves the default configuration in order, with the right feedback flags', async () => {
    const middlewares = await resolveMiddlewares(configSchema.parse({}).middleware, { baseDir: FIXTURES });
    expect(middlewares.map((middleware) => [middleware.name, middleware.feedback])).toEqual([
      ['lint', true],
      ['test', true],
      ['commit', false],
      ['secret-scan', false],
      ['push', false],
      ['open-pr', false],
    ]);
  });

  it('loads a custom middleware from a module path relative to the base directory, with its options', async () => {
    const [first, custom, last] = await resolveMiddlewares(
      [
        { name: 'lint', options: {} },
        { name: './middleware/require-file.ts', options: { path: 'NOTES.md' } },
        { name: 'commit', options: {} },
      ],
      { baseDir: FIXTURES },
    );
    expect(first?.name).toBe('lint');
    expect(custom).toMatchObject({ name: 'require-file', feedback: true });
    expect(last?.name).toBe('commit');
  });

  it('refuses a secret scan placed before commit or after push, saying where it belongs', async () => {
    for (const order of [
      ['lint', 'secret-scan', 'commit', 'push'],
      ['commit', 'push', 'secret-scan'],
    ]) {
      const error = await resolveError(order.map((name) => ({ name, options: {} })));
      expect(error.code).toBe('middleware_order');
      expect(error.message).toContain('it must come after "commit" and before "push"');
      expect(error.hint).toContain('lint, test, commit, secret-scan, push, open-pr');
    }
    // Without commit or push in the list, the scan has nothing to be out of order with.
    expect(
      await resolveMiddlewares([{ name: 'secret-scan', options: {} }], { baseDir: FIXTURES }),
    ).toHaveLength(1);
  });

  it('names an unknown middleware and what is available', async () => {
    const error = await resolveError([{ name: 'lnt' }]);
    expect(error.code).toBe('middleware_unknown');
    expect(error.message).toContain('Middleware "lnt" is not available');
    expect(error.hint).toContain('lint, test, commit, secret-scan');
  });

  it('refuses a module without a createMiddleware export', async () => {
    const error = await resolveError([{ name: './middleware/not-a-middleware.ts' }]);
    expect(error.code).toBe('middleware_unknown');
    expect(error.message).toContain('has no exported function `createMiddleware`');
  });

  it('refuses invalid options for a built-in', async () => {
    const error = await resolveError([{ name: 'test', options: { timeoutMs: 'soon' } }]);
    expect(error.code).toBe('middleware_options_invalid');
    expect(error.message).toContain('"test"');
  });

  it('accepts extra factories from the caller', async () => {
    const registry = createMiddlewareRegistry({
      noop: () => ({ name: 'noop', feedback: false, run: async () => ({ status: 'passed', summary: 'ok' }) }),
    });
    const [noop] = await resolveMiddlewares([{ name: 'noop', options: {} }], { baseDir: FIXTURES, registry });
    expect(noop?.name).toBe('noop');
  });
});
