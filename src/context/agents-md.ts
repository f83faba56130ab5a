import { dirname, join, normalize } from 'node:path';
import type { Sandbox } from '../sandbox/types.ts';

const FILE_NAME = 'AGENTS.md';
const MAX_CHARS = 20_000;

async function readOptional(sandbox: Sandbox, path: string): Promise<string | null> {
  try {
    const text = await sandbox.readFile(path);
    return text.length > MAX_CHARS
      ? `${text.slice(0, MAX_CHARS)}\n[AGENTS.md cut at ${MAX_CHARS} characters]`
      : text;
  } catch {
    return null;
  }
}

/** The repository's root AGENTS.md, or null. */
export function readRootAgentsMd(sandbox: Sandbox): Promise<string | null> {
  return readOptional(sandbox, FILE_NAME);
}

/**
 * Nested AGENTS.md files apply to the directory they sit in. When the agent reads a file, the ones
 * between the root (exclusive) and that file's directory are returned once each, nearest last.
 */
export async function nestedAgentsMd(
  sandbox: Sandbox,
  filePath: string,
  seen: Set<string>,
): Promise<{ path: string; text: string }[]> {
  const relative = normalize(filePath.replace(/^\/workspace\/?/, '')).replace(/^\/+/, '');
  const directories: string[] = [];
  for (
    let directory = dirname(relative);
    directory !== '.' && directory !== '/';
    directory = dirname(directory)
  ) {
    directories.unshift(directory);
  }
  const found: { path: string; text: string }[] = [];
  for (const directory of directories) {
    const path = join(directory, FILE_NAME);
    if (seen.has(path)) continue;
    seen.add(path);
    const text = await readOptional(sandbox, path);
    if (text) found.push({ path, text });
  }
  return found;
}
