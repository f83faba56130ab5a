import { constants, createReadStream, createWriteStream } from 'node:fs';
import { chmod, type FileHandle, lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BatonError } from '../../observability/errors.ts';
import { errorCode, escapeError, type FileOwner, notFound, openInWorkspace } from './workspace-walk.ts';

export type { FileOwner } from './workspace-walk.ts';

/*
 * Host-side access to a workspace that untrusted code also writes, possibly at the same moment (a
 * background command). Paths are walked one component at a time through directory fds
 * (workspace-walk.ts), so no directory swapped for a symlink is ever followed; the final open uses
 * O_NOFOLLOW and O_NONBLOCK (a FIFO cannot hang the host), and only a regular file is accepted,
 * checked on the open fd before anything is read, truncated or written.
 */

const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
/** No O_TRUNC: a file is emptied through its fd only once fstat showed it is a regular file. */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK;
/** Larger files are for `exec` (head, sed, rg), not for a whole-file read into memory. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

async function openRegular(
  root: string,
  path: string,
  flags: number,
  owner: FileOwner | null,
): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    // `owner` null: reading, so nothing on the way is created.
    handle = await openInWorkspace(root, path, flags, { create: owner !== null, owner: owner ?? undefined });
  } catch (error) {
    if (error instanceof BatonError) throw error;
    if (errorCode(error) === 'ELOOP') throw escapeError(path);
    if (errorCode(error) === 'ENOENT') throw notFound(path, error);
    if (errorCode(error) === 'EISDIR') throw notAFile(path);
    throw new BatonError({ code: 'sandbox_file_unreadable', message: `cannot open ${path}`, cause: error });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw notAFile(path);
  }
  return { handle, size: info.size };
}

function notAFile(path: string): BatonError {
  return new BatonError({
    code: 'sandbox_not_a_file',
    message: `${path} is not a regular file`,
    hint: 'list a directory with exec (ls), or give the path of a file',
  });
}

export async function readWorkspaceFile(root: string, path: string): Promise<string> {
  const buffer = await readWorkspaceBytes(root, path);
  return buffer.toString('utf8');
}

export async function readWorkspaceBytes(root: string, path: string): Promise<Buffer> {
  const { handle, size } = await openRegular(root, path, READ_FLAGS, null);
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

/** Opens for writing (missing directories created) and, when the host is root, hands the file to the sandbox's uid. */
async function openForWrite(root: string, path: string, owner: FileOwner) {
  const opened = await openRegular(root, path, WRITE_FLAGS, owner);
  try {
    await opened.handle.truncate(0);
    if (owner) await opened.handle.chown(owner.uid, owner.gid);
  } catch (error) {
    await opened.handle.close();
    throw error;
  }
  return opened;
}

export async function writeWorkspaceFile(
  root: string,
  path: string,
  content: string | Buffer,
  owner?: FileOwner,
): Promise<void> {
  const { handle } = await openForWrite(root, path, owner);
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
  const { handle } = await openForWrite(root, path, owner);
  try {
    await pipeline(createReadStream(hostSource), handle.createWriteStream());
  } finally {
    await handle.close();
  }
}

/** Streams a workspace file (a bundle the sandbox wrote) to a host path outside the workspace. */
export async function copyOutOfWorkspace(root: string, path: string, hostTarget: string): Promise<void> {
  const { handle } = await openRegular(root, path, READ_FLAGS, null);
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
