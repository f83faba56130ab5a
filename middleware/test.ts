import { createCheckMiddleware } from './check-step.ts';
import type { Middleware } from './types.ts';

/** Runs the repository's tests (configured, or detected from its project files). Options: timeoutMs, outputChars. */
export function createTestMiddleware(options: Record<string, unknown> = {}): Middleware {
  return createCheckMiddleware('test', options);
}
