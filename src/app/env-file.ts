import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { BatonError } from '../observability/errors.ts';

export interface EnvFileResult {
  /** The file's values under the real environment's: a variable set in both keeps the real value. */
  env: Record<string, string | undefined>;
  /** The file that was read, when there was one. */
  loadedFrom?: string;
}

/**
 * Reads `.env` from the working directory when it exists (the file `.env.example` says to copy).
 * A variable set (not blank) in the real environment wins, so a deployment can override one value
 * without editing the file. The environment itself is never modified.
 */
export function withEnvFile(options: {
  cwd: string;
  env: Record<string, string | undefined>;
}): EnvFileResult {
  const path = resolve(options.cwd, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { env: options.env };
    throw new BatonError({
      code: 'env_file_unreadable',
      message: `Cannot read ${path}: ${(error as Error).message}`,
      hint: 'Make the file readable by the user Baton runs as, or remove it and set the variables in the environment.',
      cause: error,
    });
  }
  const fromFile = parseEnv(text);
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [name, value] of Object.entries(options.env)) {
    if (value !== undefined && (value.trim() !== '' || !(name in fromFile))) env[name] = value;
  }
  return { env, loadedFrom: path };
}
