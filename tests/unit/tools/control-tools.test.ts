import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubagentRequest } from '../../../src/tools/types.ts';
import { createRecordingReporter } from '../../fakes/recording-reporter.ts';
import { createToolHarness, errorOf, outputOf, type ToolHarness } from './tool-harness.ts';

const greetingPatch = [
  'diff --git a/greeting.txt b/greeting.txt',
  '--- a/greeting.txt',
  '+++ b/greeting.txt',
  '@@ -1 +1 @@',
  '-hello',
  '+hello, world',
  '',
].join('\n');

describe('todo, reply, ask, finish and task', () => {
  let harness: ToolHarness;
  beforeAll(async () => {
    harness = await createToolHarness({ 'greeting.txt': 'hello\n' });
  });
  afterAll(async () => harness?.dispose());

  it('todo replaces the plan, returns the checklist and reports progress', async () => {
    outputOf(await harness.call('todo', { items: [{ text: 'old step', status: 'pending' }] }));
    const output = outputOf(
      await harness.call('todo', {
        items: [
          { text: 'Read the config', status: 'done' },
          { text: 'Fix the bug', status: 'in_progress' },
          { text: 'Run the tests', status: 'pending' },
        ],
      }),
    );
    expect(output).toBe('Plan (1/3 done):\n[x] Read the config\n[~] Fix the bug\n[ ] Run the tests');
    expect(harness.context.state.plan).toEqual([
      { text: 'Read the config', status: 'done' },
      { text: 'Fix the bug', status: 'in_progress' },
      { text: 'Run the tests', status: 'pending' },
    ]);
    expect(harness.progress.at(-1)).toBe('Fix the bug');
  });

  it('todo rejects an unknown status', async () => {
    const { error } = errorOf(await harness.call('todo', { items: [{ text: 'x', status: 'blocked' }] }));
    expect(error).toContain('items.0.status');
  });

  it('reply sends the text to the reporter', async () => {
    outputOf(await harness.call('reply', { text: 'Found the cause: a stale cache.' }));
    expect(harness.reporter.replies).toEqual(['Found the cause: a stale cache.']);
  });

  it('ask returns an immediate answer as output, without ending the turn', async () => {
    const reporter = createRecordingReporter({ askOutcome: { type: 'answered', text: 'Use Postgres.' } });
    harness.context.reporter = reporter;
    const result = await harness.call('ask', { question: 'Which database?' });
    harness.context.reporter = harness.reporter;
    expect(result).toEqual({ ok: true, output: 'The requester answered: Use Postgres.', truncated: false });
    expect(reporter.questions).toEqual(['Which database?']);
  });

  it('ask with a deferred answer ends the turn with a wait control', async () => {
    const result = await harness.call('ask', { question: 'Which branch?' });
    expect(result.ok && result.control).toEqual({ type: 'wait', question: 'Which branch?' });
    expect(harness.reporter.questions).toEqual(['Which branch?']);
  });

  it('finish hands the payload to the loop', async () => {
    const result = await harness.call('finish', {
      summary: 'Fixed it.',
      pr_title: 'Fix the bug',
      pr_body: 'Details.',
    });
    expect(result.ok && result.control).toEqual({
      type: 'finish',
      payload: { summary: 'Fixed it.', prTitle: 'Fix the bug', prBody: 'Details.' },
    });
  });

  describe('task', () => {
    it('refuses inside a subagent (no runSubagent)', async () => {
      const { error } = errorOf(await harness.call('task', { kind: 'explore', prompt: 'Where is X?' }));
      expect(error).toBe('subagents cannot start subagents');
    });

    it("returns an explorer's summary", async () => {
      const requests: SubagentRequest[] = [];
      harness.context.runSubagent = async (request) => {
        requests.push(request);
        return { summary: 'X is defined in src/x.ts:12.' };
      };
      const output = outputOf(await harness.call('task', { kind: 'explore', prompt: 'Where is X?' }));
      expect(output).toBe('The explorer reports:\nX is defined in src/x.ts:12.');
      expect(requests).toEqual([{ kind: 'explore', prompt: 'Where is X?' }]);
    });

    it("applies a writer's patch to the workspace and says so", async () => {
      harness.context.runSubagent = async () => ({ summary: 'Greeted the world.', patch: greetingPatch });
      const output = outputOf(await harness.call('task', { kind: 'write', prompt: 'Greet the world.' }));
      expect(output).toContain("The writer's patch applied cleanly");
      expect(output).toContain('  greeting.txt');
      expect(output).toContain('Greeted the world.');
      expect(await harness.sandbox.readFile('greeting.txt')).toBe('hello, world\n');
    });

    it("keeps a writer's patch that no longer applies and says it did not", async () => {
      harness.context.runSubagent = async () => ({ summary: 'Greeted again.', patch: greetingPatch });
      const output = outputOf(await harness.call('task', { kind: 'write', prompt: 'Greet again.' }));
      expect(output).toContain("The writer's patch did NOT apply");
      const savedAt = /saved at (\S+\.patch);/.exec(output)?.[1] ?? '';
      expect(savedAt).toMatch(/^\.baton\/output\/task-\d+\.patch$/);
      expect(await harness.sandbox.readFile(savedAt)).toBe(greetingPatch);
      expect(await harness.sandbox.readFile('greeting.txt')).toBe('hello, world\n');
      harness.context.runSubagent = undefined;
    });
  });
});
