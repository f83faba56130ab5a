import type { TaskRequest } from '../../runs/task-request.ts';

/*
 * Structural copies of the contracts src/runs/intake.ts exports (no runtime import: the trigger
 * takes an intake as an argument), identical to the Slack trigger's.
 */

/** A request with the repository the trigger resolved for it. */
export type SubmittedRequest = TaskRequest & { repo: string };

export type SubmitResult =
  | { type: 'duplicate' }
  | { type: 'queued'; turnId: string; threadId: string; position: number }
  | { type: 'injected'; turnId: string; threadId: string };

/** The slice of the run intake this trigger uses. */
export interface GitHubIntake {
  /** Claims the dedupe keys atomically and enqueues durably (or injects into the thread's active run). */
  submit(request: SubmittedRequest): Promise<SubmitResult>;
}

/** The store lookup that finds the conversation owning a Baton branch (src/store/thread-by-branch.ts). */
export interface BranchThreadLookup {
  getThreadByBranch(branch: string): Promise<{ key: string; repo: string } | null>;
}

/** Called after the ack, never awaited by it: the composition root builds the GitHub reporter here. */
export type GitHubAfterSubmit = (
  request: SubmittedRequest,
  result: Exclude<SubmitResult, { type: 'duplicate' }>,
) => Promise<void> | void;

export type GitHubEvent = 'issue_comment' | 'pull_request_review' | 'pull_request_review_comment';

export const GITHUB_EVENTS: readonly GitHubEvent[] = [
  'issue_comment',
  'pull_request_review',
  'pull_request_review_comment',
];

export type IgnoreReason =
  | 'action'
  | 'unknown_repository'
  | 'not_a_pull_request'
  | 'no_mention'
  | 'bot_author'
  | 'empty_request'
  | 'pull_request_closed'
  | 'not_a_baton_branch'
  | 'fork'
  | 'no_thread'
  | 'not_authorised';
