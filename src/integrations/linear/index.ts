export {
  createLinearClient,
  type LinearActivityContent,
  type LinearClient,
  type LinearClientOptions,
  type LinearComment,
  type LinearIssue,
  type LinearPerson,
} from './client.ts';
export { type FetchLinearContextOptions, fetchLinearContext, findLinearKeys } from './context.ts';
export { formatFinalMessage } from './final-message.ts';
export { toLinearBatonError } from './linear-errors.ts';
export { createLinearReporter, type LinearReporterOptions } from './reporter.ts';
