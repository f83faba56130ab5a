import type { Config } from '../../config/schema.ts';
import { issueCommentPayload, reviewCommentPayload, reviewPayload } from './payload.ts';
import { mentionsBaton, reviewCommentContext, stripMention } from './request-text.ts';
import type { GitHubEvent, IgnoreReason } from './types.ts';

/** A comment that addresses Baton on a pull request of a configured repository. */
export interface GitHubCandidate {
  event: GitHubEvent;
  /** The repository's name as configured (`owner/name`). */
  repo: string;
  number: number;
  author: string;
  text: string;
  /** What the reporter reacts to and answers; a review body has no reaction endpoint, so none. */
  comment?: { id: number; kind: 'issue' | 'review' };
  /** The same comment reaching Baton through two webhooks (repository and organisation) runs once. */
  subjectKey: string;
  /** From the payload when it carries the pull request; issue_comment payloads do not. */
  head?: { ref: string; repo: string | null };
}

export type GitHubTrigger =
  | { type: 'ignore'; reason: IgnoreReason }
  | { type: 'malformed'; problem: string }
  | { type: 'candidate'; candidate: GitHubCandidate };

const ignore = (reason: IgnoreReason): GitHubTrigger => ({ type: 'ignore', reason });

interface Authored {
  body: string | null;
  user: { login: string; type?: string | undefined } | null;
}

/** The checks that need no network: action, repository, mention, author. */
function screen(
  config: Config,
  fullName: string,
  authored: Authored,
): { type: 'ok'; repo: string; author: string; text: string } | { type: 'ignore'; reason: IgnoreReason } {
  const configured = config.repos.find((repo) => repo.name.toLowerCase() === fullName.toLowerCase());
  if (!configured) return { type: 'ignore', reason: 'unknown_repository' };
  const body = authored.body ?? '';
  if (!mentionsBaton(body, config.github.mention)) return { type: 'ignore', reason: 'no_mention' };
  const author = authored.user?.login;
  if (
    !author ||
    authored.user?.type === 'Bot' ||
    author.endsWith('[bot]') ||
    author.toLowerCase() === config.github.botLogin.toLowerCase()
  ) {
    return { type: 'ignore', reason: 'bot_author' };
  }
  return { type: 'ok', repo: configured.name, author, text: stripMention(body, config.github.mention) };
}

/** Turns a verified webhook into a candidate request, or says why it is none of Baton's business. */
export function interpretGitHubEvent(event: GitHubEvent, body: unknown, config: Config): GitHubTrigger {
  switch (event) {
    case 'issue_comment': {
      const parsed = issueCommentPayload.safeParse(body);
      if (!parsed.success) return { type: 'malformed', problem: parsed.error.message };
      const payload = parsed.data;
      if (payload.action !== 'created') return ignore('action');
      if (!payload.issue.pull_request) return ignore('not_a_pull_request');
      const screened = screen(config, payload.repository.full_name, payload.comment);
      if (screened.type === 'ignore') return ignore(screened.reason);
      if (payload.issue.state === 'closed') return ignore('pull_request_closed');
      if (!screened.text) return ignore('empty_request');
      return {
        type: 'candidate',
        candidate: {
          event,
          repo: screened.repo,
          number: payload.issue.number,
          author: screened.author,
          text: screened.text,
          comment: { id: payload.comment.id, kind: 'issue' },
          subjectKey: `github-comment:${screened.repo.toLowerCase()}:issue:${payload.comment.id}`,
        },
      };
    }
    case 'pull_request_review_comment': {
      const parsed = reviewCommentPayload.safeParse(body);
      if (!parsed.success) return { type: 'malformed', problem: parsed.error.message };
      const payload = parsed.data;
      if (payload.action !== 'created') return ignore('action');
      const screened = screen(config, payload.repository.full_name, payload.comment);
      if (screened.type === 'ignore') return ignore(screened.reason);
      if (payload.pull_request.state === 'closed') return ignore('pull_request_closed');
      if (!screened.text) return ignore('empty_request');
      const { comment } = payload;
      const where = reviewCommentContext({
        path: comment.path,
        line: comment.line ?? comment.original_line,
        startLine: comment.start_line,
        diffHunk: comment.diff_hunk,
      });
      return {
        type: 'candidate',
        candidate: {
          event,
          repo: screened.repo,
          number: payload.pull_request.number,
          author: screened.author,
          text: `${screened.text}\n\n${where}`,
          comment: { id: comment.id, kind: 'review' },
          subjectKey: `github-comment:${screened.repo.toLowerCase()}:review:${comment.id}`,
          head: {
            ref: payload.pull_request.head.ref,
            repo: payload.pull_request.head.repo?.full_name ?? null,
          },
        },
      };
    }
    case 'pull_request_review': {
      const parsed = reviewPayload.safeParse(body);
      if (!parsed.success) return { type: 'malformed', problem: parsed.error.message };
      const payload = parsed.data;
      if (payload.action !== 'submitted') return ignore('action');
      const screened = screen(config, payload.repository.full_name, payload.review);
      if (screened.type === 'ignore') return ignore(screened.reason);
      if (payload.pull_request.state === 'closed') return ignore('pull_request_closed');
      if (!screened.text) return ignore('empty_request');
      const state = payload.review.state.toLowerCase().replace(/_/g, ' ');
      return {
        type: 'candidate',
        candidate: {
          event,
          repo: screened.repo,
          number: payload.pull_request.number,
          author: screened.author,
          text: `${screened.text}\n\n(This is the body of a review that ${state === 'commented' ? 'commented' : `is marked "${state}"`}; its line comments are in the pull request context.)`,
          subjectKey: `github-review:${screened.repo.toLowerCase()}:${payload.review.id}`,
          head: {
            ref: payload.pull_request.head.ref,
            repo: payload.pull_request.head.repo?.full_name ?? null,
          },
        },
      };
    }
  }
}
