import type { Octokit } from '@octokit/rest';
import type { ContextDocument } from '../../context/types.ts';
import { BatonError, describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { fitNewest, totalChars, truncate } from './context-budget.ts';
import type { GitHubRef } from './links.ts';
import { splitRepo } from './repo-name.ts';

export interface GitHubContextOptions {
  octokitFor: (repo: string) => Octokit;
  ref: GitHubRef;
  /** The requester's GitHub login: only their own words are trusted. */
  requester?: string;
  /** Characters of text across every document. */
  maxChars: number;
  signal?: AbortSignal;
  /** Where a missing piece (checks, diff) is reported; the rest of the context is still returned. */
  log?: Logger;
  /** Conversation and review comments read at most, per kind. */
  maxComments?: number;
}

type Rest = Octokit['rest'];
type Data<F extends (...args: never[]) => Promise<{ data: unknown }>> = Awaited<ReturnType<F>>['data'];
type Issue = Data<Rest['issues']['get']>;
type IssueComment = Data<Rest['issues']['listComments']>[number];
type ReviewComment = Data<Rest['pulls']['listReviewComments']>[number];
type Review = Data<Rest['pulls']['listReviews']>[number];
type CheckRun = Data<Rest['checks']['listForRef']>['check_runs'][number];

const FAILING_CONCLUSIONS = new Set([
  'failure',
  'timed_out',
  'cancelled',
  'action_required',
  'startup_failure',
]);

/** Share of `maxChars` per part; the diff gets whatever the others leave. */
const SHARE = { subject: 0.25, discussion: 0.35, checks: 0.15 } as const;

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  return typeof error.status === 'number' ? error.status : undefined;
}

/**
 * The issue or pull request as documents for the prompt: its title and body, the conversation,
 * reviews and review comments (file and line), failing check runs and the diff, within `maxChars`.
 * A document is trusted only when the requester wrote it; CI output and the diff never are.
 */
export async function fetchGitHubContext(options: GitHubContextOptions): Promise<ContextDocument[]> {
  const { ref, maxChars } = options;
  const { owner, name: repo } = splitRepo(ref.repo);
  const octokit = options.octokitFor(ref.repo);
  const request = options.signal ? { signal: options.signal } : {};
  const maxComments = options.maxComments ?? 200;
  const isRequester = (login: string | undefined) =>
    options.requester !== undefined &&
    login !== undefined &&
    login.toLowerCase() === options.requester.toLowerCase();
  const label = `${ref.repo}#${ref.number}`;

  let issue: Issue;
  try {
    ({ data: issue } = await octokit.rest.issues.get({ owner, repo, issue_number: ref.number, request }));
  } catch (error) {
    const status = statusOf(error);
    throw new BatonError({
      code: status === 404 ? 'github.context_not_found' : 'github.context_failed',
      message:
        status === 404
          ? `${label} does not exist or Baton cannot see it.`
          : `Could not read ${label} from GitHub.`,
      retryable: status === undefined || status >= 500 || status === 429,
      hint:
        status === 404
          ? 'check the link, and that the GitHub App is installed on that repository'
          : undefined,
      cause: error,
    });
  }
  const isPull = Boolean(issue.pull_request);

  /** A secondary piece that fails is left out (and logged); the run still gets the rest. */
  const optional = async <T>(what: string, fetch: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fetch();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      options.log?.warn(
        { err: error, ref: label },
        `GitHub context: ${what} unavailable: ${describeError(error)}`,
      );
      return undefined;
    }
  };
  const list = async <T>(pages: AsyncIterable<{ data: T[] }>): Promise<T[]> => {
    const items: T[] = [];
    for await (const page of pages) {
      items.push(...page.data);
      if (items.length >= maxComments) break;
    }
    return items.slice(0, maxComments);
  };

  const [comments, reviews, reviewComments, pull] = await Promise.all([
    optional('comments', () =>
      list(
        octokit.paginate.iterator(octokit.rest.issues.listComments, {
          owner,
          repo,
          issue_number: ref.number,
          per_page: 100,
          request,
        }),
      ),
    ),
    isPull
      ? optional('reviews', () =>
          list(
            octokit.paginate.iterator(octokit.rest.pulls.listReviews, {
              owner,
              repo,
              pull_number: ref.number,
              per_page: 100,
              request,
            }),
          ),
        )
      : undefined,
    isPull
      ? optional('review comments', () =>
          list(
            octokit.paginate.iterator(octokit.rest.pulls.listReviewComments, {
              owner,
              repo,
              pull_number: ref.number,
              per_page: 100,
              request,
            }),
          ),
        )
      : undefined,
    isPull
      ? optional('pull request', async () => {
          const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: ref.number, request });
          return data;
        })
      : undefined,
  ]);

  const [checkRuns, diff] = await Promise.all([
    pull
      ? optional('check runs', async () => {
          const { data } = await octokit.rest.checks.listForRef({
            owner,
            repo,
            ref: pull.head.sha,
            filter: 'latest',
            per_page: 100,
            request,
          });
          return data.check_runs;
        })
      : undefined,
    isPull
      ? optional('diff', async () => {
          const { data } = await octokit.rest.pulls.get({
            owner,
            repo,
            pull_number: ref.number,
            mediaType: { format: 'diff' },
            request,
          });
          // With the diff media type the body is the unified diff, not the JSON the types describe.
          return typeof data === 'string' ? data : String(data);
        })
      : undefined,
  ]);

  const subject: ContextDocument = {
    kind: isPull ? 'github-pull-request' : 'github-issue',
    title: `${isPull ? 'Pull request' : 'Issue'} ${label}: ${issue.title} (by @${issue.user?.login ?? 'unknown'})`,
    text: truncate(`${issue.title}\n\n${issue.body ?? ''}`.trim(), Math.floor(maxChars * SHARE.subject)),
    trusted: isRequester(issue.user?.login),
    url: issue.html_url,
  };

  const discussion = [
    ...(comments ?? []).map((comment) => commentDocument(comment, label, isRequester)),
    ...(reviews ?? []).flatMap((review) => reviewDocument(review, label, isRequester)),
    ...(reviewComments ?? []).map((comment) => reviewCommentDocument(comment, label, isRequester)),
  ];
  const discussionBudget = Math.floor(maxChars * SHARE.discussion);
  const { kept, dropped } = fitNewest(discussion, discussionBudget, Math.floor(discussionBudget / 2));
  if (dropped > 0) options.log?.debug({ ref: label, dropped }, 'GitHub context: oldest comments left out');

  const failing = (checkRuns ?? []).filter(
    (run) => run.conclusion && FAILING_CONCLUSIONS.has(run.conclusion),
  );
  const checksBudget = Math.floor(maxChars * SHARE.checks);
  const checks = failing.map((run) =>
    checkRunDocument(run, Math.floor(checksBudget / Math.max(failing.length, 1))),
  );

  const documents = [subject, ...kept, ...checks];
  if (diff !== undefined) {
    const room = Math.max(maxChars - totalChars(documents), 0);
    documents.push({
      kind: 'github-diff',
      title: `Diff of ${label}`,
      text: diff.trim() ? truncate(diff, room) : '(no changes)',
      trusted: false,
      url: pull?.html_url ? `${pull.html_url}/files` : undefined,
    });
  }
  return documents;
}

