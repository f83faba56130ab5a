import type { Octokit } from '@octokit/rest';
import { BatonError, describeError } from '../../observability/errors.ts';
import type { Logger } from '../../observability/logger.ts';
import { type KnownSecrets, redactSecrets } from '../../observability/redact.ts';
import type { Reporter } from '../../runs/reporter.ts';
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
}

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

  const clean = (text: string) => fitComment(redactSecrets(text, options.secrets ?? []));

  async function post(body: string): Promise<void> {
    const text = clean(body);
    if (inReviewThread && options.commentId !== undefined) {
      await octokit.rest.pulls.createReplyForReviewComment({
        owner,
        repo,
        pull_number: options.number,
        comment_id: options.commentId,
        body: text,
      });
      return;
    }
    await octokit.rest.issues.createComment({ owner, repo, issue_number: options.number, body: text });
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
      try {
        await post(formatFinishComment(outcome, runUrl ? { runUrl } : {}));
      } catch (error) {
        // The turn is already recorded; a lost closing comment must not turn it into a crash.
        log.error({ err: error, status: outcome.status }, 'could not post the closing comment');
      }
    },
  };
}
