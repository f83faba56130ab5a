import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../../src/observability/errors.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { APIS, clientFor, READ_FILE_TOOL, rejectionOf } from './model-harness.ts';

const request = {
  system: 'S',
  messages: [{ role: 'user' as const, content: 'hi' }],
  tools: [READ_FILE_TOOL],
};

function asBatonError(error: unknown): BatonError {
  expect(error).toBeInstanceOf(BatonError);
  return error as BatonError;
}

/** A fetch that lets the test act once the first response's headers have reached the SDK. */
function watchResponses(): { fetch: typeof fetch; firstResponse: Promise<void> } {
  let arrived: () => void = () => {};
  const firstResponse = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    arrived();
    return response;
  };
  return { fetch: watchingFetch, firstResponse };
}

describe.each(APIS)('%s adapter: failures', (api) => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => fake.close());

  it('waits out a 429 with Retry-After and succeeds on the second request', async () => {
    fake.enqueue(
      { type: 'error', status: 429, headers: { 'retry-after': '1' } },
      { type: 'text', content: 'ok' },
    );

    const response = await clientFor(fake, { api, maxRetries: 2 }).complete(request);

    expect(response.message.content).toBe('ok');
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    // Loosely: the SDK honoured the header instead of retrying at once.
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('gives up on a failing server after maxRetries + 1 attempts with model_server_error', async () => {
    const failure = { type: 'error' as const, status: 500, headers: { 'retry-after-ms': '5' } };
    fake.enqueue(failure, failure, failure, failure, failure);

    const error = asBatonError(await rejectionOf(clientFor(fake, { api, maxRetries: 2 }).complete(request)));

    expect(error.code).toBe('model_server_error');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'The model server failed (HTTP 500) after 3 attempts: The server had an error while processing your request.',
    );
    expect(fake.requests).toHaveLength(3);
    expect(fake.remaining()).toBe(2);
  });

  it('reports a refused key as model_auth without retrying', async () => {
    await fake.close();
    fake = await startFakeOpenAI({ apiKey: 'sk-right-0123456789abcdefghij' });

    const error = asBatonError(
      await rejectionOf(
        clientFor(fake, { api }, { apiKey: 'sk-wrong-0123456789abcdefghij' }).complete(request),
      ),
    );

    expect(error.code).toBe('model_auth');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('Incorrect API key provided.');
    expect(error.hint).toContain('OPENAI_API_KEY');
    expect(fake.requests).toHaveLength(1);
  });

  it("passes a 400's own message on as model_bad_request", async () => {
    fake.enqueue({
      type: 'error',
      status: 400,
      body: {
        error: {
          message: "Unsupported parameter: 'max_completion_tokens'.",
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    });

    const error = asBatonError(await rejectionOf(clientFor(fake, { api }).complete(request)));

    expect(error.code).toBe('model_bad_request');
    expect(error.message).toBe(
      "The model server rejected the request (HTTP 400): Unsupported parameter: 'max_completion_tokens'.",
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('times out a server that does not answer within timeoutMs', async () => {
    fake.enqueue({ type: 'delay', ms: 5_000, reply: { type: 'text', content: 'too late' } });

    const error = asBatonError(
      await rejectionOf(clientFor(fake, { api, timeoutMs: 200, maxRetries: 0 }).complete(request)),
    );

    expect(error.code).toBe('model_timeout');
    expect(error.message).toBe('The model server did not answer within 200 ms (1 attempt).');
    expect(fake.requests).toHaveLength(1);
  });

  it('gives up on a stream that stalls after it started once its retries are spent', async () => {
    fake.enqueue({ type: 'text', content: 'slow', pauseMs: 5_000 });

    const error = asBatonError(
      await rejectionOf(
        clientFor(fake, { api, streamStallMs: 200, streamRetries: 0, maxRetries: 0 }).complete(request),
      ),
    );

    expect(error.code).toBe('model_stream_stalled');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'The model server stopped streaming its answer for more than 200 ms. Gave up after 1 attempt.',
    );
    expect(error.hint).toContain('model.streamStallMs');
  });

  it('is cancelled by the abort signal while waiting for the server', async () => {
    fake.enqueue({ type: 'delay', ms: 5_000, reply: { type: 'text', content: 'too late' } });
    const controller = new AbortController();

    const pending = rejectionOf(clientFor(fake, { api }).complete(request, controller.signal));
    await fake.waitForRequests(1);
    controller.abort();

    const error = asBatonError(await pending);
    expect(error.code).toBe('model_cancelled');
    expect(error.retryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('is cancelled by the abort signal in the middle of a stream', async () => {
    fake.enqueue({ type: 'text', content: 'never finished', pauseMs: 5_000 });
    const controller = new AbortController();
    const watch = watchResponses();

    const pending = rejectionOf(
      clientFor(fake, { api }, { fetch: watch.fetch }).complete(request, controller.signal),
    );
    await watch.firstResponse;
    controller.abort();

    // The SDK ends an aborted stream silently; the adapter must not return a half reply.
    expect(asBatonError(await pending).code).toBe('model_cancelled');
  });

  it('is cancelled at once while the SDK waits out a long Retry-After', async () => {
    fake.enqueue(
      { type: 'error', status: 429, headers: { 'retry-after': '90' } },
      { type: 'text', content: 'late' },
    );
    const controller = new AbortController();
    const watch = watchResponses();

    const client = clientFor(fake, { api, maxRetries: 1 }, { fetch: watch.fetch });
    const pending = rejectionOf(client.complete(request, controller.signal));
    await watch.firstResponse;
    // Let the SDK read the 429 and start sleeping; an earlier abort would land in the fetch instead.
    await sleep(100);
    controller.abort();

    // Without the adapter's own watch this would wait 90 s and outlast the test timeout.
    expect(asBatonError(await pending).code).toBe('model_cancelled');
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses an invalid tool name before anything is sent', async () => {
    const tool = { ...READ_FILE_TOOL, name: 'read file!' };

    const error = asBatonError(
      await rejectionOf(clientFor(fake, { api }).complete({ ...request, tools: [tool] })),
    );

    expect(error.code).toBe('model_invalid_tool_name');
    expect(error.message).toContain('"read file!"');
    expect(fake.requests).toHaveLength(0);
  });

  it('names the base URL when nothing listens there', async () => {
    const { baseUrl } = fake;
    await fake.close();

    const error = asBatonError(
      await rejectionOf(clientFor(fake, { api, maxRetries: 0 }, { baseUrl }).complete(request)),
    );

    expect(error.code).toBe('model_connection');
    expect(error.message).toContain(baseUrl);
    expect(error.hint).toContain(baseUrl);
    fake = await startFakeOpenAI();
  });
});
