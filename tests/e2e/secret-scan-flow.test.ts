import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeGitHub } from '../fakes/github-server.ts';
import { CHANNEL, createServerHarness, REPO, type ServerHarness, waitFor } from './server-harness.ts';

// Built from parts so this file itself does not look like it holds credentials.
const TOKEN = ['ghp', '_', 'Q7w2E9r4T1y6U3i8O5p0A2s7D4f9G1h6J3k8'].join('');
const COMMIT = 'git -c user.name=Agent -c user.email=agent@example.com -c commit.gpgsign=false commit -qm';

function remoteRefs(github: FakeGitHub): string {
  return github.git(REPO, 'for-each-ref', '--format=%(refname) %(objectname)');
}

describe('secret scan end to end: history, attributes, nothing leaves the host', () => {
  let harness: ServerHarness;
  let github: FakeGitHub;
  beforeAll(async () => {
    harness = await createServerHarness({
      github: true,
      config: {
        middleware: [{ name: 'commit' }, { name: 'secret-scan' }, { name: 'push' }, { name: 'open-pr' }],
      },
    });
    if (!harness.github) throw new Error('the harness has no fake GitHub');
    github = harness.github;
  });
  afterAll(async () => harness?.close());

  it('blocks a token committed and removed again, hidden behind `*.dat -diff`: the thread names it masked, nothing is pushed or kept', async () => {
    const before = remoteRefs(github);
    const script = [
      "printf '*.dat -diff\\n' > .gitattributes",
      `printf 'token=${TOKEN}\\n' > settings.dat`,
      `git add -A && ${COMMIT} 'add settings'`,
      'git rm -q settings.dat',
      `${COMMIT} 'remove settings'`,
      'git rev-parse HEAD~1',
    ].join(' && ');
    harness.model.enqueue(
      { type: 'tool_calls', calls: [{ name: 'run_command', arguments: { command: script } }] },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'finish',
            arguments: { summary: 'Tidied the settings.', pr_title: 'Tidy', pr_body: 'Tidy.' },
          },
        ],
      },
    );
    const { ts } = await harness.mention(`tidy the settings repo:${REPO}`);
    await waitFor('the final reaction', () =>
      harness.slack.reactions(CHANNEL, ts).some((name) => name === 'white_check_mark' || name === 'x'),
    );
    expect(harness.model.scriptErrors).toEqual([]);
    expect(harness.slack.reactions(CHANNEL, ts)).toContain('x');
    const thread = harness
      .botMessages(ts)
      .map((message) => message.text)
      .join('\n');
    expect(thread).toContain('Blocked by secret-scan');
    expect(thread).toMatch(
      /settings\.dat:1 \(github, github-token\) ghp_\*{8} \(40 chars\) in commit [0-9a-f]{12}/,
    );
    expect(thread).toContain('the commits that hold it were not kept');
    expect(JSON.stringify(harness.slack.calls)).not.toContain(TOKEN.slice(4, 16));

    // Nothing left the host, and the host kept nothing of it: no new ref, no object in the mirror.
    expect(remoteRefs(github)).toBe(before);
    expect(github.repoState(REPO).pulls).toEqual([]);
    const [run] = await harness.runs();
    const mirror = join(harness.dataDir, 'mirrors', 'acme__calculator.git');
    expect(existsSync(mirror)).toBe(true);
    const { execFileSync } = await import('node:child_process');
    const refs = execFileSync('git', ['--git-dir', mirror, 'for-each-ref', '--format=%(refname)'], {
      encoding: 'utf8',
    });
    expect(refs).not.toContain(`refs/baton/${run?.thread.branch}`);
    const objects = execFileSync('git', ['--git-dir', mirror, 'cat-file', '--batch-all-objects', '--batch'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(objects.includes(Buffer.from(TOKEN))).toBe(false);
  });
});
