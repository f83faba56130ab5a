import type { MiddlewareHost, RequestInfo } from '../../middleware/types.ts';
import type { RepoConfig } from '../config/schema.ts';
import { BatonError } from '../observability/errors.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { workspaceAhead } from './delivery-facts.ts';
import type { TurnDependencies } from './turn-dependencies.ts';

/**
 * What the steps may ask of the host. Publishing starts from facts: the commits this workspace
 * made are pushed; a workspace with no new commits may still hold a branch ahead of its base (a
 * turn resumed from its pushed or imported branch): it is pushed unless the remote already has
 * exactly that head, so a takeover after the push still reaches the pull request step.
 */
export function createTurnHost(options: {
  deps: TurnDependencies;
  workspace: Sandbox;
  repo: RepoConfig;
  branch: string;
  request: RequestInfo;
}): MiddlewareHost {
  const { deps, workspace, repo, branch } = options;
  return {
    async publish(publishOptions = {}) {
      const exported = await workspace.exportChanges();
      const expected = publishOptions.expectHead;
      if (expected !== undefined && exported.commitCount > 0 && exported.headCommit !== expected) {
        throw new BatonError({
          code: 'push_unscanned',
          message: `the branch moved after the secret scan (it cleared ${expected.slice(0, 12)}, the branch is now at ${exported.headCommit.slice(0, 12)}), so nothing was pushed`,
          hint: 'stop background commands that commit, then ask again',
        });
      }
      if (exported.commitCount > 0) {
        const published = await deps.publish({ exported, repo, branch });
        return { location: published.location, commit: exported.headCommit };
      }
      const ahead = await workspaceAhead(workspace, repo.defaultBranch);
      if (!ahead || ahead.commitsAhead === 0) return null;
      const remote = await deps.remoteBranch?.({ repo, branch });
      if (remote && remote.commit === ahead.head) {
        return { location: remote.location, commit: ahead.head, alreadyPushed: true };
      }
      // Nothing new here, but the remote lacks the head: the host mirror holds the branch's work.
      const published = await deps.publish({ exported, repo, branch });
      return { location: published.location, commit: ahead.head };
    },
    async importWork() {
      const exported = await workspace.exportChanges();
      // Not tied to the turn's signal: a cancelled turn still keeps its work, and that needs the scan.
      return deps.quarantine({ exported, repo });
    },
    pullRequests: deps.pullRequestsFor?.(repo),
    request: options.request,
  };
}
