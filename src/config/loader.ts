import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { BatonError } from '../observability/errors.ts';
import { type Config, configSchema } from './schema.ts';

/** Turns zod issues into lines that name the bad key, e.g. `model.timeoutMs: expected number`. */
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    // One line per unknown key, at its own path: a misspelt key is found where it is.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown key`);
    }
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
}

export function parseConfig(input: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const lines = formatConfigIssues(result.error.issues);
  throw new BatonError({
    code: 'config_invalid',
    message: `Invalid ${source}:\n  ${lines.join('\n  ')}`,
    hint: 'Fix the keys named above (unknown keys are refused, not ignored); config/baton.example.yaml documents every key.',
  });
}

/**
 * Reads the YAML configuration. A missing file at the default path means "all defaults";
 * a missing file that was asked for explicitly is an error.
 */
export async function loadConfig(options: { path: string; required: boolean }): Promise<Config> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    if (!options.required && (error as NodeJS.ErrnoException).code === 'ENOENT') return parseConfig({});
    throw new BatonError({
      code: 'config_unreadable',
      message: `Cannot read the configuration file ${options.path}`,
      hint: 'Pass --config with an existing file, or copy config/baton.example.yaml to config/baton.yaml.',
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new BatonError({
      code: 'config_invalid',
      message: `${options.path} is not valid YAML: ${(error as Error).message}`,
      cause: error,
    });
  }
  return parseConfig(data, options.path);
}
