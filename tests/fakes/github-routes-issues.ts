import { gitAsync } from './github-git.ts';
import {
  type Caller,
  callerLogin,
  type FakeGitHubWorld,
  isoTime,
  notFound,
  type Route,
  type RouteResult,
  record,
  validationFailed,
} from './github-router.ts';
import { type FakeReaction, type FakeRepoState, fakeUser, nextId } from './github-state.ts';

const REACTIONS = new Set(['+1', '-1', 'laugh', 'confused', 'heart', 'hooray', 'rocket', 'eyes']);

function react(
  world: FakeGitHubWorld,
  repo: FakeRepoState,
  subject: string,
  body: unknown,
  caller: Caller,
): RouteResult {
  const content = record(body).content;
  if (typeof content !== 'string' || !REACTIONS.has(content))
    return validationFailed('content is invalid', 'Reaction');
  const login = callerLogin(world, caller);
  const existing = repo.reactions.find(
    (reaction) =>
      reaction.subject === subject && reaction.content === content && reaction.user.login === login,
  );
  // GitHub answers 200 with the existing reaction when the same user adds it twice.
  if (existing) return { status: 200, json: existing };
  const reaction: FakeReaction = {
    id: nextId(),
    content: content as FakeReaction['content'],
    created_at: isoTime(world.now()),
    user: fakeUser(login),
    subject,
  };
  repo.reactions.push(reaction);
  return { status: 201, json: reaction };
}

/** Issues, conversation comments, reactions and check runs. */
export function issueRoutes(world: FakeGitHubWorld): Route[] {
  const issueExists = (repo: FakeRepoState, number: number) =>
    repo.issues.some((issue) => issue.number === number) || repo.pulls.some((pull) => pull.number === number);
  return [
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/issues/:number',
      auth: 'token',
      handle: ({ repo, params }) => {
        const number = Number(params.number);
        const issue = repo.issues.find((candidate) => candidate.number === number);
        if (issue) return { status: 200, json: issue };
        const pull = repo.pulls.find((candidate) => candidate.number === number);
        if (!pull) return notFound();
        return {
          status: 200,
          json: {
            id: pull.id,
            number,
            html_url: pull.html_url,
            state: pull.state,
            title: pull.title,
            body: pull.body,
            user: pull.user,
            labels: [],
            created_at: pull.created_at,
            updated_at: pull.updated_at,
            pull_request: { url: pull.url, html_url: pull.html_url },
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/issues/:number/comments',
      auth: 'token',
      handle: ({ repo, params, query }) => {
        const issueUrl = `${world.apiUrl}/repos/${repo.fullName}/issues/${params.number}`;
        const perPage = Math.min(Number(query.per_page ?? 30) || 30, 100);
        const pageNumber = Math.max(Number(query.page ?? 1) || 1, 1);
        const comments = repo.issueComments.filter((comment) => comment.issue_url === issueUrl);
        return { status: 200, json: comments.slice((pageNumber - 1) * perPage, pageNumber * perPage) };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/issues/:number/comments',
      auth: 'token',
      handle: ({ repo, params, body, caller }) => {
        const number = Number(params.number);
        if (!issueExists(repo, number)) return notFound();
        const text = record(body).body;
        if (typeof text !== 'string' || !text) return validationFailed('body is missing', 'IssueComment');
        const id = nextId();
        const at = isoTime(world.now());
        const comment = {
          id,
          body: text,
          html_url: `${world.webUrl}/${repo.fullName}/pull/${number}#issuecomment-${id}`,
          issue_url: `${world.apiUrl}/repos/${repo.fullName}/issues/${number}`,
          created_at: at,
          updated_at: at,
          user: fakeUser(callerLogin(world, caller)),
        };
        repo.issueComments.push(comment);
        return { status: 201, json: comment };
      },
    },
    {
      method: 'PATCH',
      pattern: '/repos/:owner/:repo/issues/comments/:commentId',
      auth: 'token',
      handle: ({ repo, params, body }) => {
        const comment = repo.issueComments.find((candidate) => candidate.id === Number(params.commentId));
        if (!comment) return notFound();
        const text = record(body).body;
        if (typeof text === 'string') comment.body = text;
        comment.updated_at = isoTime(world.now());
        return { status: 200, json: comment };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/issues/comments/:commentId/reactions',
      auth: 'token',
      handle: ({ repo, params, body, caller }) =>
        repo.issueComments.some((comment) => comment.id === Number(params.commentId))
          ? react(world, repo, `issue-comment:${params.commentId}`, body, caller)
          : notFound(),
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/pulls/comments/:commentId/reactions',
      auth: 'token',
      handle: ({ repo, params, body, caller }) =>
        repo.reviewComments.some((comment) => comment.id === Number(params.commentId))
          ? react(world, repo, `review-comment:${params.commentId}`, body, caller)
          : notFound(),
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/issues/:number/reactions',
      auth: 'token',
      handle: ({ repo, params, body, caller }) =>
        issueExists(repo, Number(params.number))
          ? react(world, repo, `issue:${params.number}`, body, caller)
          : notFound(),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/commits/:ref/check-runs',
      auth: 'token',
      handle: async ({ repo, params }) => {
        const ref = params.ref ?? '';
        const resolved = await gitAsync(repo.barePath, [
          'rev-parse',
          '--verify',
          '--quiet',
          `${ref}^{commit}`,
        ]);
        const sha = resolved.code === 0 ? resolved.stdout : ref;
        const runs = repo.checkRuns.filter((run) => run.head_sha === sha);
        return { status: 200, json: { total_count: runs.length, check_runs: runs } };
      },
    },
  ];
}
