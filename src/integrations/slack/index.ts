export {
  createSlackWebClient,
  REPLY_RETRY_POLICY,
  type SlackWebClientOptions,
  slackLogger,
} from './client.ts';
export {
  type RenderedLongMessage,
  renderFinal,
  renderLongText,
  type TextAttachment,
} from './final-blocks.ts';
export {
  createMemoryReporterState,
  type SlackReporterState,
  type SlackReporterStateStore,
} from './reporter-state.ts';
export { rateLimitRetryAfter, slackErrorCode, toSlackBatonError } from './slack-errors.ts';
export type { SlackOrigin } from './slack-origin.ts';
export {
  createSlackReporter,
  REACTIONS,
  type SlackReporter,
  type SlackReporterOptions,
} from './slack-reporter.ts';
export { escapeMrkdwn, SLACK_LIMITS, splitText } from './slack-text.ts';
export {
  CANCEL_ACTION_ID,
  type RenderedMessage,
  renderStatus,
  type StatusView,
  VIEW_RUN_ACTION_ID,
} from './status-blocks.ts';
export {
  type ClearTimer,
  type Coalescer,
  type CoalescerOptions,
  createCoalescer,
  type SetTimer,
} from './status-coalescer.ts';
export { type FetchSlackThreadOptions, fetchSlackThread } from './thread-context.ts';
