import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type HostEnv, hostGit, tryHostGit } from './host-git.ts';

/**
 * A git bundle of `commit` (and the base branch's commit) made from the mirror, for a sandbox
 * that cannot borrow the mirror's objects (a cloud sandbox). It holds objects and these two refs
 * only: no remote configuration, no credential, none of the other threads' work. The refs are
 * written under a unique temporary namespace in the mirror and removed once the bundle exists.
 */
export async function createStartBundle(options: {
  mirrorPath: string;
  commit: string;
  baseCommit?: string;
  target: string;
  hostEnv: HostEnv;
  signal?: AbortSignal;
}): Promise<{ tipRef: string; baseRef?: string }> {
  const git = { cwd: options.mirrorPath, hostEnv: options.hostEnv, signal: options.signal };
  const scratch = `refs/baton-outgoing/${randomBytes(6).toString('hex')}`;
  const tip = `${scratch}/tip`;
  const base = `${scratch}/base`;
  await mkdir(dirname(options.target), { recursive: true });
  try {
    await hostGit(['update-ref', tip, options.commit], git);
    if (options.baseCommit) await hostGit(['update-ref', base, options.baseCommit], git);
    await hostGit(
      ['bundle', 'create', '--quiet', options.target, tip, ...(options.baseCommit ? [base] : [])],
      git,
    );
    return { tipRef: tip, baseRef: options.baseCommit ? base : undefined };
  } finally {
    await tryHostGit(['update-ref', '-d', tip], git);
    if (options.baseCommit) await tryHostGit(['update-ref', '-d', base], git);
  }
}
