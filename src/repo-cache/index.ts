export {
  type GitOutcome,
  type HostEnv,
  hostGit,
  hostGitEnv,
  type RepoAuth,
  tryHostGit,
  withoutCredentials,
} from './host-git.ts';
export { type ImportChangesResult, importChanges } from './import-changes.ts';
export { assertBranchName, dataLayout, mirrorPathFor, safeName } from './layout.ts';
export { createMirrorManager, MIRROR_REFSPECS, WORK_REF_PREFIX } from './mirror.ts';
export {
  assertPushAllowed,
  type PushBranchOptions,
  type PushBranchResult,
  pushBranch,
} from './push-branch.ts';
export { type QuarantinedWork, quarantineChanges } from './quarantine.ts';
export { readRemoteBranch } from './remote-branch.ts';
export { createRepoCache, type RepoCache, type RepoCacheOptions } from './repo-cache.ts';
export { resolveStart, type StartPoint } from './resolve-start.ts';
