import { BatonError } from '../observability/errors.ts';
import { type HostEnv, hostGit, tryHostGit } from './host-git.ts';
import { WORK_REF_PREFIX } from './mirror.ts';

export interface StartPoint {
  /** The commit the workspace's branch points at when the sandbox is ready. */
  commit: string;
  /** Where it came from: Baton's imported work, the remote's branch, or the base ref. */
  from: 'work' | 'branch' | 'base';
  /** The base ref's commit when the base is a branch of the mirror (keeps `origin/<base>` current). */
  baseCommit?: string;
}

/**
 * A later turn on the same thread continues its branch. Baton's imported work (refs/baton/<branch>)
 * wins when it contains the remote's branch (pushed, or not pushed yet); when the remote moved on
 * (a person pushed to the pull request) the remote's branch wins. A new branch starts at baseRef.
 */
export async function resolveStart(options: {
  mirrorPath: string;
  branch: string;
  baseRef: string;
  hostEnv: HostEnv;
  signal?: AbortSignal;
}): Promise<StartPoint> {
  const { mirrorPath, branch, baseRef, hostEnv, signal } = options;
  const git = { cwd: mirrorPath, hostEnv, signal };
  const wanted = {
    work: `${WORK_REF_PREFIX}${branch}`,
    branch: `refs/heads/${branch}`,
    base: `refs/heads/${baseRef}`,
  };
  const listing = await hostGit(
    ['for-each-ref', '--format=%(objectname) %(refname)', wanted.work, wanted.branch, wanted.base],
    git,
  );
  const found = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const [commit, ref] = line.split(' ');
    if (commit && ref) found.set(ref, commit);
  }
  const work = found.get(wanted.work);
  const remote = found.get(wanted.branch);
  const baseCommit = found.get(wanted.base);
  if (work && remote && work !== remote) {
    const contains = await tryHostGit(['merge-base', '--is-ancestor', remote, work], git);
    return contains.exitCode === 0
      ? { commit: work, from: 'work', baseCommit }
      : { commit: remote, from: 'branch', baseCommit };
  }
  if (work) return { commit: work, from: 'work', baseCommit };
  if (remote) return { commit: remote, from: 'branch', baseCommit };
  if (baseCommit) return { commit: baseCommit, from: 'base', baseCommit };
  if (baseRef.startsWith('-')) throw missingBase(baseRef);
  const resolved = await tryHostGit(['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`], git);
  const commit = resolved.stdout.trim();
  if (resolved.exitCode !== 0 || !commit) throw missingBase(baseRef);
  return { commit, from: 'base' };
}

function missingBase(baseRef: string): BatonError {
  return new BatonError({
    code: 'sandbox_base_ref_missing',
    message: `the repository has no branch, tag or commit "${baseRef}"`,
    hint: "check the repository's default branch in the configuration",
  });
}
