import { OpenAI } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { clientFor, rejectionOf } from './model-harness.ts';

/** The fake itself, driven by the raw SDK: the non-streamed formats and its own failures. */
describe('fake OpenAI server', () => {
  let fake: FakeOpenAI;
  let sdk: OpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI({ models: ['gpt-test', 'gpt-mini'] });
    sdk = new OpenAI({ baseURL: fake.baseUrl, apiKey: 'sk-test', maxRetries: 0 });
  });
  afterEach(async () => fake.close());

  it('answers a non-streamed chat completion with tool calls and usage', async () => {
    fake.enqueue({ type: 'tool_calls', calls: [{ name: 'grep', arguments: { pattern: 'x' } }] });

    const completion = await sdk.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{"pattern":"x"}' } },
    ]);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers a non-streamed response whose output_text the SDK can read', async () => {
    fake.enqueue({
      type: 'text',
      content: 'hello there',
      usage: { promptTokens: 10, cachedTokens: 0, completionTokens: 2 },
    });

    const response = await sdk.responses.create({ model: 'gpt-test', input: 'hi' });

    expect(response.output_text).toBe('hello there');
    expect(response.usage).toMatchObject({ input_tokens: 10, output_tokens: 2, total_tokens: 12 });
  });

  it('lists its models', async () => {
    const page = await sdk.models.list();
    expect(page.data.map((model) => model.id)).toEqual(['gpt-test', 'gpt-mini']);
  });

  it('fails loudly, once and without retries, when the script runs out', async () => {
    const error = await rejectionOf(
      clientFor(fake, { maxRetries: 2 }).complete({ system: 'S', messages: [], tools: [] }),
    );

    expect(error).toMatchObject({ code: 'model_server_error' });
    expect((error as Error).message).toContain('fake OpenAI: script exhausted');
    expect(fake.modelRequests()).toHaveLength(1);
  });

  it('lets a reply depend on the request and reports a script function that throws', async () => {
    fake.enqueue(
      (request) => ({ type: 'text', content: `model was ${String(request.body.model)}` }),
      () => {
        throw new Error('the request lacked the lint output');
      },
    );
    const client = clientFor(fake);
    const request = { system: 'S', messages: [{ role: 'user' as const, content: 'hi' }], tools: [] };

    expect((await client.complete(request)).message.content).toBe('model was gpt-test');
    const error = await rejectionOf(client.complete(request));

    expect((error as Error).message).toContain('script function threw: the request lacked the lint output');
    expect(fake.scriptErrors.map((failure) => failure.message)).toEqual([
      'the request lacked the lint output',
    ]);
  });
});
