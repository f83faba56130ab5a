import type { Octokit } from '@octokit/rest';
import { BatonError, describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { type KnownSecrets, redactSecrets } from '../../observability/redact.ts';
import { deliverOnce, type FinalDeliveryResult, type FinalLedger } from '../../runs/deliver-once.ts';
import type { Reporter } from '../../runs/reporter.ts';
import { createMemoryFinalLedger } from '../../store/final-ledger.ts';
import { splitRepo } from './repo-name.ts';
import { fitComment, formatFinishComment, formatQuestion } from './reporter-format.ts';

export interface GitHubReporterOptions {
  octokitFor: (repo: string) => Octokit;
  repo: string;
  /** The pull request (or issue) number. */
  number: number;
  /** The comment that asked: it gets the 👀 reaction. */
  commentId?: number;
  /** `review`: a comment on the diff, answered in its review thread and nowhere else. Default `issue`. */
  commentKind?: 'issue' | 'review';
  log: Logger;
  /** Known secret values masked in everything posted (shape-based redaction always applies). */
  secrets?: KnownSecrets;
  /** The word people answer a question with (config.github.mention). */
  mention?: string;
  /** The dashboard link for a run, when the server has a public URL. */
  runUrl?: (runId: string) => string | undefined;
  /** The turn reported; its id marks the closing comment (found again after a crash). */
  turnId?: string;
  /** The closing comment's ledger (claim, confirm, release for a retry); in memory when absent. */
  finals?: FinalLedger;
  /** Told how each attempt at the closing comment ended (for metrics). */
  onFinalResult?: (result: FinalDeliveryResult) => void;
}

/** The hidden marker in a closing comment: names the turn, so it is never posted twice. */
export function finalMarker(turnId: string): string {
  return `<!-- baton:final:${turnId} -->`;
}

const isStatus = (error: unknown, status: number) =>
  typeof error === 'object' && error !== null && (error as { status?: unknown }).status === status;

/**
 * Reports a run on a pull request. GitHub has no cheap status line, so progress stays quiet: a 👀 on
 * the asking comment, the agent's replies and questions, and exactly one closing comment.
 */
export function createGitHubReporter(options: GitHubReporterOptions): Reporter {
  const { owner, name: repo } = splitRepo(options.repo);
  const octokit = options.octokitFor(options.repo);
  const log = options.log.child({ component: 'github-reporter', repo: options.repo, number: options.number });
  const inReviewThread = options.commentKind === 'review' && options.commentId !== undefined;
  const mention = options.mention ?? '@baton';
  let runUrl: string | undefined;
  let finished = false;
  const fallbackLedger = createMemoryFinalLedger();

  const clean = (text: string) => fitComment(redactSecrets(text, options.secrets ?? []));

  /**
   * In the review thread when asked there; a thread GitHub no longer has (404: the comment was
   * deleted or outdated away) falls back to a comment on the pull request, so the answer still lands.
   */
  async function post(body: string, marker = ''): Promise<void> {
    const text = `${clean(body)}${marker ? `\n\n${marker}` : ''}`;
    if (inReviewThread && options.commentId !== undefined) {
      try {
        await octokit.rest.pulls.createReplyForReviewComment({
          owner,
          repo,
          pull_number: options.number,
          comment_id: options.commentId,
          body: text,
        });
        return;
      } catch (error) {
        if (!isStatus(error, 404)) throw error;
        log.warn(
          { commentId: options.commentId },
          'the review thread is gone (404); answering in a pull request comment instead',
        );
      }
    }
    await octokit.rest.issues.createComment({ owner, repo, issue_number: options.number, body: text });
  }

  /** Whether a comment with this marker is on the pull request or in its review threads already. */
  async function markerPosted(marker: string): Promise<boolean> {
    const inIssue = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: options.number,
      per_page: 100,
    });
    if (inIssue.some((comment) => comment.body?.includes(marker))) return true;
    if (!inReviewThread) return false;
    const inReview = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
      owner,
      repo,
      pull_number: options.number,
      per_page: 100,
    });
    return inReview.some((comment) => comment.body.includes(marker));
  }

  async function postOrThrow(body: string, what: string): Promise<void> {
    try {
      await post(body);
    } catch (error) {
      throw new BatonError({
        code: 'github.comment_failed',
        message: `Could not post the ${what} on ${options.repo}#${options.number}: ${describeError(error)}`,
        retryable: true,
        hint: 'the GitHub App needs write access to pull requests and issues',
        cause: error,
      });
    }
  }

  return {
    async start(info) {
      runUrl = options.runUrl?.(info.runId);
      const commentId = options.commentId;
      if (commentId === undefined) return;
      try {
        // Adding the same reaction twice answers 200 with the existing one: a resumed run is harmless.
        if (options.commentKind === 'review') {
          await octokit.rest.reactions.createForPullRequestReviewComment({
            owner,
            repo,
            comment_id: commentId,
            content: 'eyes',
          });
        } else {
          await octokit.rest.reactions.createForIssueComment({
            owner,
            repo,
            comment_id: commentId,
            content: 'eyes',
          });
        }
      } catch (error) {
        log.warn({ err: error, commentId }, 'could not add the eyes reaction');
      }
    },
    progress() {
      // Deliberately quiet: every update would be a notification for everyone watching the PR.
    },
    async reply(text) {
      await postOrThrow(text, 'reply');
    },
    async ask(question) {
      await postOrThrow(formatQuestion(question, mention), 'question');
      return { type: 'deferred' };
    },
    async finish(outcome) {
      if (finished) return;
      finished = true;
      const marker = options.turnId ? finalMarker(options.turnId) : '';
      await deliverOnce({
        ledger: options.finals ?? fallbackLedger,
        outcome,
        findPosted: () => (marker ? markerPosted(marker) : Promise.resolve(false)),
        post: () => post(formatFinishComment(outcome, runUrl ? { runUrl } : {}), marker),
        log,
        onResult: options.onFinalResult,
      });
    },
  };
}