function commentDocument(
  comment: IssueComment,
  label: string,
  isRequester: (login: string | undefined) => boolean,
): ContextDocument {
  return {
    kind: 'github-comment',
    title: `Comment by @${comment.user?.login ?? 'unknown'} on ${label}`,
    text: comment.body ?? '',
    trusted: isRequester(comment.user?.login),
    url: comment.html_url,
  };
}

function reviewDocument(
  review: Review,
  label: string,
  isRequester: (login: string | undefined) => boolean,
): ContextDocument[] {
  // A review without a body only carries a state; its line comments arrive as review comments.
  if (!review.body?.trim()) return [];
  return [
    {
      kind: 'github-review',
      title: `Review (${review.state.toLowerCase().replace(/_/g, ' ')}) by @${review.user?.login ?? 'unknown'} on ${label}`,
      text: review.body,
      trusted: isRequester(review.user?.login),
      url: review.html_url,
    },
  ];
}

function reviewCommentDocument(
  comment: ReviewComment,
  label: string,
  isRequester: (login: string | undefined) => boolean,
): ContextDocument {
  const line = comment.line ?? comment.original_line;
  const where = line ? `${comment.path}:${line}` : comment.path;
  return {
    kind: 'github-review-comment',
    title: `Review comment by @${comment.user?.login ?? 'unknown'} on ${where} (${label})`,
    text: `File: ${comment.path}${line ? `, line ${line}` : ''}\n\n${comment.body}`,
    trusted: isRequester(comment.user?.login),
    url: comment.html_url,
  };
}

function checkRunDocument(run: CheckRun, limit: number): ContextDocument {
  const parts = [
    `Check run "${run.name}": ${run.conclusion}`,
    run.output.title ? `Title: ${run.output.title}` : '',
    run.output.summary ? `Summary:\n${run.output.summary}` : '',
    run.output.text ? `Details:\n${run.output.text}` : '',
  ].filter(Boolean);
  return {
    kind: 'github-check-run',
    title: `Failing check: ${run.name} (${run.conclusion})`,
    text: truncate(parts.join('\n'), limit),
    trusted: false,
    url: run.html_url ?? run.details_url ?? undefined,
  };
}
