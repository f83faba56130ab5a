import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];
type IssueCommentCreated = Schemas['webhook-issue-comment-created'];
type ReviewCommentCreated = Schemas['webhook-pull-request-review-comment-created'];
type ReviewSubmitted = Schemas['webhook-pull-request-review-submitted'];
type WebhookRepository = Schemas['repository-webhooks'];

/** The parts of GitHub's webhook payloads the tests fill in, typed by GitHub's own schema. */
type User = Pick<NonNullable<IssueCommentCreated['comment']['user']>, 'login' | 'id' | 'type'>;
type Repository = Pick<WebhookRepository, 'full_name' | 'name' | 'id'>;
type Head = Pick<ReviewCommentCreated['pull_request']['head'], 'ref' | 'sha'> & {
  repo: Pick<NonNullable<ReviewCommentCreated['pull_request']['head']['repo']>, 'full_name'> | null;
};

export type IssueCommentFixture = Pick<IssueCommentCreated, 'action'> & {
  issue: Pick<IssueCommentCreated['issue'], 'number' | 'title' | 'state' | 'pull_request'>;
  comment: Pick<IssueCommentCreated['comment'], 'id' | 'body' | 'html_url'> & { user: User | null };
  repository: Repository;
  sender: User;
};

export type ReviewCommentFixture = Pick<ReviewCommentCreated, 'action'> & {
  comment: Pick<
    ReviewCommentCreated['comment'],
    'id' | 'body' | 'path' | 'line' | 'original_line' | 'start_line' | 'diff_hunk' | 'html_url' | 'side'
  > & { user: User };
  pull_request: Pick<ReviewCommentCreated['pull_request'], 'number' | 'state' | 'title'> & { head: Head };
  repository: Repository;
  sender: User;
};

export type ReviewFixture = Pick<ReviewSubmitted, 'action'> & {
  review: Pick<ReviewSubmitted['review'], 'id' | 'body' | 'state' | 'html_url'> & { user: User };
  pull_request: Pick<ReviewSubmitted['pull_request'], 'number' | 'state' | 'title'> & { head: Head };
  repository: Repository;
  sender: User;
};

export function user(login: string): User {
  return { login, id: login.length * 1000 + 7, type: login.endsWith('[bot]') ? 'Bot' : 'User' };
}

export function repository(fullName: string): Repository {
  return { full_name: fullName, name: fullName.split('/')[1] ?? fullName, id: 42 };
}

let nextCommentId = 900_000;

export function issueComment(input: {
  repo: string;
  number: number;
  login: string;
  body: string;
  commentId?: number;
  isPullRequest?: boolean;
}): IssueCommentFixture {
  const id = input.commentId ?? ++nextCommentId;
  return {
    action: 'created',
    issue: {
      number: input.number,
      title: 'A pull request',
      state: 'open',
      ...(input.isPullRequest === false
        ? {}
        : {
            pull_request: {
              url: `https://api.github.com/repos/${input.repo}/pulls/${input.number}`,
              html_url: `https://github.com/${input.repo}/pull/${input.number}`,
              diff_url: `https://github.com/${input.repo}/pull/${input.number}.diff`,
            },
          }),
    },
    comment: {
      id,
      body: input.body,
      html_url: `https://github.com/${input.repo}/pull/${input.number}#issuecomment-${id}`,
      user: user(input.login),
    },
    repository: repository(input.repo),
    sender: user(input.login),
  };
}

export function reviewComment(input: {
  repo: string;
  number: number;
  login: string;
  body: string;
  branch: string;
  headRepo?: string | null;
  commentId?: number;
  path?: string;
  line?: number;
  diffHunk?: string;
}): ReviewCommentFixture {
  const id = input.commentId ?? ++nextCommentId;
  return {
    action: 'created',
    comment: {
      id,
      body: input.body,
      path: input.path ?? 'src/widget.ts',
      line: input.line ?? 3,
      original_line: input.line ?? 3,
      start_line: null,
      side: 'RIGHT',
      diff_hunk:
        input.diffHunk ??
        '@@ -1,2 +1,3 @@\n export const a = 1;\n-export const b = 2;\n+export const bee = 2;',
      html_url: `https://github.com/${input.repo}/pull/${input.number}#discussion_r${id}`,
      user: user(input.login),
    },
    pull_request: {
      number: input.number,
      state: 'open',
      title: 'A pull request',
      head: {
        ref: input.branch,
        sha: 'a'.repeat(40),
        repo: input.headRepo === null ? null : { full_name: input.headRepo ?? input.repo },
      },
    },
    repository: repository(input.repo),
    sender: user(input.login),
  };
}

export function review(input: {
  repo: string;
  number: number;
  login: string;
  body: string | null;
  branch: string;
  state?: string;
}): ReviewFixture {
  const id = ++nextCommentId;
  return {
    action: 'submitted',
    review: {
      id,
      body: input.body,
      state: input.state ?? 'changes_requested',
      html_url: `https://github.com/${input.repo}/pull/${input.number}#pullrequestreview-${id}`,
      user: user(input.login),
    },
    pull_request: {
      number: input.number,
      state: 'open',
      title: 'A pull request',
      head: { ref: input.branch, sha: 'b'.repeat(40), repo: { full_name: input.repo } },
    },
    repository: repository(input.repo),
    sender: user(input.login),
  };
}
