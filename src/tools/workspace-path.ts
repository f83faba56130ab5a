import { posix } from 'node:path';

export type WorkspacePath = { ok: true; path: string } | { ok: false; error: string };

/**
 * Turns what the model wrote (`src/a.ts`, `./src/a.ts`, `/workspace/src/a.ts`) into a workspace-relative
 * path, `.` for the root. Paths that leave the workspace are refused here, before any command runs.
 */
export function toWorkspacePath(input: string, workdir: string): WorkspacePath {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: true, path: '.' };
  const root = workdir.replace(/\/+$/, '');
  let relative = trimmed;
  if (trimmed === root) relative = '.';
  else if (trimmed.startsWith(`${root}/`)) relative = trimmed.slice(root.length + 1);
  else if (trimmed.startsWith('/')) {
    return { ok: false, error: `"${input}" is outside the workspace; use a path relative to ${root}.` };
  }
  const normalized = posix.normalize(relative);
  if (normalized === '..' || normalized.startsWith('../')) {
    return { ok: false, error: `"${input}" leaves the workspace; use a path inside ${root}.` };
  }
  return { ok: true, path: normalized.replace(/\/+$/, '') || '.' };
}
