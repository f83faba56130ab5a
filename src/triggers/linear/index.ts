export { type IssueFacts, interpretLinearEvent, type LinearTrigger, mentions } from './interpret-event.ts';
export { findRepoMention, type RepoResolution, resolveLinearRepo } from './resolve-repo.ts';
export {
  createLinearWebhookHandler,
  type LinearAfterSubmit,
  type LinearIntake,
  type LinearSubmitResult,
  type LinearTaskRequest,
  type LinearWebhookHandlerOptions,
} from './webhook.ts';
