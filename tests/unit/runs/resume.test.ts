import { describe, expect, it } from 'vitest';
import type { Item, ItemPayload } from '../../../src/runs/items.ts';
import { lastCheckpoint, rebuildMessages } from '../../../src/runs/resume.ts';

const usage = { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5 };

function items(...payloads: ItemPayload[]): Item[] {
  return payloads.map((payload, index) => ({
    id: `item-${index}`,
    turnId: 'turn',
    sequence: index + 1,
    payload,
    startedAt: '2026-01-01T00:00:00.000Z',
    completedAt: '2026-01-01T00:00:00.000Z',
  }));
}

const call = (id: string, name = 'read_file') => ({ id, name, arguments: '{"path":"a.js"}' });

describe('rebuilding the model history from a turn’s items', () => {
  it('replays what the model was sent, skipping subagent items and bookkeeping', () => {
    const rebuilt = rebuildMessages(
      items(
        { type: 'user_message', text: 'fix it', modelContent: 'Task from ana:\n\nfix it' },
        { type: 'model_message', content: null, toolCalls: [call('c1', 'task')], usage, costUsd: 0 },
        { type: 'tool_call', callId: 'c1', name: 'task', arguments: '{}' },
        {
          type: 'model_message',
          content: null,
          toolCalls: [call('s1')],
          usage,
          costUsd: 0,
          scope: 'subagent',
        },
        { type: 'tool_result', callId: 's1', name: 'read_file', ok: true, output: 'sub', scope: 'subagent' },
        { type: 'tool_result', callId: 'c1', name: 'task', ok: true, output: 'explorer says hi' },
        { type: 'checkpoint', baseCommit: 'abc', patch: 'diff' },
        { type: 'middleware_step', name: 'lint', status: 'failed', summary: 'bad' },
        { type: 'user_message', text: 'lint failed', author: 'baton' },
      ),
    );
    expect(rebuilt).toEqual([
      { role: 'user', content: 'Task from ana:\n\nfix it' },
      { role: 'assistant', content: null, toolCalls: [call('c1', 'task')] },
      { role: 'tool', toolCallId: 'c1', content: 'explorer says hi' },
      { role: 'user', content: 'lint failed' },
    ]);
  });

  it('gives every tool call that never got a result an interrupted result, in order', () => {
    const rebuilt = rebuildMessages(
      items(
        { type: 'user_message', text: 'task' },
        {
          type: 'model_message',
          content: 'two calls',
          toolCalls: [call('c1'), call('c2')],
          usage,
          costUsd: 0,
        },
        { type: 'tool_result', callId: 'c1', name: 'read_file', ok: true, output: 'one' },
      ),
    );
    expect(rebuilt.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(rebuilt[3]).toMatchObject({
      role: 'tool',
      toolCallId: 'c2',
      content: expect.stringMatching(/interrupted/),
    });
  });

  it('replays a compaction the way the compactor applied it', () => {
    const rebuilt = rebuildMessages(
      items(
        { type: 'user_message', text: 'task' },
        { type: 'model_message', content: null, toolCalls: [call('c1')], usage, costUsd: 0 },
        { type: 'tool_result', callId: 'c1', name: 'read_file', ok: true, output: 'old' },
        { type: 'model_message', content: null, toolCalls: [call('c2')], usage, costUsd: 0 },
        { type: 'tool_result', callId: 'c2', name: 'read_file', ok: true, output: 'recent' },
        { type: 'compaction', summary: 'read a.js', replacedMessages: 2 },
        { type: 'model_message', content: 'done', toolCalls: [], usage, costUsd: 0 },
      ),
    );
    expect(rebuilt).toEqual([
      { role: 'user', content: 'task' },
      { role: 'user', content: expect.stringContaining('read a.js') },
      { role: 'assistant', content: null, toolCalls: [call('c2')] },
      { role: 'tool', toolCallId: 'c2', content: 'recent' },
      { role: 'assistant', content: 'done', toolCalls: [] },
    ]);
  });

  it('finds the parent’s latest checkpoint', () => {
    const list = items(
      { type: 'checkpoint', baseCommit: 'abc', patch: 'first' },
      { type: 'checkpoint', baseCommit: 'abc', patch: 'second' },
      { type: 'checkpoint', baseCommit: 'abc', patch: 'sub', scope: 'subagent' },
    );
    expect(lastCheckpoint(list)?.patch).toBe('second');
    expect(lastCheckpoint(items({ type: 'status', text: 'x' }))).toBeNull();
  });
});
