import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gitSync } from './github-git.ts';
import { type FakeGitHubWorld, isoTime } from './github-router.ts';
import {
  type FakeCheckRun,
  type FakeIssue,
  type FakeIssueComment,
  type FakePullRequest,
  type FakeRepoState,
  type FakeReview,
  type FakeReviewComment,
  fakeUser,
  nextId,
} from './github-state.ts';

/** Test-side helpers that put state in the fake the way people and CI would. */
export function createSeeders(world: FakeGitHubWorld, repoOf: (repo: string) => FakeRepoState) {
  const at = () => isoTime(world.now());
  return {
    /** Commits files on `branch` (created from `from`, default the default branch) in the bare repo. */
    commitFiles(
      repo: string,
      input: { branch: string; files: Record<string, string>; from?: string; message?: string },
    ): string {
      const state = repoOf(repo);
      const work = mkdtempSync(join(tmpdir(), 'fake-github-commit-'));
      try {
        gitSync(work, ['init', '-q']);
        gitSync(work, ['fetch', '-q', '--', state.barePath, `+refs/heads/*:refs/remotes/origin/*`]);
        const exists = gitSync(state.barePath, ['branch', '--list', input.branch]) !== '';
        const start = exists ? input.branch : (input.from ?? state.defaultBranch);
        gitSync(work, ['checkout', '-q', '-b', 'work', `refs/remotes/origin/${start}`]);
        for (const [file, content] of Object.entries(input.files)) {
          mkdirSync(dirname(join(work, file)), { recursive: true });
          writeFileSync(join(work, file), content);
        }
        gitSync(work, ['add', '-A']);
        gitSync(work, ['commit', '-q', '--allow-empty', '-m', input.message ?? `Update ${input.branch}`]);
        const sha = gitSync(work, ['rev-parse', 'HEAD']);
        gitSync(state.barePath, ['fetch', '-q', '--', work, `+refs/heads/work:refs/heads/${input.branch}`]);
        return sha;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    /** A pull request opened by someone (not through the API), e.g. a person's PR Baton is asked about. */
    addPullRequest(
      repo: string,
      input: { head: string; base?: string; title: string; body?: string; user?: string; draft?: boolean },
    ): FakePullRequest {
      const state = repoOf(repo);
      const base = input.base ?? state.defaultBranch;
      const number = state.nextNumber++;
      const sha = (branch: string) => gitSync(state.barePath, ['rev-parse', `refs/heads/${branch}`]);
      const fullName = { full_name: state.fullName };
      const pull: FakePullRequest = {
        id: nextId(),
        number,
        url: `${world.apiUrl}/repos/${state.fullName}/pulls/${number}`,
        html_url: `${world.webUrl}/${state.fullName}/pull/${number}`,
        diff_url: `${world.webUrl}/${state.fullName}/pull/${number}.diff`,
        state: 'open',
        title: input.title,
        body: input.body ?? null,
        draft: input.draft ?? false,
        merged: false,
        created_at: at(),
        updated_at: at(),
        user: fakeUser(input.user ?? 'octo-human'),
        head: {
          ref: input.head,
          sha: sha(input.head),
          label: `${state.owner}:${input.head}`,
          repo: fullName,
        },
        base: { ref: base, sha: sha(base), label: `${state.owner}:${base}`, repo: fullName },
      };
      state.pulls.push(pull);
      return pull;
    },
    addIssue(
      repo: string,
      input: { title: string; body?: string; user?: string; labels?: string[] },
    ): FakeIssue {
      const state = repoOf(repo);
      const number = state.nextNumber++;
      const issue: FakeIssue = {
        id: nextId(),
        number,
        html_url: `${world.webUrl}/${state.fullName}/issues/${number}`,
        state: 'open',
        title: input.title,
        body: input.body ?? null,
        user: fakeUser(input.user ?? 'octo-human'),
        labels: (input.labels ?? []).map((name) => ({ name })),
        created_at: at(),
        updated_at: at(),
      };
      state.issues.push(issue);
      return issue;
    },
    addIssueComment(repo: string, number: number, input: { user: string; body: string }): FakeIssueComment {
      const state = repoOf(repo);
      const id = nextId();
      const comment: FakeIssueComment = {
        id,
        body: input.body,
        html_url: `${world.webUrl}/${state.fullName}/pull/${number}#issuecomment-${id}`,
        issue_url: `${world.apiUrl}/repos/${state.fullName}/issues/${number}`,
        created_at: at(),
        updated_at: at(),
        user: fakeUser(input.user),
      };
      state.issueComments.push(comment);
      return comment;
    },
    addReviewComment(
      repo: string,
      number: number,
      input: {
        user: string;
        body: string;
        path: string;
        line?: number;
        diffHunk?: string;
        inReplyTo?: number;
      },
    ): FakeReviewComment {
      const state = repoOf(repo);
      const pull = state.pulls.find((candidate) => candidate.number === number);
      const id = nextId();
      const comment: FakeReviewComment = {
        id,
        pull_number: number,
        body: input.body,
        path: input.path,
        line: input.line,
        diff_hunk: input.diffHunk ?? '@@ -1 +1 @@',
        commit_id: pull?.head.sha ?? '',
        in_reply_to_id: input.inReplyTo,
        pull_request_review_id: null,
        html_url: `${world.webUrl}/${state.fullName}/pull/${number}#discussion_r${id}`,
        created_at: at(),
        updated_at: at(),
        user: fakeUser(input.user),
      };
      state.reviewComments.push(comment);
      return comment;
    },
    addReview(
      repo: string,
      number: number,
      input: { user: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'; body?: string },
    ): FakeReview {
      const state = repoOf(repo);
      const pull = state.pulls.find((candidate) => candidate.number === number);
      const id = nextId();
      const review: FakeReview = {
        id,
        pull_number: number,
        body: input.body ?? '',
        state: input.state,
        commit_id: pull?.head.sha ?? null,
        html_url: `${world.webUrl}/${state.fullName}/pull/${number}#pullrequestreview-${id}`,
        submitted_at: at(),
        user: fakeUser(input.user),
      };
      state.reviews.push(review);
      return review;
    },
    addCheckRun(
      repo: string,
      input: {
        headSha: string;
        name: string;
        status?: FakeCheckRun['status'];
        conclusion?: FakeCheckRun['conclusion'];
        summary?: string;
        text?: string;
      },
    ): FakeCheckRun {
      const state = repoOf(repo);
      const id = nextId();
      const run: FakeCheckRun = {
        id,
        name: input.name,
        head_sha: input.headSha,
        status: input.status ?? 'completed',
        conclusion: input.conclusion ?? 'success',
        html_url: `${world.webUrl}/${state.fullName}/runs/${id}`,
        details_url: `${world.webUrl}/${state.fullName}/actions/runs/${id}`,
        output: { title: input.name, summary: input.summary ?? null, text: input.text ?? null },
      };
      state.checkRuns.push(run);
      return run;
    },
  };
}

export type FakeGitHubSeeders = ReturnType<typeof createSeeders>;
