import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakes/github-server.ts';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, waitFor } from './server-harness.ts';

const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const finish = (summary: string) => ({
  name: 'finish',
  arguments: { summary, pr_title: summary, pr_body: summary },
});

/** One run that fixes add() and finishes with `summary`, asked in a new Slack thread. */
async function fixInNewThread(harness: ServerHarness, summary: string) {
  harness.model.enqueue(
    { type: 'tool_calls', calls: [readMath] },
    { type: 'tool_calls', calls: [fixAdd] },
    { type: 'tool_calls', calls: [finish(summary)] },
  );
  const { ts } = await harness.mention(`please fix the add test repo:${REPO}`);
  await waitFor('the final reaction', () =>
    harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
  );
  return { ts };
}

describe('delivery under GitHub faults (baton start in-process, fake GitHub)', () => {
  let harness: ServerHarness;
  let github: FakeGitHub;
  const pullsPath = `/repos/${REPO}/pulls`;

  beforeAll(async () => {
    harness = await createServerHarness({ github: true });
    if (!harness.github) throw new Error('the harness has no fake GitHub');
    github = harness.github;
  });
  afterAll(async () => harness?.close());

  it('one 502 on creating the pull request: retried, the PR opened, the final reply links it', async () => {
    github.failNext('POST', pullsPath, 502, 1);
    const { ts } = await fixInNewThread(harness, 'add() adds after a 502.');
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('white_check_mark');
    const creations = github.requests.filter(
      (request) => request.method === 'POST' && request.path === pullsPath,
    );
    expect(creations.map((request) => request.status)).toEqual([502, 201]);
    const pulls = github.repoState(REPO).pulls;
    expect(pulls).toHaveLength(1);
    const finals = harness
      .botMessages(ts)
      .filter((message) => message.text.includes('add() adds after a 502.'));
    expect(finals).toHaveLength(1);
    expect(finals[0]?.text).toContain(pulls[0]?.html_url);
  });

  it('a pull request GitHub keeps refusing: the reply says the branch is pushed and why there is no PR', async () => {
    github.failNext('POST', pullsPath, 502, 20);
    const { ts } = await fixInNewThread(harness, 'add() adds, PR refused.');
    github.failNext('POST', pullsPath, 502, 0);
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('x');
    const runs = await harness.runs();
    const branch = runs[0]?.thread.branch ?? '';
    // The branch is on GitHub; the pull request is not.
    expect(github.git(REPO, 'diff', `main..${branch}`)).toContain('+  return a + b;');
    expect(github.repoState(REPO).pulls.filter((pull) => pull.head.ref === branch)).toHaveLength(0);
    const [final] = harness.botMessages(ts).filter((message) => message.text.includes(branch));
    expect(final?.text).toContain(`pushed to ${branch}`);
    expect(final?.text).toContain('the pull request could not be opened');
    expect(final?.text).not.toMatch(/not pushed|No changes were committed/);
  });
});
