import type { PullRequestService } from '../../middleware/types.ts';
import type { RepoConfig } from '../config/schema.ts';
import { describeError } from '../observability/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { RemoteBranch, RemoteBranchReader } from './turn-dependencies.ts';

/**
 * What is true of a turn's work at its end, read from the workspace's branch, the remote and
 * GitHub rather than from the steps that ran (a resumed turn skips steps an earlier worker did).
 * `undefined`: the fact could not be read (then the outcome relies on the steps alone).
 */
export interface DeliveryFacts {
  /** The branch's head in the workspace and its commits beyond the base. */
  workspace?: { head: string; commitsAhead: number };
  /** The branch on the remote; null when the remote has no such branch. */
  remote?: RemoteBranch | null;
  /** The open pull request from the branch; null when there is none. */
  pullRequest?: { number: number; url: string } | null;
}

const AHEAD_SCRIPT = [
  'base=$(git rev-parse --verify --quiet "origin/$BATON_BASE^{commit}" || git rev-parse --verify --quiet "$BATON_BASE^{commit}") || exit 3',
  'git rev-parse HEAD',
  'git rev-list --count "$base..HEAD"',
].join('\n');

/** The workspace's head and how many commits it has beyond the base; undefined when unreadable. */
export async function workspaceAhead(sandbox: Sandbox, baseRef: string): Promise<DeliveryFacts['workspace']> {
  const result = await sandbox.exec({ cmd: AHEAD_SCRIPT, env: { BATON_BASE: baseRef } });
  const [head = '', count = ''] = result.stdout.trim().split('\n');
  const commitsAhead = Number(count);
  if (result.exitCode !== 0 || !/^[0-9a-f]{40,64}$/.test(head) || !Number.isSafeInteger(commitsAhead))
    return undefined;
  return { head, commitsAhead };
}

/** Reads every fact it can; a lookup that fails is logged and left unknown, never guessed. */
export async function readDeliveryFacts(options: {
  sandbox?: Sandbox;
  repo: RepoConfig;
  branch: string;
  remoteBranch?: RemoteBranchReader;
  pullRequests?: PullRequestService;
  log: Logger;
}): Promise<DeliveryFacts> {
  const { repo, branch, log } = options;
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      log.warn({ err: error, branch }, `could not read ${what}: ${describeError(error)}`);
      return undefined;
    }
  };
  const sandbox = options.sandbox;
  const reader = options.remoteBranch;
  const pulls = options.pullRequests;
  const [workspace, remote, pullRequest] = await Promise.all([
    sandbox ? attempt('the workspace branch', () => workspaceAhead(sandbox, repo.defaultBranch)) : undefined,
    reader ? attempt('the remote branch', () => reader({ repo, branch })) : undefined,
    pulls
      ? attempt('the open pull request', () =>
          pulls.findOpenPullRequest({ repo: repo.name, head: branch, base: repo.defaultBranch }),
        )
      : undefined,
  ]);
  return { workspace, remote, pullRequest };
}
