import { posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';

/** Where commands see the workspace. */
export const SANDBOX_WORKDIR = '/workspace';
/** Where commands see their writable home directory. */
export const SANDBOX_HOME = '/home/baton';
/** Where the mirror's objects (the workspace's alternates) appear, read-only, inside the sandbox. */
export const SANDBOX_MIRROR_OBJECTS = '/opt/baton/mirror/objects';
/** Directory on the sandbox's PATH for the binaries Baton brings (ripgrep). */
export const SANDBOX_BIN = '/opt/baton/bin';

function escapeError(path: string): BatonError {
  return new BatonError({
    code: 'sandbox_path_escape',
    message: `path "${path}" is outside the workspace`,
    hint: `use a path relative to the workspace root (${SANDBOX_WORKDIR})`,
  });
}

/**
 * A workspace-relative, normalised path (no `..` above the root) from a relative path or an
 * absolute one under `/workspace`. Lexical only: symlinks are checked where files are opened.
 */
export function toWorkspaceRelative(path: string): string {
  if (path.includes('\0')) throw escapeError(path);
  let relative = path;
  if (posix.isAbsolute(path)) {
    if (path !== SANDBOX_WORKDIR && !path.startsWith(`${SANDBOX_WORKDIR}/`)) throw escapeError(path);
    relative = path.slice(SANDBOX_WORKDIR.length + 1);
  }
  const normalised = posix.normalize(relative || '.');
  if (normalised === '..' || normalised.startsWith('../') || posix.isAbsolute(normalised))
    throw escapeError(path);
  return normalised === '.' ? '' : normalised.replace(/\/+$/, '');
}
