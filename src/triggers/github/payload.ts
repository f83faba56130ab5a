import { z } from 'zod';

/*
 * The fields Baton reads from GitHub's webhook payloads (the rest is ignored). Field names and
 * shapes follow @octokit/openapi-types' `webhook-issue-comment-created`,
 * `webhook-pull-request-review-comment-created` and `webhook-pull-request-review-submitted`.
 */

/** A deleted account shows up as `null` (or the `ghost` user). */
const user = z.object({ login: z.string().min(1), type: z.string().optional() }).nullable();
const repository = z.object({ full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/) });
const pullRequest = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  head: z.object({
    ref: z.string(),
    /** `null` when the fork the PR came from was deleted. */
    repo: z.object({ full_name: z.string() }).nullable(),
  }),
});

export const issueCommentPayload = z.object({
  action: z.string(),
  issue: z.object({
    number: z.number().int().positive(),
    state: z.string().optional(),
    /** Present only when the issue is a pull request: a conversation comment on a PR. */
    pull_request: z.object({ url: z.string().optional() }).nullish(),
  }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable(), user }),
  repository,
});

export const reviewCommentPayload = z.object({
  action: z.string(),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    user,
    path: z.string(),
    line: z.number().int().nullish(),
    original_line: z.number().int().nullish(),
    start_line: z.number().int().nullish(),
    diff_hunk: z.string().nullish(),
  }),
  pull_request: pullRequest,
  repository,
});

export const reviewPayload = z.object({
  action: z.string(),
  review: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    /** Lowercase in webhooks (`approved`, `changes_requested`, `commented`), uppercase in REST. */
    state: z.string(),
    user,
  }),
  pull_request: pullRequest,
  repository,
});

export type IssueCommentPayload = z.infer<typeof issueCommentPayload>;
export type ReviewCommentPayload = z.infer<typeof reviewCommentPayload>;
export type ReviewPayload = z.infer<typeof reviewPayload>;
