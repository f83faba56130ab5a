import type { components } from '@octokit/openapi-types';

type Schemas = components['schemas'];

/** The parts of GitHub's own payload types the fake fills in (the SDK's field names and types). */
export type FakeUser = Pick<Schemas['simple-user'], 'login' | 'id' | 'type' | 'html_url'>;
export type FakePullRequest = Pick<
  Schemas['pull-request'],
  | 'id'
  | 'number'
  | 'url'
  | 'html_url'
  | 'diff_url'
  | 'state'
  | 'title'
  | 'body'
  | 'draft'
  | 'merged'
  | 'created_at'
  | 'updated_at'
> & {
  user: FakeUser;
  head: { ref: string; sha: string; label: string; repo: { full_name: string } };
  base: { ref: string; sha: string; label: string; repo: { full_name: string } };
};
export type FakeIssue = Pick<
  Schemas['issue'],
  'id' | 'number' | 'html_url' | 'state' | 'title' | 'body' | 'created_at' | 'updated_at'
> & {
  user: FakeUser;
  labels: { name: string }[];
  pull_request?: { url: string; html_url: string };
};
export type FakeIssueComment = Pick<
  Schemas['issue-comment'],
  'id' | 'html_url' | 'body' | 'created_at' | 'updated_at' | 'issue_url'
> & { user: FakeUser };
export type FakeReviewComment = Pick<
  Schemas['pull-request-review-comment'],
  | 'html_url'
  | 'body'
  | 'path'
  | 'diff_hunk'
  | 'commit_id'
  | 'in_reply_to_id'
  | 'pull_request_review_id'
  | 'created_at'
  | 'updated_at'
  | 'line'
> & { id: number; user: FakeUser; pull_number: number };
export type FakeReview = Pick<
  Schemas['pull-request-review'],
  'id' | 'body' | 'state' | 'html_url' | 'commit_id' | 'submitted_at'
> & { user: FakeUser; pull_number: number };
export type FakeCheckRun = Pick<
  Schemas['check-run'],
  'id' | 'name' | 'head_sha' | 'status' | 'conclusion' | 'html_url' | 'details_url'
> & { output: { title: string | null; summary: string | null; text: string | null } };
export type FakeReaction = Pick<Schemas['reaction'], 'id' | 'content' | 'created_at'> & {
  user: FakeUser;
  subject: string;
};

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface FakeRepoState {
  owner: string;
  name: string;
  fullName: string;
  id: number;
  defaultBranch: string;
  barePath: string;
  pulls: FakePullRequest[];
  issues: FakeIssue[];
  issueComments: FakeIssueComment[];
  reviewComments: FakeReviewComment[];
  reviews: FakeReview[];
  checkRuns: FakeCheckRun[];
  reactions: FakeReaction[];
  permissions: Map<string, Permission>;
  protectedBranches: Set<string>;
  nextNumber: number;
}

export interface IssuedToken {
  token: string;
  installationId: number;
  /** The repository names the token was narrowed to, as asked (undefined: every repository). */
  repositories?: string[];
  permissions?: Record<string, string>;
  expiresAt: number;
  revoked: boolean;
}

export interface RecordedGitHubRequest {
  kind: 'rest' | 'git';
  method: string;
  /** Without the API prefix (`/repos/o/r/pulls`) or, for git, the repository path. */
  path: string;
  query: Record<string, string>;
  authorization?: string;
  accept?: string;
  body: unknown;
  status?: number;
}

let nextGlobalId = 1000;
/** Ids unique across every fake instance, like GitHub's global ids. */
export function nextId(): number {
  nextGlobalId += 1;
  return nextGlobalId;
}

export function fakeUser(login: string): FakeUser {
  return {
    login,
    id: [...login].reduce((sum, character) => sum * 31 + character.charCodeAt(0), 7) % 1_000_000,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    html_url: `https://github.com/${login}`,
  };
}

/** GitHub folds roles into the legacy `permission` field: maintain→write, triage→read. */
export function legacyPermission(role: Permission): string {
  if (role === 'maintain') return 'write';
  if (role === 'triage') return 'read';
  return role;
}
