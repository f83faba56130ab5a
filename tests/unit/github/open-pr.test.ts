import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenPrMiddleware } from '../../../middleware/open-pr.ts';
import { createMiddlewareRegistry } from '../../../middleware/registry.ts';
import type { MiddlewareContext, RequestInfo, StepRecord } from '../../../middleware/types.ts';
import { createGitHubPullRequests } from '../../../src/integrations/github/pull-requests.ts';
import type { Sandbox } from '../../../src/sandbox/types.ts';
import { FINISH, GIT } from '../middleware/harness.ts';
import { createGitHubHarness, type GitHubHarness, REPO_NAME } from './github-harness.ts';

const REQUEST: RequestInfo = {
  threadKey: 'C123:1700000000.000100',
  requester: '@alice',
  originUrl: 'https://acme.slack.com/archives/C123/p1700000000000100',
  originLabel: 'Slack thread in #widgets',
  linearIssueKey: 'ENG-123',
  runUrl: 'https://baton.acme.dev/runs/run-42',
};

const CHECKS: StepRecord[] = [
  { name: 'lint', status: 'passed', summary: 'npm run lint: no problems', command: 'npm run lint' },
  { name: 'test', status: 'passed', summary: 'npm test: 12 passed', command: 'npm test' },
  { name: 'secret-scan', status: 'passed', summary: 'No secrets in the added lines.' },
  { name: 'commit', status: 'passed', summary: 'Committed abc', commit: 'a'.repeat(40) },
];

