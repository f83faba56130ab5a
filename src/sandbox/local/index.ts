export { type ImportChangesResult, importChanges } from './import-changes.ts';
export {
  createLocalSandboxProvider,
  type LocalSandboxProvider,
  type LocalSandboxProviderOptions,
} from './local-provider.ts';
export { mirrorPathFor, SANDBOX_WORKDIR } from './paths.ts';
export { checkLocalSandboxPrerequisites, type PrerequisiteProblem } from './prerequisites.ts';
export {
  assertPushAllowed,
  type PushBranchOptions,
  type PushBranchResult,
  pushBranch,
} from './push-branch.ts';
export { readRemoteBranch } from './remote-branch.ts';
