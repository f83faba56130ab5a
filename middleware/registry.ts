import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MiddlewareEntry } from '../src/config/schema.ts';
import { BatonError, isBatonError } from '../src/observability/errors.ts';
import { createCommitMiddleware } from './commit.ts';
import { createLintMiddleware } from './lint.ts';
import { createOpenPrMiddleware } from './open-pr.ts';
import { createPushMiddleware } from './push.ts';
import { createSecretScanMiddleware } from './secret-scan.ts';
import { createTestMiddleware } from './test.ts';
import type { Middleware, MiddlewareFactory } from './types.ts';

export interface MiddlewareRegistry {
  /** Built-in names, in the order they usually run. */
  names(): string[];
  get(name: string): MiddlewareFactory | undefined;
}

const BUILT_INS: Readonly<Record<string, MiddlewareFactory>> = {
  lint: createLintMiddleware,
  test: createTestMiddleware,
  commit: createCommitMiddleware,
  'secret-scan': createSecretScanMiddleware,
  push: createPushMiddleware,
  'open-pr': createOpenPrMiddleware,
};

/** The built-in middleware by name, plus any extra factories (a seam for tests and embedders). */
export function createMiddlewareRegistry(
  extra: Readonly<Record<string, MiddlewareFactory>> = {},
): MiddlewareRegistry {
  const factories = new Map<string, MiddlewareFactory>(Object.entries({ ...BUILT_INS, ...extra }));
  return {
    names: () => [...factories.keys()],
    get: (name) => factories.get(name),
  };
}

function unknownMiddleware(
  name: string,
  registry: MiddlewareRegistry,
  reason: string,
  cause?: unknown,
): BatonError {
  return new BatonError({
    code: 'middleware_unknown',
    message: `Middleware "${name}" is not available: ${reason}.`,
    hint: `Use a built-in (${registry.names().join(', ')}) or a path, relative to the configuration file, of a module that exports \`createMiddleware\`.`,
    cause,
  });
}

function isMiddleware(value: unknown): value is Middleware {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Middleware, unknown>>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.feedback === 'boolean' &&
    typeof candidate.run === 'function'
  );
}

async function loadFactory(
  name: string,
  baseDir: string,
  registry: MiddlewareRegistry,
): Promise<MiddlewareFactory> {
  const path = isAbsolute(name) ? name : resolve(baseDir, name);
  let loaded: Record<string, unknown>;
  try {
    loaded = await import(/* @vite-ignore */ pathToFileURL(path).href);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw unknownMiddleware(
      name,
      registry,
      `it is not built in and ${path} could not be loaded (${detail})`,
      error,
    );
  }
  const factory = loaded.createMiddleware;
  if (typeof factory !== 'function') {
    throw unknownMiddleware(
      name,
      registry,
      `the module ${path} has no exported function \`createMiddleware\``,
    );
  }
  return factory as MiddlewareFactory;
}

function instantiate(
  name: string,
  factory: MiddlewareFactory,
  options: Record<string, unknown>,
  registry: MiddlewareRegistry,
): Middleware {
  let middleware: unknown;
  try {
    middleware = factory(options);
  } catch (error) {
    if (isBatonError(error)) throw error;
    throw unknownMiddleware(
      name,
      registry,
      `its factory threw: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  if (!isMiddleware(middleware)) {
    throw unknownMiddleware(name, registry, 'its factory did not return { name, feedback, run }');
  }
  return middleware;
}

/**
 * The configured middleware, in configuration order. A name that is not built in is a module path
 * (relative to `baseDir`, the configuration file's directory) whose `createMiddleware` is a factory.
 */
export async function resolveMiddlewares(
  entries: readonly MiddlewareEntry[],
  options: { baseDir: string; registry?: MiddlewareRegistry },
): Promise<Middleware[]> {
  const registry = options.registry ?? createMiddlewareRegistry();
  assertScanOrder(entries);
  const middlewares: Middleware[] = [];
  for (const entry of entries) {
    const factory = registry.get(entry.name) ?? (await loadFactory(entry.name, options.baseDir, registry));
    middlewares.push(instantiate(entry.name, factory, entry.options ?? {}, registry));
  }
  return middlewares;
}

/**
 * The secret scan reads the commits that push would send, so it must come after `commit` and
 * before `push`; in any other place it would clear something other than what leaves the host.
 */
function assertScanOrder(entries: readonly MiddlewareEntry[]): void {
  const names = entries.map((entry) => entry.name);
  const scan = names.indexOf('secret-scan');
  if (scan < 0) return;
  const commit = names.indexOf('commit');
  const push = names.indexOf('push');
  const misplaced = (commit >= 0 && commit > scan) || (push >= 0 && push < scan);
  if (!misplaced) return;
  throw new BatonError({
    code: 'middleware_order',
    message: `Middleware "secret-scan" is at position ${scan + 1} of [${names.join(', ')}]: it must come after "commit" and before "push", because it scans the commits that push sends.`,
    hint: 'List the steps as lint, test, commit, secret-scan, push, open-pr under `middleware` in the configuration file.',
  });
}
