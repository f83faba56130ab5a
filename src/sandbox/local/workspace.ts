import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HostEnv, hostGit } from '../../repo-cache/host-git.ts';
import { SANDBOX_MIRROR_OBJECTS } from './paths.ts';
import { giveToSandbox, type SandboxUser } from './sandbox-user.ts';

/*
 * Host git runs in a workspace only BEFORE any sandboxed command has touched it: from then on its
 * .git (config, hooks, fsmonitor) is written by untrusted code, and the host only reads files.
 */

/**
 * A fresh checkout of `commit` that borrows the mirror's objects (`clone --shared`: no copy, no
 * hardlinks), detached, with `.baton/` excluded from git. Used for pool spares and cold creates.
 */
export async function prepareCheckout(options: {
  mirrorPath: string;
  commit: string;
  directory: string;
  /** The remote URL the workspace shows (credentials already stripped). */
  originUrl: string;
  hostEnv: HostEnv;
  /** The checkout ends up owned by the sandbox's host uid when Baton is root. */
  user: SandboxUser;
  signal?: AbortSignal;
}): Promise<void> {
  const { hostEnv, signal } = options;
  await hostGit(
    ['clone', '--quiet', '--shared', '--no-checkout', '--', options.mirrorPath, options.directory],
    {
      hostEnv,
      signal,
    },
  );
  const git = { cwd: options.directory, hostEnv, signal };
  await hostGit(['remote', 'set-url', 'origin', options.originUrl], git);
  await hostGit(['checkout', '--quiet', '--detach', options.commit], git);
  await appendFile(
    join(options.directory, '.git', 'info', 'exclude'),
    '\n# Baton run output, never committed\n.baton/\n',
  );
  await giveToSandbox(options.directory, options.user);
}

/**
 * Turns a prepared checkout into a run's workspace: moves it to the start commit if it differs,
 * puts it on `branch`, and points its alternates at the path where the sandbox sees the mirror.
 */
export async function adoptCheckout(options: {
  directory: string;
  checkedOut: string;
  start: string;
  branch: string;
  /** Refreshes `origin/<baseRef>` when the base is a branch, so diffs against it are current. */
  base?: { ref: string; commit: string };
  hostEnv: HostEnv;
  user: SandboxUser;
  signal?: AbortSignal;
}): Promise<void> {
  const git = {
    cwd: options.directory,
    hostEnv: options.hostEnv,
    signal: options.signal,
    // prepareCheckout gave the tree to the sandbox's uid; no sandboxed command has run in it yet.
    safeDirectory: options.user.hostDrop ? options.directory : undefined,
  };
  const moved = options.checkedOut !== options.start;
  if (moved) await hostGit(['checkout', '--quiet', '--detach', options.start], git);
  await hostGit(['update-ref', `refs/heads/${options.branch}`, options.start], git);
  await hostGit(['symbolic-ref', 'HEAD', `refs/heads/${options.branch}`], git);
  if (options.base)
    await hostGit(['update-ref', `refs/remotes/origin/${options.base.ref}`, options.base.commit], git);
  // Last step: after this the host's git could no longer find the objects, and must not need to.
  await writeFile(
    join(options.directory, '.git', 'objects', 'info', 'alternates'),
    `${SANDBOX_MIRROR_OBJECTS}\n`,
  );
  // What root git wrote goes to the sandbox's uid: .git always (small: the objects are borrowed),
  // the work tree only when the checkout moved and rewrote files.
  await giveToSandbox(moved ? options.directory : join(options.directory, '.git'), options.user);
}
