import { afterEach, describe, expect, it } from 'vitest';
import { isPrefixExtension, type RecordedRequest } from '../fakes/openai-server.ts';
import { type CliHarness, createCliHarness, reportedBranch } from './cli-harness.ts';

const finish = {
  name: 'finish',
  arguments: { summary: 'Fixed add().', pr_title: 'Fix add()', pr_body: 'Fixed.' },
};
const fixAdd = {
  name: 'edit_file',
  arguments: { path: 'src/math.js', old_string: 'return a - b;', new_string: 'return a + b;' },
};
const readMath = { name: 'read_file', arguments: { path: 'src/math.js' } };

/** The tool results the model was sent in a chat completions request. */
function toolMessages(request: RecordedRequest | undefined): string[] {
  const messages = (request?.body.messages ?? []) as { role: string; content: string }[];
  return messages.filter((message) => message.role === 'tool').map((message) => message.content);
}

describe('the agent loop under bad input, model errors and budgets', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('returns actionable errors for invalid arguments, an unknown tool and a non-unique edit, and goes on', async () => {
    harness = await createCliHarness();
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      {
        type: 'tool_calls',
        calls: [
          { name: 'read_file', arguments: '{"path": ' },
          { name: 'read_file', arguments: { path: 42 } },
          { name: 'delete_everything', arguments: {} },
          { name: 'edit_file', arguments: { path: 'src/math.js', old_string: 'add(', new_string: 'sum(' } },
        ],
      },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [finish] },
    );

    const run = await harness.run('fix add');

    expect(run.exitCode).toBe(0);
    const [invalidJson, invalidType, unknownTool, ambiguousEdit] = toolMessages(
      harness.model.requests[2],
    ).slice(-4);
    expect(invalidJson).toMatch(/not valid JSON/);
    expect(invalidType).toMatch(/Invalid arguments for read_file:\n- path: /);
    expect(unknownTool).toMatch(/no tool named "delete_everything"[\s\S]*Available tools: .*read_file/);
    expect(ambiguousEdit).toMatch(/occurs 2 times in src\/math\.js \(lines 1, 6\)/);
    expect(harness.repo.git('diff', `main..${reportedBranch(run)}`)).toContain('+  return a + b;');
  });

  it('waits out a 429 with Retry-After and then succeeds', async () => {
    harness = await createCliHarness();
    harness.model.enqueue(
      { type: 'error', status: 429, headers: { 'retry-after': '1' } },
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [finish] },
    );

    const run = await harness.run('fix add');

    expect(run.exitCode).toBe(0);
    expect(harness.model.requests).toHaveLength(4);
    const [limited, retried] = harness.model.requests;
    expect(JSON.stringify(retried?.body)).toBe(JSON.stringify(limited?.body));
  });

  it('ends with one clear line when the model fails five times with 500', async () => {
    harness = await createCliHarness({ config: { model: { name: 'gpt-test', maxRetries: 4 } } });
    for (let attempt = 0; attempt < 5; attempt += 1) harness.model.enqueue({ type: 'error', status: 500 });

    const run = await harness.run('fix add');

    expect(run.exitCode).toBe(1);
    expect(harness.model.requests).toHaveLength(5);
    const output = run.out.join('\n');
    expect(output).toContain('Result: failed');
    expect(output).toMatch(/The model server failed \(HTTP 500\)/);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace
    expect(harness.repo.git('for-each-ref', 'refs/heads/baton/')).toBe('');
  });

  it('stops at a step budget of 3 with a message and keeps the partial work on the branch', async () => {
    harness = await createCliHarness({ config: { budgets: { maxSteps: 3 } } });
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath] },
      { type: 'tool_calls', calls: [fixAdd] },
      { type: 'tool_calls', calls: [{ name: 'run_command', arguments: { command: 'npm test' } }] },
      { type: 'tool_calls', calls: [{ name: 'read_file', arguments: { path: 'test/math.test.js' } }] },
      { type: 'tool_calls', calls: [finish] },
    );

    const run = await harness.run('fix add');

    expect(run.exitCode).toBe(1);
    expect(harness.model.requests).toHaveLength(3);
    const output = run.out.join('\n');
    expect(output).toContain('Result: budget_exhausted');
    expect(output).toContain('the step budget (3 model calls)');
    const branch = reportedBranch(run);
    const commits = harness.branchCommits(branch);
    expect(commits).toHaveLength(1);
    expect(commits[0]).toMatch(/WIP \(budget exhausted\)/);
    expect(harness.repo.git('diff', `main..${branch}`)).toContain('+  return a + b;');
  });

  it('keeps the request prefix stable (tools, system, history only appended) except across a compaction', async () => {
    harness = await createCliHarness({
      config: { model: { name: 'gpt-test', contextWindowTokens: 2000 }, agent: { compactAtFraction: 0.5 } },
    });
    harness.model.enqueue(
      { type: 'tool_calls', calls: [readMath], usage: { promptTokens: 300 } },
      {
        type: 'tool_calls',
        calls: [{ name: 'grep', arguments: { pattern: 'add' } }],
        usage: { promptTokens: 400 },
      },
      { type: 'tool_calls', calls: [{ name: 'list_files', arguments: {} }], usage: { promptTokens: 500 } },
      { type: 'tool_calls', calls: [fixAdd], usage: { promptTokens: 1500 } },
      {
        type: 'text',
        content: '- add() in src/math.js subtracts; fixed it to add.',
        usage: { promptTokens: 800 },
      },
      {
        type: 'tool_calls',
        calls: [{ name: 'run_command', arguments: { command: 'npm test' } }],
        usage: { promptTokens: 600 },
      },
      { type: 'tool_calls', calls: [finish], usage: { promptTokens: 700 } },
    );

    const run = await harness.run('fix add', { json: true });

    expect(run.exitCode).toBe(0);
    const requests = harness.model.requests.map((request) => request.body);
    expect(requests).toHaveLength(7);
    const [first, second, third, fourth, compaction, afterCompaction, last] = requests as Record<
      string,
      unknown
    >[];
    expect(isPrefixExtension(first ?? {}, second ?? {})).toBe(true);
    expect(isPrefixExtension(second ?? {}, third ?? {})).toBe(true);
    expect(isPrefixExtension(third ?? {}, fourth ?? {})).toBe(true);
    expect(compaction?.tools ?? []).toEqual([]);
    expect(isPrefixExtension(fourth ?? {}, afterCompaction ?? {})).toBe(false);
    expect(JSON.stringify(afterCompaction)).toContain('add() in src/math.js subtracts; fixed it to add.');
    expect(isPrefixExtension(afterCompaction ?? {}, last ?? {})).toBe(true);
    const cacheKeys = new Set(
      [first, second, fourth, afterCompaction, last].map((body) => body?.prompt_cache_key),
    );
    expect(cacheKeys.size).toBe(1);
    expect([...cacheKeys][0]).toMatch(/^baton:/);
    const types = run.out.map((line) => (JSON.parse(line) as { payload: { type: string } }).payload.type);
    expect(types.filter((type) => type === 'compaction')).toHaveLength(1);
  });
});
