import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommitMessage, createCommitMiddleware } from '../../../middleware/commit.ts';
import type { MiddlewareContext } from '../../../middleware/types.ts';
import { isBatonError } from '../../../src/observability/errors.ts';
import { createHarness, FINISH, type Harness } from './harness.ts';

describe('commit middleware', () => {
  let harness: Harness;
  let context: MiddlewareContext;
  const commit = createCommitMiddleware();

  beforeAll(async () => {
    harness = await createHarness({
      'src/sum.mjs': 'export const sum = (a, b) => a + b + 1;\n',
      'README.md': '# x\n',
    });
    context = { ...harness.context(), previous: [] };
  });
  afterAll(async () => {
    await harness.cleanup();
  });

  it('builds the message from the PR title and the summary', () => {
    expect(buildCommitMessage({ prTitle: 'Fix sum', summary: 'It added one.\n' })).toBe(
      'Fix sum\n\nIt added one.\n',
    );
    expect(buildCommitMessage({ prTitle: '  ', summary: '\nFirst line\nmore' })).toBe(
      'First line\n\nFirst line\nmore\n',
    );
    expect(buildCommitMessage({ prTitle: '', summary: '' })).toBe('Changes by Baton\n');
  });

  it('makes exactly one commit with the configured author, the message, and exactly the changed files', async () => {
    const before = await harness.sh('git rev-parse HEAD');
    await harness.sandbox.writeFile('src/sum.mjs', 'export const sum = (a, b) => a + b;\n');
    await harness.sandbox.writeFile('src/new file.mjs', "export const name = 'new';\n");
    await harness.sh('mkdir -p .baton && echo scratch > .baton/notes.txt && git rm -q README.md');

    const result = await commit.run(context);
    expect(result.status).toBe('passed');
    const head = await harness.sh('git rev-parse HEAD');
    expect(result.commit).toBe(head);
    expect(result.summary).toBe(`Committed ${head.slice(0, 12)} on ${harness.branch}: Fix sum (3 files)`);

    expect(await harness.sh(`git rev-list --count ${before}..HEAD`)).toBe('1');
    expect(await harness.sh('git rev-parse HEAD~1')).toBe(before);
    expect(await harness.sh('git symbolic-ref --short HEAD')).toBe(harness.branch);
    expect(await harness.sh('git log -1 --format=%an%n%ae%n%cn%n%ce')).toBe(
      'Baton Test\nbaton-test@example.com\nBaton Test\nbaton-test@example.com',
    );
    expect(await harness.sh('git log -1 --format=%B')).toBe(`Fix sum\n\n${FINISH.summary}`);
    const files = (await harness.sh('git -c core.quotePath=false show --name-status --format= HEAD')).split(
      '\n',
    );
    expect(files.sort()).toEqual(['A\tsrc/new file.mjs', 'D\tREADME.md', 'M\tsrc/sum.mjs']);
    // The scratch directory stays out of the history and the workspace is clean apart from it.
    expect(await harness.sh('git status --porcelain --ignored=no')).toBe('');
    expect(await harness.sh('cat .baton/notes.txt')).toBe('scratch');
  });

  it('is skipped when there is nothing to commit', async () => {
    const head = await harness.sh('git rev-parse HEAD');
    const result = await commit.run(context);
    expect(result).toEqual({
      status: 'skipped',
      summary: 'Nothing to commit: the workspace has no changes since the last commit.',
    });
    expect(await harness.sh('git rev-parse HEAD')).toBe(head);
  });

  it('refuses to commit on another branch than the run branch', async () => {
    await harness.sh('git switch -q -c elsewhere && echo change >> src/sum.mjs');
    let caught: unknown;
    try {
      await commit.run(context);
    } catch (error) {
      caught = error;
    }
    await harness.sh(`git switch -q ${harness.branch}`);
    expect(isBatonError(caught) && caught.code).toBe('commit_wrong_branch');
    expect(isBatonError(caught) && caught.message).toContain('elsewhere');
    expect(await harness.sh('git rev-list --count elsewhere')).toBe(
      await harness.sh('git rev-list --count HEAD'),
    );
  });
});
