export {
  assertPushAllowed,
  checkLocalSandboxPrerequisites,
  createLocalSandboxProvider,
  type ImportChangesResult,
  importChanges,
  type LocalSandboxProvider,
  type LocalSandboxProviderOptions,
  mirrorPathFor,
  type PrerequisiteProblem,
  type PushBranchOptions,
  type PushBranchResult,
  pushBranch,
  readRemoteBranch,
  SANDBOX_WORKDIR,
} from './local/index.ts';
export type * from './types.ts';
