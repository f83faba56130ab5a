import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../src/model/types.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { APIS, clientFor, GREP_TOOL, READ_FILE_TOOL } from './model-harness.ts';

describe.each(APIS)('%s adapter: replies', (api) => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => fake.close());

  const user: ChatMessage[] = [{ role: 'user', content: 'Fix the add test.' }];

  it('returns a streamed text reply and hands every piece to onTextDelta', async () => {
    const text = 'The add function subtracts; I will change the operator.';
    fake.enqueue({ type: 'text', content: text });
    const deltas: string[] = [];

    const response = await clientFor(fake, { api }).complete({
      system: 'You are Baton.',
      messages: user,
      tools: [READ_FILE_TOOL],
      onTextDelta: (delta) => deltas.push(delta),
    });

    expect(response.message).toEqual({ content: text, toolCalls: [] });
    expect(response.finishReason).toBe('stop');
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(text);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.body.stream).toBe(true);
  });

  it('assembles several tool calls from streamed argument pieces, in order, with their ids', async () => {
    fake.enqueue({
      type: 'tool_calls',
      content: 'Looking around first.',
      calls: [
        { name: 'read_file', arguments: { path: 'src/math.js' } },
        {
          name: 'grep',
          arguments: { pattern: 'add\\(', note: 'a "quoted" value, long enough to span pieces' },
        },
        { name: 'read_file', arguments: '{"path": "unterminated' },
      ],
    });

    const response = await clientFor(fake, { api }).complete({
      system: 'You are Baton.',
      messages: user,
      tools: [READ_FILE_TOOL, GREP_TOOL],
    });

    expect(response.finishReason).toBe('tool_calls');
    expect(response.message.content).toBe('Looking around first.');
    expect(response.message.toolCalls).toEqual([
      { id: 'call_1', name: 'read_file', arguments: '{"path":"src/math.js"}' },
      {
        id: 'call_2',
        name: 'grep',
        arguments: JSON.stringify({
          pattern: 'add\\(',
          note: 'a "quoted" value, long enough to span pieces',
        }),
      },
      // Invalid JSON arrives untouched: validating it is the tool dispatcher's job.
      { id: 'call_3', name: 'read_file', arguments: '{"path": "unterminated' },
    ]);
  });

  it('reports usage with cached tokens and prices it from the table', async () => {
    fake.enqueue({
      type: 'text',
      content: 'ok',
      usage: { promptTokens: 1000, cachedTokens: 400, completionTokens: 50 },
    });
    const client = clientFor(fake, {
      api,
      prices: { 'gpt-test': { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 } },
    });

    const response = await client.complete({ system: 'S', messages: user, tools: [] });

    expect(response.usage).toEqual({ inputTokens: 1000, cachedInputTokens: 400, outputTokens: 50 });
    // 600 uncached × $2 + 400 cached × $0.50 + 50 output × $8, per million.
    expect(response.costUsd).toBeCloseTo(0.0018, 10);
  });

  it('sends the cache key as prompt_cache_key and the output limit, and omits both when unset', async () => {
    fake.enqueue({ type: 'text', content: 'one' }, { type: 'text', content: 'two' });
    const client = clientFor(fake, { api, maxOutputTokens: 1234 });

    await client.complete({ system: 'S', messages: user, tools: [], cacheKey: 'thread-C1:171.0' });
    await client.complete({ system: 'S', messages: user, tools: [], maxOutputTokens: 99 });

    const [first, second] = fake.requests.map((request) => request.body);
    const limitField = api === 'responses' ? 'max_output_tokens' : 'max_completion_tokens';
    expect(first?.prompt_cache_key).toBe('thread-C1:171.0');
    expect(first?.[limitField]).toBe(1234);
    expect(second).not.toHaveProperty('prompt_cache_key');
    expect(second?.[limitField]).toBe(99);
    // No tools: the field is left out (an empty list is refused by the API).
    expect(first).not.toHaveProperty('tools');
  });

  it('sends the API key as a bearer token', async () => {
    fake.enqueue({ type: 'text', content: 'ok' });
    await clientFor(fake, { api }, { apiKey: 'sk-proj-abcdefghijklmnopqrstuv' }).complete({
      system: 'S',
      messages: user,
      tools: [],
    });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-proj-abcdefghijklmnopqrstuv');
  });
});
