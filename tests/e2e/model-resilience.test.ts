import { afterEach, describe, expect, it } from 'vitest';
import type { FakeReply } from '../fakes/openai-server.ts';
import { type CliHarness, createCliHarness, reportedBranch } from './cli-harness.ts';

const MODEL = { name: 'gpt-test', prices: { 'gpt-test': { inputPerMillion: 2, outputPerMillion: 8 } } };

/** The calculator fix in four model steps: read, edit, test, finish. */
const FIX: FakeReply[] = [
  {
    type: 'tool_calls',
    content: 'Reading the code under test first.',
    calls: [{ name: 'read_file', arguments: { path: 'src/math.js' } }],
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
  {
    type: 'tool_calls',
    calls: [
      {
        name: 'finish',
        arguments: { summary: 'add() adds now.', pr_title: 'Fix add()', pr_body: 'add() adds now.' },
      },
    ],
  },
];

const REFUSED = ['prompt_cache_key', 'stream_options', 'parallel_tool_calls', 'reasoning_effort'];

/**
 * `baton run` end to end (one run, since each costs seconds): an OpenAI-compatible server that
 * refuses every optional parameter Baton sends, behind a network that drops the first answer's
 * stream after its headers. The adapters' own tests cover each case on both APIs one at a time.
 */
describe('baton run against a model server that misbehaves', () => {
  let harness: CliHarness;
  afterEach(async () => harness?.close());

  it('drops the refused parameters, retries the cut stream, and gets the fix committed', async () => {
    harness = await createCliHarness({
      config: { model: { ...MODEL, reasoningEffort: 'low', parallelToolCalls: true } },
      model: { refuseParameters: REFUSED },
    });
    const [read, ...rest] = FIX;
    harness.model.enqueue(
      // The connection drops after the headers and a few events of the first answer.
      { ...(read as Extract<FakeReply, { type: 'tool_calls' }>), cut: { afterEvents: 3, how: 'reset' } },
      read as FakeReply,
      ...rest,
    );

    const run = await harness.run('The add test fails, please fix it');

    expect(run.exitCode, [...run.out, ...run.err].join('\n')).toBe(0);
    const branch = reportedBranch(run);
    expect(harness.branchCommits(branch)).toHaveLength(1);
    expect(harness.repo.git('diff', `main..${branch}`)).toContain('+  return a + b;');

    const bodies = harness.model.modelRequests().map((request) => request.body);
    // One 400 per parameter, then the cut answer, then the same request again, then the rest.
    expect(bodies).toHaveLength(REFUSED.length + 1 + FIX.length);
    for (const parameter of REFUSED) expect(bodies[0]).toHaveProperty(parameter);
    const afterRefusals = bodies.slice(REFUSED.length);
    for (const body of afterRefusals) {
      for (const parameter of REFUSED) expect(body).not.toHaveProperty(parameter);
    }
    expect(afterRefusals[1]).toEqual(afterRefusals[0]);
    // A whole run with its checks, plus a one-second retry backoff, on a shared machine.
  }, 120_000);
});
