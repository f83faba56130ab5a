export {
  checkLocalSandboxPrerequisites,
  createLocalSandboxProvider,
  type LocalSandboxProvider,
  type LocalSandboxProviderOptions,
  type PrerequisiteProblem,
  SANDBOX_WORKDIR,
} from './local/index.ts';
export type * from './types.ts';
