import { gitAsync } from './github-git.ts';
import {
  callerLogin,
  type FakeGitHubWorld,
  isoTime,
  notFound,
  type Route,
  type RouteResult,
  record,
  validationFailed,
} from './github-router.ts';
import { type FakePullRequest, type FakeRepoState, fakeUser, nextId } from './github-state.ts';

function page<T>(items: readonly T[], query: Record<string, string>): T[] {
  const perPage = Math.min(Number(query.per_page ?? 30) || 30, 100);
  const pageNumber = Math.max(Number(query.page ?? 1) || 1, 1);
  return items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
}

const isDiff = (accept: string) => /application\/vnd\.github(\.v3)?\.diff/.test(accept);

async function branchSha(repo: FakeRepoState, branch: string): Promise<string | undefined> {
  const resolved = await gitAsync(repo.barePath, [
    'rev-parse',
    '--verify',
    '--quiet',
    `refs/heads/${branch}`,
  ]);
  return resolved.code === 0 ? resolved.stdout : undefined;
}

/** Creates a pull request the way GitHub validates one: existing head and base, new commits, no duplicate. */
async function createPull(
  world: FakeGitHubWorld,
  repo: FakeRepoState,
  input: Record<string, unknown>,
  author: string,
): Promise<RouteResult> {
  const headInput = String(input.head ?? '');
  const base = String(input.base ?? '');
  const title = typeof input.title === 'string' ? input.title : '';
  const [headOwner, headBranch] = headInput.includes(':') ? headInput.split(':', 2) : [repo.owner, headInput];
  if (!title) return validationFailed('title is missing');
  if (headOwner !== repo.owner) return validationFailed(`head ${headInput} is not in ${repo.fullName}`);
  const headSha = await branchSha(repo, headBranch ?? '');
  const baseSha = await branchSha(repo, base);
  if (!headSha)
    return validationFailed(`head sha can't be blank; No commits between ${base} and ${headBranch}`);
  if (!baseSha) return validationFailed('base is invalid');
  const label = `${repo.owner}:${headBranch}`;
  if (
    repo.pulls.some((pull) => pull.state === 'open' && pull.head.label === label && pull.base.ref === base)
  ) {
    return validationFailed(`A pull request already exists for ${label}.`);
  }
  const ahead = await gitAsync(repo.barePath, ['rev-list', '--count', `${baseSha}..${headSha}`]);
  if (ahead.stdout === '0') return validationFailed(`No commits between ${base} and ${headBranch}`);
  const number = repo.nextNumber++;
  const at = isoTime(world.now());
  const fullName = { full_name: repo.fullName };
  const pull: FakePullRequest = {
    id: nextId(),
    number,
    url: `${world.apiUrl}/repos/${repo.fullName}/pulls/${number}`,
    html_url: `${world.webUrl}/${repo.fullName}/pull/${number}`,
    diff_url: `${world.webUrl}/${repo.fullName}/pull/${number}.diff`,
    state: 'open',
    title,
    body: typeof input.body === 'string' ? input.body : null,
    draft: input.draft === true,
    merged: false,
    created_at: at,
    updated_at: at,
    user: fakeUser(author),
    head: { ref: headBranch ?? '', sha: headSha, label, repo: fullName },
    base: { ref: base, sha: baseSha, label: `${repo.owner}:${base}`, repo: fullName },
  };
  repo.pulls.push(pull);
  return { status: 201, json: pull };
}

/** Refreshes the head and base commits from the bare repository (pushes move them). */
async function current(repo: FakeRepoState, pull: FakePullRequest): Promise<FakePullRequest> {
  pull.head.sha = (await branchSha(repo, pull.head.ref)) ?? pull.head.sha;
  pull.base.sha = (await branchSha(repo, pull.base.ref)) ?? pull.base.sha;
  return pull;
}

/** Pulls, their diff, reviews and review comments. */
export function pullRoutes(world: FakeGitHubWorld): Route[] {
  const find = (repo: FakeRepoState, number: string | undefined) =>
    repo.pulls.find((pull) => pull.number === Number(number));
  return [
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls',
      auth: 'token',
      handle: async ({ repo, query }) => {
        const state = query.state ?? 'open';
        // Like GitHub: a head without `owner:` is not a filter at all.
        const head = query.head?.includes(':') ? query.head : undefined;
        const matching = repo.pulls.filter(
          (pull) =>
            (state === 'all' || pull.state === state) &&
            (head === undefined || pull.head.label === head) &&
            (query.base === undefined || pull.base.ref === query.base),
        );
        const sorted = [...matching].sort((left, right) => right.number - left.number);
        return {
          status: 200,
          json: await Promise.all(page(sorted, query).map((pull) => current(repo, pull))),
        };
      },
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/pulls',
      auth: 'token',
      handle: ({ repo, body, caller }) => createPull(world, repo, record(body), callerLogin(world, caller)),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number',
      auth: 'token',
      handle: async ({ repo, params, accept }) => {
        const pull = find(repo, params.number);
        if (!pull) return notFound();
        await current(repo, pull);
        if (!isDiff(accept)) return { status: 200, json: pull };
        const diff = await gitAsync(repo.barePath, ['diff', `${pull.base.sha}...${pull.head.sha}`]);
        return {
          status: 200,
          text: `${diff.stdout}\n`,
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        };
      },
    },
    {
      method: 'PATCH',
      pattern: '/repos/:owner/:repo/pulls/:number',
      auth: 'token',
      handle: async ({ repo, params, body }) => {
        const pull = find(repo, params.number);
        if (!pull) return notFound();
        const input = record(body);
        // `draft` is not an updatable field: GitHub ignores it here (it takes a GraphQL mutation).
        if (typeof input.title === 'string') pull.title = input.title;
        if (typeof input.body === 'string') pull.body = input.body;
        if (input.state === 'open' || input.state === 'closed') pull.state = input.state;
        pull.updated_at = isoTime(world.now());
        return { status: 200, json: await current(repo, pull) };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number/reviews',
      auth: 'token',
      handle: ({ repo, params, query }) => ({
        status: 200,
        json: page(
          repo.reviews.filter((review) => review.pull_number === Number(params.number)),
          query,
        ),
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/pulls/:number/comments',
      auth: 'token',
      handle: ({ repo, params, query }) => ({
        status: 200,
        json: page(
          repo.reviewComments.filter((comment) => comment.pull_number === Number(params.number)),
          query,
        ),
      }),
    },
    {
      method: 'POST',
      pattern: '/repos/:owner/:repo/pulls/:number/comments/:commentId/replies',
      auth: 'token',
      handle: ({ repo, params, body, caller }) => {
        const pull = find(repo, params.number);
        const parent = repo.reviewComments.find((comment) => comment.id === Number(params.commentId));
        if (!pull || !parent) return notFound();
        const text = record(body).body;
        if (typeof text !== 'string' || !text)
          return validationFailed('body is missing', 'PullRequestReviewComment');
        const at = isoTime(world.now());
        const id = nextId();
        const reply = {
          ...parent,
          id,
          body: text,
          in_reply_to_id: parent.in_reply_to_id ?? parent.id,
          html_url: `${pull.html_url}#discussion_r${id}`,
          created_at: at,
          updated_at: at,
          user: fakeUser(callerLogin(world, caller)),
        };
        repo.reviewComments.push(reply);
        return { status: 201, json: reply };
      },
    },
  ];
}
