export {
  createLocalSandboxProvider,
  type LocalSandboxProvider,
  type LocalSandboxProviderOptions,
} from './local-provider.ts';
export { SANDBOX_WORKDIR } from './paths.ts';
export { checkLocalSandboxPrerequisites, type PrerequisiteProblem } from './prerequisites.ts';
