import { afterEach, describe, expect, it } from 'vitest';
import { type CliHarness, createCliHarness, HOST_SECRETS, reportedBranch } from './cli-harness.ts';

const finish = (summary: string) => ({
  name: 'finish',
  arguments: { summary, pr_title: 'Fix add()', pr_body: `${summary}\n\nTested with npm test.` },
});

/** The text of every message the model was sent in one request. */
function requestText(body: unknown): string {
  return JSON.stringify(body);
}

describe('baton run (end to end, scripted model)', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('fixes a failing test: read, grep, edit, test, finish; lint and test pass; one commit with exactly the fix', async () => {
    harness = await createCliHarness();
    harness.model.enqueue(
      {
        type: 'tool_calls',
        calls: [
          { name: 'read_file', arguments: { path: 'src/math.js' } },
          { name: 'grep', arguments: { pattern: 'add\\(' } },
        ],
      },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'edit_file',
            arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
          },
        ],
      },
      { type: 'tool_calls', calls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
      { type: 'tool_calls', calls: [finish('add() subtracted instead of adding; it adds now.')] },
    );

    const run = await harness.run('The add test fails, please fix it');

    expect(run.err).toEqual([]);
    expect(run.exitCode).toBe(0);
    const branch = reportedBranch(run);
    expect(branch).toMatch(/^baton\/[0-9a-f]{12}$/);
    const commits = harness.branchCommits(branch);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toContain('Fix add()');
    expect(harness.repo.git('diff', '--stat', `main..${branch}`)).toMatch(
      /src\/math\.js \| 2 \+-\n 1 file changed/,
    );
    const diff = harness.repo.git('diff', `main..${branch}`);
    expect(diff).toContain('-  return a - b;');
    expect(diff).toContain('+  return a + b;');
    // The user's checkout is untouched.
    expect(harness.repo.git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(harness.repo.git('status', '--porcelain')).toBe('');

    const requests = harness.model.requests;
    expect(requests).toHaveLength(4);
    expect(requestText(requests[0]?.body)).toContain('Run `npm test` before finishing'); // AGENTS.md
    expect(requestText(requests[1]?.body)).toContain('return a - b'); // read_file result reached the model
    expect(requestText(requests[1]?.body)).toContain('Instructions from src/AGENTS.md'); // nested AGENTS.md, once
    expect(requestText(requests[0]?.body)).not.toContain('Code in src/ must not log');
    expect(requestText(requests[3]?.body)).toMatch(/pass 2/); // npm test output after the fix
    const output = run.out.join('\n');
    expect(output).toMatch(/✓ lint: .*npm run lint/);
    expect(output).toMatch(/✓ test: .*npm test/);
    for (const secret of Object.values(HOST_SECRETS)) expect(output).not.toContain(secret);
  });

  it('sends a lint failure back to the agent, which fixes it in round two', async () => {
    harness = await createCliHarness();
    harness.model.enqueue(
      { type: 'tool_calls', calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }] },
      {
        type: 'tool_calls',
        calls: [
          {
            name: 'edit_file',
            arguments: {
              path: 'src/math.js',
              old_string: '  return a - b;',
              new_string: '  console.log(a, b);\n  return a + b;',
            },
          },
        ],
      },
      { type: 'tool_calls', calls: [finish('Fixed add().')] },
      (request) => {
        // Round two: the lint output must be in what the model was sent.
        expect(requestText(request.body)).toContain('src/math.js:2: no console.log in src/');
        return {
          type: 'tool_calls',
          calls: [
            {
              name: 'edit_file',
              arguments: { path: 'src/math.js', old_string: '  console.log(a, b);\n', new_string: '' },
            },
          ],
        };
      },
      { type: 'tool_calls', calls: [finish('Fixed add() and removed the debug log.')] },
    );

    const run = await harness.run('fix add', { json: true });

    expect(run.exitCode).toBe(0);
    const items = run.out.map(
      (line) => JSON.parse(line) as { payload: { type: string; name?: string; status?: string } },
    );
    const steps = items
      .filter((item) => item.payload.type === 'middleware_step')
      .map((item) => `${item.payload.name}:${item.payload.status}`);
    expect(steps).toEqual([
      'lint:failed',
      'lint:passed',
      'test:passed',
      'commit:passed',
      'secret-scan:passed',
      'push:passed',
      'open-pr:skipped',
    ]);
    expect(harness.model.requests).toHaveLength(5);
    const branchLine = items.find(
      (item) => item.payload.type === 'middleware_step' && item.payload.name === 'commit',
    );
    expect(branchLine).toBeDefined();
    const branch = harness.repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/baton/');
    const diff = harness.repo.git('diff', `main..${branch}`);
    expect(diff).toContain('+  return a + b;');
    expect(diff).not.toContain('console.log');
    expect(harness.branchCommits(branch)).toHaveLength(1);
  });
});
