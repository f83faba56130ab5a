import { BatonError } from '../observability/errors.ts';
import type { ChangeExport } from '../sandbox/types.ts';
import { type HostEnv, hostGit } from './host-git.ts';
import { assertBranchName } from './layout.ts';
import { WORK_REF_PREFIX } from './mirror.ts';

export interface ImportChangesResult {
  imported: boolean;
  /** The mirror ref that holds the run's work (`refs/baton/<branch>`). */
  ref: string;
  commit?: string;
}

/**
 * Takes a run's exported bundle into the mirror, under `refs/baton/<branch>`: outside the refs the
 * mirror follows from the remote, so a later refresh cannot prune work that was not pushed yet.
 * The next `create` on the branch starts from it, and `pushBranch` pushes it. The bundle was made
 * by untrusted code: git verifies it (its prerequisites must be in the mirror), and the branch tip
 * it carries must be the commit the export reported.
 */
export async function importChanges(options: {
  mirrorPath: string;
  exported: ChangeExport;
  hostEnv?: HostEnv;
  signal?: AbortSignal;
}): Promise<ImportChangesResult> {
  const { exported } = options;
  assertBranchName(exported.branch);
  const ref = `${WORK_REF_PREFIX}${exported.branch}`;
  if (!exported.bundlePath || exported.commitCount === 0) return { imported: false, ref };
  const git = {
    cwd: options.mirrorPath,
    hostEnv: options.hostEnv ?? {},
    signal: options.signal,
    code: 'import_bundle_invalid',
  };
  const heads = await hostGit(
    ['bundle', 'list-heads', '--', exported.bundlePath, `refs/heads/${exported.branch}`],
    git,
  );
  const tip = heads.trim().split('\n')[0]?.split(' ')[0];
  if (tip !== exported.headCommit) {
    throw new BatonError({
      code: 'import_bundle_invalid',
      message: `the bundle's ${exported.branch} is ${tip ?? 'missing'}, not the exported ${exported.headCommit}`,
    });
  }
  await hostGit(['bundle', 'verify', '--quiet', '--', exported.bundlePath], git);
  // Forced: this ref is Baton's scratch copy; whether the remote accepts it is decided at push time.
  await hostGit(
    ['fetch', '--quiet', '--no-tags', '--', exported.bundlePath, `+refs/heads/${exported.branch}:${ref}`],
    git,
  );
  return { imported: true, ref, commit: exported.headCommit };
}
