export { type GitHubCandidate, type GitHubTrigger, interpretGitHubEvent } from './interpret-event.ts';
export { mentionsBaton, reviewCommentContext, stripMention } from './request-text.ts';
export { checkBatonHead, fetchPullHead, type PullHead } from './resolve-head.ts';
export type {
  BranchThreadLookup,
  GitHubAfterSubmit,
  GitHubEvent,
  GitHubIntake,
  IgnoreReason,
  SubmitResult,
  SubmittedRequest,
} from './types.ts';
export { verifyGitHubSignature } from './verify-signature.ts';
export { createGitHubWebhookHandler, type GitHubWebhookHandlerOptions } from './webhook.ts';
