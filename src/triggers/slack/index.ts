export type { Authorisation, SlackAuthoriser } from './authorise.ts';
export { SLACK_EVENTS_PATH } from './create-app.ts';
export { createSlackTrigger } from './create-slack-trigger.ts';
export { describeSlackSetup, type SlackMode, slackModeOf } from './describe-setup.ts';
export { CANCEL_ACTION, PICK_REPO_ACTION, type PickRepoValue } from './replies.ts';
export { type RepoResolution, resolveRepo } from './resolve-repo.ts';
export { SLASH_COMMAND } from './slash-command.ts';
export type {
  AfterSubmit,
  CancelTarget,
  Intake,
  SlackTrigger,
  SlackTriggerOptions,
  SubmitResult,
  SubmittedRequest,
  ThreadLookup,
} from './types.ts';
