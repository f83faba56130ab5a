import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/model/types.ts';
import { type FakeOpenAI, isPrefixExtension, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { APIS, clientFor, GREP_TOOL, READ_FILE_TOOL } from './model-harness.ts';

describe.each(APIS)('%s adapter: a growing history keeps its prefix', (api) => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => fake.close());

  it('sends each request as an extension of the last, and the fake reports it as cached', async () => {
    fake.enqueue(
      {
        type: 'tool_calls',
        content: 'Reading.',
        calls: [{ name: 'read_file', arguments: { path: 'a.ts' } }],
      },
      { type: 'text', content: 'Done.' },
      { type: 'text', content: 'Other.' },
      { type: 'text', content: 'Other.' },
    );
    const client = clientFor(fake, { api });
    const tools = [READ_FILE_TOOL, GREP_TOOL];
    const messages: ChatMessage[] = [{ role: 'user', content: 'Fix a.ts' }];

    const first = await client.complete({ system: 'You are Baton.', messages, tools, cacheKey: 'thread-1' });
    messages.push({ role: 'assistant', ...first.message });
    for (const call of first.message.toolCalls)
      messages.push({ role: 'tool', toolCallId: call.id, content: 'file text' });
    const second = await client.complete({ system: 'You are Baton.', messages, tools, cacheKey: 'thread-1' });
    await client.complete({ system: 'You are Baton. Now: 12:00.', messages, tools });
    await client.complete({ system: 'You are Baton.', messages, tools: [GREP_TOOL, READ_FILE_TOOL] });

    const [one, two, changedSystem, reorderedTools] = fake.requests.map((request) => request.body);
    if (!one || !two || !changedSystem || !reorderedTools) throw new Error('expected four requests');
    expect(isPrefixExtension(one, two)).toBe(true);
    expect(isPrefixExtension(two, one)).toBe(false);
    expect(isPrefixExtension(one, changedSystem)).toBe(false);
    expect(isPrefixExtension(one, reorderedTools)).toBe(false);
    expect(first.usage.cachedInputTokens).toBe(0);
    expect(second.usage.cachedInputTokens).toBeGreaterThan(0);
    expect(second.usage.cachedInputTokens).toBeLessThan(second.usage.inputTokens);
  });
});

describe('isPrefixExtension on bodies', () => {
  const tools = [{ type: 'function', function: { name: 'grep', description: 'd', parameters: {} } }];
  const base = {
    model: 'gpt-test',
    tools,
    messages: [
      { role: 'system', content: 'S' },
      { role: 'user', content: 'one' },
    ],
  };
  const appended = { ...base, messages: [...base.messages, { role: 'assistant', content: 'two' }] };

  it('accepts an appended history and an identical one', () => {
    expect(isPrefixExtension(base, appended)).toBe(true);
    expect(isPrefixExtension(base, base)).toBe(true);
  });

  it('rejects a rewritten earlier message, a changed model, and changed tools', () => {
    const rewritten = {
      ...appended,
      messages: [base.messages[0], { role: 'user', content: 'ONE' }, appended.messages[2]],
    };
    expect(isPrefixExtension(base, rewritten)).toBe(false);
    expect(isPrefixExtension(base, { ...appended, model: 'gpt-other' })).toBe(false);
    expect(isPrefixExtension(base, { ...appended, tools: [] })).toBe(false);
  });

  it('counts key order, because the cache matches bytes', () => {
    const reordered = {
      ...appended,
      messages: [base.messages[0], { content: 'one', role: 'user' }, appended.messages[2]],
    };
    expect(isPrefixExtension(base, reordered)).toBe(false);
  });

  it('reads Responses bodies: instructions and input items', () => {
    const first = {
      model: 'm',
      instructions: 'S',
      input: [{ type: 'message', role: 'user', content: 'one' }],
    };
    const next = {
      ...first,
      input: [...first.input, { type: 'function_call_output', call_id: 'call_1', output: 'x' }],
    };
    expect(isPrefixExtension(first, next)).toBe(true);
    expect(isPrefixExtension(first, { ...next, instructions: 'S2' })).toBe(false);
  });
});
