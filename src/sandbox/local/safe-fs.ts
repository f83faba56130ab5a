import { constants, createReadStream, createWriteStream } from 'node:fs';
import { chmod, chown, lstat, mkdir, open, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BatonError } from '../../observability/errors.ts';
import { toWorkspaceRelative } from './paths.ts';

/*
 * Host-side access to a workspace that untrusted code also writes. Every path is resolved with
 * realpath and must stay under the workspace's real root; the final open uses O_NOFOLLOW (no
 * symlink swapped in at the last moment) and O_NONBLOCK (a FIFO cannot hang the host), and only a
 * regular file is accepted. Commands finish before these calls in normal use (an exec's processes
 * all die with it); a command running concurrently could still race a directory swap between the
 * check and the open, which is why the host never follows a path it has not just resolved.
 */

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const WRITE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW | constants.O_NONBLOCK;
/** Larger files are for `exec` (head, sed, rg), not for a whole-file read into memory. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function escapeError(path: string): BatonError {
  return new BatonError({
    code: 'sandbox_path_escape',
    message: `path "${path}" resolves outside the workspace`,
    hint: 'symbolic links may not lead out of the workspace',
  });
}

function notFound(path: string, cause: unknown): BatonError {
  return new BatonError({
    code: 'sandbox_file_not_found',
    message: `no such file in the workspace: ${path}`,
    hint: 'list the directory to see what exists',
    cause,
  });
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/** The real host path of an existing workspace file, refused when it leads outside the workspace. */
async function resolveExisting(root: string, path: string): Promise<string> {
  const rootReal = await realpath(root);
  const relative = toWorkspaceRelative(path);
  let real: string;
  try {
    real = await realpath(join(rootReal, relative));
  } catch (error) {
    throw notFound(path, error);
  }
  if (!isInside(rootReal, real)) throw escapeError(path);
  return real;
}

async function openRegular(hostPath: string, flags: number, path: string) {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(hostPath, flags, 0o644);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') throw escapeError(path);
    if (errorCode(error) === 'ENOENT') throw notFound(path, error);
    throw new BatonError({ code: 'sandbox_file_unreadable', message: `cannot open ${path}`, cause: error });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new BatonError({
      code: 'sandbox_not_a_file',
      message: `${path} is not a regular file`,
      hint: 'list a directory with exec (ls), or give the path of a file',
    });
  }
  return { handle, size: info.size };
}

export async function readWorkspaceFile(root: string, path: string): Promise<string> {
  const buffer = await readWorkspaceBytes(root, path);
  return buffer.toString('utf8');
}

export async function readWorkspaceBytes(root: string, path: string): Promise<Buffer> {
  const real = await resolveExisting(root, path);
  const { handle, size } = await openRegular(real, READ_FLAGS, path);
  try {
    if (size > MAX_READ_BYTES) {
      throw new BatonError({
        code: 'sandbox_file_too_large',
        message: `${path} is ${size} bytes, more than one read returns`,
        hint: 'read a part of it with exec (head, tail, sed -n) or search it with rg',
      });
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Owner of what the host creates in a workspace, when that is not Baton's own uid (Baton is root). */
export type FileOwner = { uid: number; gid: number } | undefined;

/** Creates the missing directories of `relativeDir` under the deepest existing ancestor, once that is checked. */
async function ensureDirectory(
  rootReal: string,
  relativeDir: string,
  path: string,
  owner: FileOwner,
): Promise<string> {
  const parts = relativeDir ? relativeDir.split('/') : [];
  let existing = rootReal;
  let index = 0;
  for (; index < parts.length; index++) {
    const next = join(existing, parts[index] ?? '');
    const info = await lstat(next).catch(() => undefined);
    if (!info) break;
    existing = await realpath(next);
    if (!isInside(rootReal, existing)) throw escapeError(path);
  }
  const rest = parts.slice(index);
  if (rest.length === 0) return existing;
  const target = join(existing, ...rest);
  await mkdir(target, { recursive: true });
  if (owner) {
    let created = existing;
    for (const part of rest) {
      created = join(created, part);
      await chown(created, owner.uid, owner.gid);
    }
  }
  const real = await realpath(target);
  if (!isInside(rootReal, real)) throw escapeError(path);
  return real;
}

/** The host path to create or replace a workspace file at, after every component was checked. */
async function resolveForWrite(root: string, path: string, owner: FileOwner): Promise<string> {
  const rootReal = await realpath(root);
  const relative = toWorkspaceRelative(path);
  if (!relative)
    throw new BatonError({ code: 'sandbox_not_a_file', message: 'cannot write the workspace root' });
  const directory = await ensureDirectory(
    rootReal,
    dirname(relative) === '.' ? '' : dirname(relative),
    path,
    owner,
  );
  let target = join(directory, relative.split('/').pop() ?? '');
  const info = await lstat(target).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    // Writing through a link that stays inside the workspace is fine; its target is checked first.
    target = await realpath(target).catch(() => {
      throw escapeError(path);
    });
    if (!isInside(rootReal, target)) throw escapeError(path);
  }
  return target;
}

/** Opens for writing and, when the host is root, hands the file to the sandbox's uid. */
async function openForWrite(target: string, path: string, owner: FileOwner) {
  const opened = await openRegular(target, WRITE_FLAGS, path);
  if (owner) await opened.handle.chown(owner.uid, owner.gid);
  return opened;
}

export async function writeWorkspaceFile(
  root: string,
  path: string,
  content: string | Buffer,
  owner?: FileOwner,
): Promise<void> {
  const target = await resolveForWrite(root, path, owner);
  const { handle } = await openForWrite(target, path, owner);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Streams a host file into the workspace (saved command output), with the same checks as a write. */
export async function copyIntoWorkspace(
  root: string,
  path: string,
  hostSource: string,
  owner?: FileOwner,
): Promise<void> {
  const target = await resolveForWrite(root, path, owner);
  const { handle } = await openForWrite(target, path, owner);
  try {
    await pipeline(createReadStream(hostSource), handle.createWriteStream());
  } finally {
    await handle.close();
  }
}

/** Streams a workspace file (a bundle the sandbox wrote) to a host path outside the workspace. */
export async function copyOutOfWorkspace(root: string, path: string, hostTarget: string): Promise<void> {
  const real = await resolveExisting(root, path);
  const { handle } = await openRegular(real, READ_FLAGS, path);
  try {
    await mkdir(dirname(hostTarget), { recursive: true });
    await pipeline(handle.createReadStream(), createWriteStream(hostTarget, { mode: 0o600 }));
  } finally {
    await handle.close();
  }
}

/**
 * Deletes a tree the sandbox wrote. Root deletes anything; a non-root host owns the files but the
 * sandbox may have left directories without write or search permission (chmod 0500), so on a
 * refusal every directory in the tree is opened up to its owner and the removal tried again.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    if (errorCode(error) !== 'EACCES' && errorCode(error) !== 'EPERM') throw error;
    await openUp(path);
    await rm(path, { recursive: true, force: true });
  }
}

async function openUp(directory: string): Promise<void> {
  const info = await lstat(directory).catch(() => undefined);
  if (!info?.isDirectory()) return;
  await chmod(directory, 0o700);
  const names = await readdir(directory).catch(() => [] as string[]);
  await Promise.all(names.map((name) => openUp(join(directory, name))));
}
