import { afterEach, describe, expect, it } from 'vitest';
import { createParameterMemory } from '../../../src/model/parameter-memory.ts';
import type { ModelRequest } from '../../../src/model/types.ts';
import { BatonError } from '../../../src/observability/errors.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { capturingLogger, clientFor, READ_FILE_TOOL, rejectionOf } from './model-harness.ts';

const request: ModelRequest = {
  system: 'S',
  messages: [{ role: 'user', content: 'hi' }],
  tools: [READ_FILE_TOOL],
  cacheKey: 'thread-1',
};

/** Every optional parameter each adapter sends, with the config that makes it be sent. */
const CASES = [
  { api: 'chat-completions', parameter: 'prompt_cache_key' },
  { api: 'chat-completions', parameter: 'stream_options' },
  { api: 'chat-completions', parameter: 'parallel_tool_calls' },
  { api: 'chat-completions', parameter: 'reasoning_effort' },
  { api: 'responses', parameter: 'prompt_cache_key' },
  { api: 'responses', parameter: 'parallel_tool_calls' },
  { api: 'responses', parameter: 'reasoning' },
] as const;

const STYLES = ['openai', 'pydantic'] as const;

describe('a compatible server that refuses an optional parameter', () => {
  const fakes: FakeOpenAI[] = [];
  const start = async (options: Parameters<typeof startFakeOpenAI>[0]) => {
    const fake = await startFakeOpenAI(options);
    fakes.push(fake);
    return fake;
  };
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  });

  describe.each(STYLES)('worded %s-style', (refusalStyle) => {
    it.each(CASES)(
      '$api: $parameter is dropped, the call succeeds, and it is not sent again',
      async ({ api, parameter }) => {
        const fake = await start({ refuseParameters: [parameter], refusalStyle });
        fake.enqueue({ type: 'text', content: 'first' }, { type: 'text', content: 'second' });
        const capture = capturingLogger();
        const memory = createParameterMemory();
        const config = { api, reasoningEffort: 'low', parallelToolCalls: true } as const;
        const client = clientFor(fake, config, { log: capture.log, parameterMemory: memory });

        expect((await client.complete(request)).message.content).toBe('first');
        // A client built later in the same process (the next turn) starts without it.
        const later = clientFor(fake, config, { log: capture.log, parameterMemory: memory });
        expect((await later.complete(request)).message.content).toBe('second');

        const bodies = fake.modelRequests().map((sent) => sent.body);
        expect(bodies).toHaveLength(3);
        expect(bodies[0]).toHaveProperty(parameter);
        expect(bodies[1]).not.toHaveProperty(parameter);
        expect(bodies[2]).not.toHaveProperty(parameter);
        // Everything else is sent as before.
        expect(Object.keys(bodies[1] ?? {}).sort()).toEqual(
          Object.keys(bodies[0] ?? {})
            .filter((key) => key !== parameter)
            .sort(),
        );
        const warnings = capture.lines().filter((line) => line.parameter === parameter);
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toMatchObject({ level: 40, endpoint: expect.stringContaining(fake.baseUrl) });
      },
    );
  });

  it('drops several refused parameters one after another in one call', async () => {
    const fake = await start({
      refuseParameters: ['stream_options', 'prompt_cache_key', 'reasoning_effort'],
    });
    fake.enqueue({ type: 'text', content: 'ok' });

    const response = await clientFor(
      fake,
      { reasoningEffort: 'high' },
      { parameterMemory: createParameterMemory() },
    ).complete(request);

    expect(response.message.content).toBe('ok');
    // Without stream_options the server reports no usage; the answer is still whole.
    expect(response.usage.outputTokens).toBe(0);
    expect(fake.modelRequests()).toHaveLength(4);
  });

  it('remembers a refusal per endpoint: another server still gets the parameter', async () => {
    const refusing = await start({ refuseParameters: ['prompt_cache_key'] });
    const accepting = await start({});
    refusing.enqueue({ type: 'text', content: 'a' });
    accepting.enqueue({ type: 'text', content: 'b' });
    const memory = createParameterMemory();

    await clientFor(refusing, {}, { parameterMemory: memory }).complete(request);
    await clientFor(accepting, {}, { parameterMemory: memory }).complete(request);

    expect(accepting.modelRequests()[0]?.body).toHaveProperty('prompt_cache_key', 'thread-1');
  });

  it('does not retry a 400 that names no optional parameter', async () => {
    const fake = await start({});
    fake.enqueue({
      type: 'error',
      status: 400,
      body: {
        error: { message: 'messages: too short', type: 'invalid_request_error', param: null, code: null },
      },
    });

    const error = await rejectionOf(
      clientFor(fake, {}, { parameterMemory: createParameterMemory() }).complete(request),
    );

    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('model_bad_request');
    expect(fake.modelRequests()).toHaveLength(1);
  });
});
