import { afterEach, describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../fakes/openai-server.ts';
import { type CliHarness, createCliHarness, reportedBranch } from './cli-harness.ts';

const toolNames = (request: RecordedRequest) =>
  ((request.body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);
const systemPrompt = (request: RecordedRequest) =>
  ((request.body.messages ?? []) as { role: string; content: string }[]).find(
    (message) => message.role === 'system',
  )?.content ?? '';
const lastToolResult = (request: RecordedRequest) =>
  ((request.body.messages ?? []) as { role: string; content: string }[])
    .filter((message) => message.role === 'tool')
    .at(-1)?.content ?? '';

describe('subagents (the task tool)', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('runs a read-only explorer on the shared workspace and a writer whose patch the parent applies', async () => {
    harness = await createCliHarness();
    const finishWith = (summary: string) => ({
      type: 'tool_calls' as const,
      calls: [{ name: 'finish', arguments: { summary, pr_title: 'Fix add()', pr_body: summary } }],
    });
    harness.model.enqueue(
      {
        type: 'tool_calls',
        calls: [{ name: 'task', arguments: { kind: 'explore', prompt: 'Where is add defined?' } }],
      },
      (request) => {
        expect(systemPrompt(request)).toMatch(/You are an explorer/);
        expect(toolNames(request)).not.toContain('edit_file');
        expect(toolNames(request)).not.toContain('task');
        return {
          type: 'tool_calls',
          calls: [
            { name: 'edit_file', arguments: { path: 'src/math.js', old_string: 'a', new_string: 'b' } },
          ],
        };
      },
      (request) => {
        expect(lastToolResult(request)).toMatch(/no tool named "edit_file"/);
        return finishWith('add is defined in src/math.js on line 1 and subtracts.');
      },
      (request) => {
        expect(lastToolResult(request)).toContain(
          'The explorer reports:\nadd is defined in src/math.js on line 1',
        );
        return {
          type: 'tool_calls',
          calls: [{ name: 'task', arguments: { kind: 'write', prompt: 'Make add() in src/math.js add.' } }],
        };
      },
      (request) => {
        expect(systemPrompt(request)).toMatch(/You are a writer/);
        return { type: 'tool_calls', calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }] };
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
      finishWith('Changed the minus to a plus.'),
      (request) => {
        expect(lastToolResult(request)).toMatch(/patch applied cleanly[\s\S]*src\/math\.js/);
        return finishWith('add() adds now (fixed by a writer subagent).');
      },
    );

    const run = await harness.run('fix add with helpers');

    expect(run.exitCode, run.out.join('\n')).toBe(0);
    expect(harness.model.requests).toHaveLength(8);
    const branch = reportedBranch(run);
    expect(harness.branchCommits(branch)).toHaveLength(1);
    expect(harness.repo.git('diff', `main..${branch}`)).toContain('+  return a + b;');
    // The writer's scratch branch never leaves the host.
    expect(harness.repo.git('for-each-ref', '--format=%(refname:short)', 'refs/heads/')).not.toContain(
      'writer',
    );
  });
});
