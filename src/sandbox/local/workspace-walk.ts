import { constants } from 'node:fs';
import { type FileHandle, mkdir, open, readlink, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import { BatonError } from '../../observability/errors.ts';
import { SANDBOX_WORKDIR, toWorkspaceRelative } from './paths.ts';

/*
 * Path resolution inside a workspace that a running command may be changing. A path string is
 * never followed by the kernel: the walk opens the root, then each component relative to the
 * directory already open (`/proc/self/fd/<fd>/<name>`, Linux's openat for Node) with O_NOFOLLOW,
 * so a directory swapped for a symlink mid-walk is seen as a symlink, never traversed. A symlink
 * met on the way is read through the same directory fd and resolved lexically against the
 * directories walked so far; one leading out of the workspace is refused, one inside is walked
 * again from the root.
 */

const DIRECTORY_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Links followed in one resolution, as the kernel's own limit. */
const MAX_LINKS = 40;

/** The path to a name inside an open directory, resolved by the kernel through the fd. */
export function atDirectory(directory: FileHandle, name: string): string {
  return `/proc/self/fd/${directory.fd}/${name}`;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

export function escapeError(path: string): BatonError {
  return new BatonError({
    code: 'sandbox_path_escape',
    message: `path "${path}" resolves outside the workspace`,
    hint: 'symbolic links may not lead out of the workspace',
  });
}

export function notFound(path: string, cause: unknown): BatonError {
  return new BatonError({
    code: 'sandbox_file_not_found',
    message: `no such file in the workspace: ${path}`,
    hint: 'list the directory to see what exists',
    cause,
  });
}

function notADirectory(path: string, component: string): BatonError {
  return new BatonError({
    code: 'sandbox_not_a_directory',
    message: `cannot reach ${path}: ${component} is not a directory`,
    hint: 'give a path whose parents are directories',
  });
}

/** Owner of what the host creates in a workspace, when that is not Baton's own uid (Baton is root). */
export type FileOwner = { uid: number; gid: number } | undefined;

export interface WalkOptions {
  /** Create missing directories on the way (owned by `owner`); otherwise a missing one is not found. */
  create: boolean;
  owner?: FileOwner;
}

/** Components of a link's target joined onto the directories walked so far; undefined when it leaves the root. */
function followLink(walked: string[], target: string, rest: string[]): string[] | undefined {
  let base: string;
  if (posix.isAbsolute(target)) {
    // Commands see the workspace at /workspace: an absolute link is only inside when it points there.
    if (target !== SANDBOX_WORKDIR && !target.startsWith(`${SANDBOX_WORKDIR}/`)) return undefined;
    base = target.slice(SANDBOX_WORKDIR.length + 1);
  } else {
    base = posix.join(...walked, target);
  }
  const normalised = posix.normalize(posix.join(base || '.', ...rest));
  if (normalised === '..' || normalised.startsWith('../')) return undefined;
  return normalised === '.' ? [] : normalised.split('/').filter((part) => part && part !== '.');
}

/**
 * Opens a workspace path's final component with `flags` (O_NOFOLLOW added) through fds only; a
 * write passes O_CREAT in `flags`. Every directory handle of the walk is closed before this returns.
 */
export async function openInWorkspace(
  root: string,
  path: string,
  flags: number,
  walk: WalkOptions,
): Promise<FileHandle> {
  const relative = toWorkspaceRelative(path);
  let parts = relative ? relative.split('/') : [];
  if (parts.length === 0)
    throw new BatonError({ code: 'sandbox_not_a_file', message: `${path || '/'} is the workspace root` });
  const rootReal = await realpath(root);
  for (let links = 0; links <= MAX_LINKS; links++) {
    const outcome = await walkOnce(rootReal, path, parts, flags, walk);
    if ('handle' in outcome) return outcome.handle;
    parts = outcome.restart;
    if (parts.length === 0)
      throw new BatonError({ code: 'sandbox_not_a_file', message: `${path} leads to the workspace root` });
  }
  throw escapeError(path);
}

type WalkOutcome = { handle: FileHandle } | { restart: string[] };

async function walkOnce(
  rootReal: string,
  path: string,
  parts: string[],
  flags: number,
  walk: WalkOptions,
): Promise<WalkOutcome> {
  let directory = await open(rootReal, DIRECTORY_FLAGS);
  try {
    for (let index = 0; index < parts.length; index++) {
      const name = parts[index] ?? '';
      if (!name || name === '.' || name === '..') throw escapeError(path);
      const last = index === parts.length - 1;
      const wanted = last ? flags | constants.O_NOFOLLOW : DIRECTORY_FLAGS;
      let next: FileHandle;
      try {
        next = await openComponent(directory, name, wanted, last, walk);
      } catch (error) {
        const code = errorCode(error);
        if (code !== 'ELOOP' && code !== 'ENOTDIR') {
          if (code === 'ENOENT') throw notFound(path, error);
          throw error;
        }
        const target = await readlink(atDirectory(directory, name)).catch(() => undefined);
        if (target === undefined) {
          if (code === 'ENOTDIR') throw notADirectory(path, parts.slice(0, index + 1).join('/'));
          throw escapeError(path);
        }
        const restart = followLink(parts.slice(0, index), target, parts.slice(index + 1));
        if (!restart) throw escapeError(path);
        return { restart };
      }
      if (last) return { handle: next };
      await directory.close();
      directory = next;
    }
    throw escapeError(path);
  } finally {
    await directory.close().catch(() => undefined);
  }
}

async function openComponent(
  directory: FileHandle,
  name: string,
  flags: number,
  last: boolean,
  walk: WalkOptions,
): Promise<FileHandle> {
  const at = atDirectory(directory, name);
  if (last) return open(at, flags, 0o644);
  try {
    return await open(at, flags);
  } catch (error) {
    if (!walk.create || errorCode(error) !== 'ENOENT') throw error;
  }
  // A concurrent mkdir of the same name is fine: whatever is there now is opened with O_NOFOLLOW.
  const made = await mkdir(at, { mode: 0o755 }).then(
    () => true,
    (error: unknown) => {
      if (errorCode(error) !== 'EEXIST') throw error;
      return false;
    },
  );
  const created = await open(at, flags);
  // Ownership goes through the fd: whatever the name points at by now, only the opened directory changes.
  if (made && walk.owner)
    await created.chown(walk.owner.uid, walk.owner.gid).catch(async (error: unknown) => {
      await created.close();
      throw error;
    });
  return created;
}
