import { createCheckMiddleware } from './check-step.ts';
import type { Middleware } from './types.ts';

/** Runs the repository's linter (configured, or detected from its project files). Options: timeoutMs, outputChars. */
export function createLintMiddleware(options: Record<string, unknown> = {}): Middleware {
  return createCheckMiddleware('lint', options);
}