describe('open-pr middleware', () => {
  let harness: GitHubHarness;
  let sandbox: Sandbox;
  const branch = 'baton/open-pr-1';

  beforeAll(async () => {
    harness = await createGitHubHarness({ 'src/app.js': 'export const version = 1;\n' }, { workflows: true });
    sandbox = await harness.sandboxOn(branch);
  });
  afterAll(async () => harness.cleanup());

  const context = (overrides: Partial<MiddlewareContext> = {}): MiddlewareContext => ({
    runId: 'run-42',
    sandbox,
    repo: harness.repo,
    branch,
    baseRef: 'main',
    finish: FINISH,
    git: GIT,
    requester: '@alice',
    previous: [],
    log: harness.log,
    signal: new AbortController().signal,
    secrets: [],
    host: {
      publish: async () => null,
      importWork: async () => null,
      pullRequests: createGitHubPullRequests({ client: harness.client, log: harness.log }),
      request: REQUEST,
    },
    ...overrides,
  });

  const pushAndRecord = async (): Promise<StepRecord[]> => {
    const published = await harness.publisher({
      exported: await sandbox.exportChanges(),
      repo: harness.repo,
      branch,
    });
    return [...CHECKS, { name: 'push', status: 'passed', summary: 'Pushed', url: published.location }];
  };

  it('is registered as `open-pr` and is not a feedback step', () => {
    const middleware = createMiddlewareRegistry().get('open-pr')?.({});
    expect(middleware).toMatchObject({ name: 'open-pr', feedback: false });
    expect(() => createOpenPrMiddleware({ tempalte: 'x' })).toThrow(
      expect.objectContaining({ code: 'middleware_options_invalid' }),
    );
  });

  it('skips when the repository is not on GitHub or the branch was not pushed', async () => {
    const notGitHub = await createOpenPrMiddleware().run(
      context({
        host: { publish: async () => null, importWork: async () => null, request: REQUEST },
        previous: CHECKS,
      }),
    );
    expect(notGitHub).toMatchObject({ status: 'skipped', summary: expect.stringContaining('not on GitHub') });
    const refused: StepRecord = { name: 'push', status: 'blocked', summary: 'Push refused' };
    const notPushed = await createOpenPrMiddleware().run(context({ previous: [...CHECKS, refused] }));
    expect(notPushed).toMatchObject({ status: 'skipped', summary: expect.stringContaining('not pushed') });
    expect(harness.github.repoState(REPO_NAME).pulls).toHaveLength(0);
  });

  it('opens a draft whose body has the checks, requester, origin, Fixes, run link and a workflows warning', async () => {
    await harness.commit(
      sandbox,
      { 'src/app.js': 'export const version = 2;\n', '.github/workflows/ci.yml': 'on: push\n' },
      'Bump version and add CI',
    );
    const previous = await pushAndRecord();
    const secret = `ghp_${'A1b2C3d4'.repeat(5)}`;
    const finish = { ...FINISH, prBody: `Bumps the version. Token seen: ${secret}` };
    const result = await createOpenPrMiddleware().run(context({ previous, finish }));
    const pulls = harness.github.repoState(REPO_NAME).pulls;
    expect(pulls).toHaveLength(1);
    const pull = pulls[0];
    expect(result).toEqual({
      status: 'passed',
      summary: expect.stringMatching(new RegExp(`^Draft PR #${pull?.number} opened: ${pull?.html_url}`)),
      url: pull?.html_url,
    });
    expect(pull).toMatchObject({
      draft: true,
      title: FINISH.prTitle,
      head: { ref: branch },
      base: { ref: 'main' },
    });
    const body = pull?.body ?? '';
    expect(body.indexOf('> [!WARNING]')).toBe(0);
    expect(body).toContain('`.github/workflows/ci.yml`');
    expect(body).toContain('Bumps the version.');
    expect(body).toContain('- **lint** `npm run lint`: passed — npm run lint: no problems');
    expect(body).toContain('- **test** `npm test`: passed — npm test: 12 passed');
    expect(body).toContain('- **secret-scan**: passed');
    expect(body).not.toContain('**commit**');
    expect(body).toContain(`Requested by @alice in [Slack thread in #widgets](${REQUEST.originUrl}).`);
    expect(body).toContain('Fixes ENG-123');
    expect(body).toContain(`[Baton run](${REQUEST.runUrl})`);
    expect(body).not.toContain(secret);
    expect(body).toContain('[redacted]');
    expect(body).not.toMatch(/\{\{|\n{3,}/);
  });

  it('updates the same pull request on a second turn', async () => {
    const number = harness.github.repoState(REPO_NAME).pulls[0]?.number;
    await harness.commit(sandbox, { 'src/app.js': 'export const version = 3;\n' }, 'Bump again');
    const previous = await pushAndRecord();
    const finish = { summary: 'Bump to 3.', prTitle: 'Bump to version 3', prBody: 'Second turn.' };
    const result = await createOpenPrMiddleware().run(
      context({
        previous,
        finish,
        host: { ...context().host, request: { threadKey: 't', requester: '@bob' } },
      }),
    );
    expect(result.summary).toMatch(new RegExp(`^Draft PR #${number} updated: `));
    const pulls = harness.github.repoState(REPO_NAME).pulls;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ number, title: 'Bump to version 3', draft: true });
    expect(pulls[0]?.body).toContain('Second turn.');
    expect(pulls[0]?.body).toContain('Requested by @bob.');
    expect(pulls[0]?.body).not.toContain('Fixes ENG-123');
    // The workflow file is still in the branch's diff against main, so the warning stays.
    expect(pulls[0]?.body).toContain('> [!WARNING]');
  });

  it('leaves the warning out when the branch does not touch workflows', async () => {
    const other = await harness.sandboxOn('baton/open-pr-2');
    await harness.commit(other, { 'docs.md': 'docs\n' });
    const published = await harness.publisher({
      exported: await other.exportChanges(),
      repo: harness.repo,
      branch: 'baton/open-pr-2',
    });
    const result = await createOpenPrMiddleware().run(
      context({
        sandbox: other,
        branch: 'baton/open-pr-2',
        previous: [{ name: 'push', status: 'passed', summary: 'Pushed', url: published.location }],
        environment: 'environment: setup failed (npm ci, exit 1)',
      }),
    );
    expect(result.status).toBe('passed');
    const pull = harness.github
      .repoState(REPO_NAME)
      .pulls.find((candidate) => candidate.head.ref === 'baton/open-pr-2');
    expect(pull?.body).not.toContain('WARNING');
    expect(pull?.body).toContain('No automated checks ran.');
    // The environment is part of how the work was checked: a failed setup explains failing checks.
    expect(pull?.body).toContain('- **environment**: setup failed (npm ci, exit 1)');
  });
});
