import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/model/types.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { clientFor, GREP_TOOL, READ_FILE_TOOL } from './model-harness.ts';

const history: ChatMessage[] = [
  { role: 'user', content: 'Fix the add test.' },
  {
    role: 'assistant',
    content: 'Reading first.',
    toolCalls: [
      { id: 'call_a', name: 'read_file', arguments: '{"path":"src/math.js"}' },
      { id: 'call_b', name: 'grep', arguments: '{"pattern":"add"}' },
    ],
  },
  { role: 'tool', toolCallId: 'call_a', content: 'export const add = (a, b) => a - b;' },
  { role: 'tool', toolCallId: 'call_b', content: 'src/math.js:1' },
  { role: 'assistant', content: 'Found it.', toolCalls: [] },
  { role: 'user', content: 'Go ahead.' },
];

describe('what goes over the wire', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
    fake.enqueue({ type: 'text', content: 'ok' });
  });
  afterEach(async () => fake.close());

  it('chat completions: system first, assistant tool calls, tool results, function tools in order', async () => {
    await clientFor(fake).complete({
      system: 'You are Baton.',
      messages: history,
      tools: [READ_FILE_TOOL, GREP_TOOL],
    });

    const body = fake.requests[0]?.body;
    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
    expect(body?.model).toBe('gpt-test');
    expect(body?.stream_options).toEqual({ include_usage: true });
    expect(body?.messages).toEqual([
      { role: 'system', content: 'You are Baton.' },
      { role: 'user', content: 'Fix the add test.' },
      {
        role: 'assistant',
        content: 'Reading first.',
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path":"src/math.js"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'grep', arguments: '{"pattern":"add"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'export const add = (a, b) => a - b;' },
      { role: 'tool', tool_call_id: 'call_b', content: 'src/math.js:1' },
      { role: 'assistant', content: 'Found it.' },
      { role: 'user', content: 'Go ahead.' },
    ]);
    expect(body?.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'read_file',
          description: READ_FILE_TOOL.description,
          parameters: READ_FILE_TOOL.parameters,
        },
      },
      {
        type: 'function',
        function: { name: 'grep', description: GREP_TOOL.description, parameters: GREP_TOOL.parameters },
      },
    ]);
  });

  it('responses: instructions, stateless input items, function tools with strict false', async () => {
    await clientFor(fake, { api: 'responses' }).complete({
      system: 'You are Baton.',
      messages: history,
      tools: [READ_FILE_TOOL, GREP_TOOL],
    });

    const body = fake.requests[0]?.body;
    expect(fake.requests[0]?.path).toBe('/v1/responses');
    expect(body?.instructions).toBe('You are Baton.');
    expect(body?.store).toBe(false);
    expect(body).not.toHaveProperty('previous_response_id');
    expect(body?.input).toEqual([
      { type: 'message', role: 'user', content: 'Fix the add test.' },
      { type: 'message', role: 'assistant', content: 'Reading first.' },
      { type: 'function_call', call_id: 'call_a', name: 'read_file', arguments: '{"path":"src/math.js"}' },
      { type: 'function_call', call_id: 'call_b', name: 'grep', arguments: '{"pattern":"add"}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'export const add = (a, b) => a - b;' },
      { type: 'function_call_output', call_id: 'call_b', output: 'src/math.js:1' },
      { type: 'message', role: 'assistant', content: 'Found it.' },
      { type: 'message', role: 'user', content: 'Go ahead.' },
    ]);
    expect(body?.tools).toEqual([
      { type: 'function', ...READ_FILE_TOOL, strict: false },
      { type: 'function', ...GREP_TOOL, strict: false },
    ]);
  });
});
