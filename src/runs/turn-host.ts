import type { MiddlewareHost, RequestInfo } from '../../middleware/types.ts';
import type { RepoConfig } from '../config/schema.ts';
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
    async publish() {
      const exported = await workspace.exportChanges();
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
    pullRequests: deps.pullRequestsFor?.(repo),
    request: options.request,
  };
}
