export { type E2BConnection, sdkOptions } from './e2b-connection.ts';
export { checkE2BPrerequisites } from './e2b-doctor.ts';
export { E2B_REFUSED_MESSAGE, type RetryPolicy } from './e2b-errors.ts';
export {
  createE2BSandboxProvider,
  E2B_METADATA,
  type E2BSandboxProviderOptions,
  type ThreadState,
} from './e2b-provider.ts';
