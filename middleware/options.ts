import { z } from 'zod';
import { BatonError } from '../src/observability/errors.ts';

/** Checks a middleware's options from the configuration: a typo fails at start, not after an agent run. */
export function parseMiddlewareOptions<Schema extends z.ZodType>(
  name: string,
  schema: Schema,
  options: Record<string, unknown>,
): z.infer<Schema> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new BatonError({
    code: 'middleware_options_invalid',
    message: `The options of middleware "${name}" are invalid: ${z.prettifyError(parsed.error)}`,
    hint: 'Fix the options of this entry under `middleware` in the configuration file.',
    cause: parsed.error,
  });
}
