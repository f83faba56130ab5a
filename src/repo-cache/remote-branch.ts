import { BatonError } from '../observability/errors.ts';
import { type HostEnv, type RepoAuth, tryHostGit, withoutCredentials } from './host-git.ts';
import { assertBranchName } from './layout.ts';

/**
 * The commit a branch points at on the remote itself (not the mirror's copy of it), or null when
 * the remote has no such branch. What was pushed is a fact of the remote; a resumed turn reads it
 * here instead of trusting what its own steps remember.
 */
export async function readRemoteBranch(options: {
  remoteUrl: string;
  branch: string;
  auth?: RepoAuth;
  hostEnv?: HostEnv;
  signal?: AbortSignal;
}): Promise<string | null> {
  assertBranchName(options.branch);
  const listed = await tryHostGit(
    ['ls-remote', '--heads', '--', withoutCredentials(options.remoteUrl), `refs/heads/${options.branch}`],
    { hostEnv: options.hostEnv ?? {}, auth: options.auth, signal: options.signal },
  );
  if (listed.exitCode !== 0) {
    throw new BatonError({
      code: 'remote_unreadable',
      message: `could not read ${options.branch} on the remote: ${listed.stderr.trim().slice(-300)}`,
      retryable: true,
      hint: 'check the remote URL and the host’s credentials',
    });
  }
  const line = listed.stdout
    .split('\n')
    .find((candidate) => candidate.endsWith(`\trefs/heads/${options.branch}`));
  return line?.split('\t')[0] ?? null;
}
