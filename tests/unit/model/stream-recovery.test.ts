import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatonError } from '../../../src/observability/errors.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../../fakes/openai-server.ts';
import { APIS, capturingLogger, clientFor, READ_FILE_TOOL, rejectionOf } from './model-harness.ts';

const request = {
  system: 'S',
  messages: [{ role: 'user' as const, content: 'hi' }],
  tools: [READ_FILE_TOOL],
};

function asBatonError(error: unknown): BatonError {
  expect(error).toBeInstanceOf(BatonError);
  return error as BatonError;
}

/** Failures after the response headers, which the SDK's own retries never see. */
describe.each(APIS)('%s adapter: a stream that breaks after the headers', (api) => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI({ pieceSize: 3 });
  });
  afterEach(async () => fake.close());

  it('retries a connection reset mid-stream and returns the whole second answer', async () => {
    fake.enqueue(
      { type: 'text', content: 'a long answer that is cut', cut: { afterEvents: 3, how: 'reset' } },
      { type: 'tool_calls', content: 'done', calls: [{ name: 'read_file', arguments: { path: 'a' } }] },
    );
    const capture = capturingLogger();
    const streamed: string[] = [];

    const response = await clientFor(fake, { api }, { log: capture.log }).complete({
      ...request,
      onTextDelta: (text) => streamed.push(text),
    });

    expect(response.message.content).toBe('done');
    expect(response.message.toolCalls).toEqual([
      { id: 'call_1', name: 'read_file', arguments: '{"path":"a"}' },
    ]);
    expect(response.finishReason).toBe('tool_calls');
    expect(fake.modelRequests()).toHaveLength(2);
    expect(fake.modelRequests()[1]?.body).toEqual(fake.modelRequests()[0]?.body);
    // The cut answer's pieces reached the caller before the cut; the retry's follow them.
    expect(streamed.join('')).toMatch(/done$/);
    const warning = capture.lines().find((line) => line.code === 'model_stream_cut');
    expect(warning).toMatchObject({ level: 40, attempt: 1 });
    expect(String(warning?.msg)).toContain('lost in the middle of its answer');
  });

  it('retries a stream the server ends cleanly before the answer is complete', async () => {
    fake.enqueue(
      { type: 'text', content: 'half an answer', cut: { afterEvents: 2, how: 'end' } },
      { type: 'text', content: 'whole' },
    );

    const response = await clientFor(fake, { api }).complete(request);

    expect(response.message.content).toBe('whole');
    expect(response.finishReason).toBe('stop');
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it('retries a stream that stalls between two events', async () => {
    fake.enqueue(
      { type: 'text', content: 'slow answer', pauseMs: 5_000, pauseAfterEvents: 2 },
      { type: 'text', content: 'quick' },
    );

    const response = await clientFor(fake, { api, streamStallMs: 200 }).complete(request);

    expect(response.message.content).toBe('quick');
    expect(fake.modelRequests()).toHaveLength(2);
  });

  it('gives up after streamRetries and says how many attempts were made', async () => {
    const cut = {
      type: 'text' as const,
      content: 'never whole',
      cut: { afterEvents: 2, how: 'reset' as const },
    };
    fake.enqueue(cut, cut, cut, { type: 'text', content: 'not reached' });

    const error = asBatonError(
      await rejectionOf(clientFor(fake, { api, streamRetries: 2 }).complete(request)),
    );

    expect(error.code).toBe('model_stream_cut');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Gave up after 3 attempts.');
    expect(error.hint).toContain('proxy');
    expect(fake.modelRequests()).toHaveLength(3);
    expect(fake.remaining()).toBe(1);
  });

  it('does not take an error the server reports inside the stream for a cut', async () => {
    fake.enqueue(
      { type: 'text', content: 'half', failAfterEvents: 2 },
      { type: 'text', content: 'not reached' },
    );

    const error = asBatonError(await rejectionOf(clientFor(fake, { api }).complete(request)));

    expect(error.code).toBe('model_server_error');
    expect(error.message).toContain('the server failed while streaming');
    expect(fake.modelRequests()).toHaveLength(1);
    expect(fake.remaining()).toBe(1);
  });

  it('does not retry a stream the caller cancels during the backoff', async () => {
    fake.enqueue(
      { type: 'text', content: 'cut', cut: { afterEvents: 2, how: 'reset' } },
      { type: 'text', content: 'not reached' },
    );
    const controller = new AbortController();
    const capture = capturingLogger();
    const client = clientFor(
      fake,
      { api, streamRetries: 1 },
      { log: capture.log, streamRetryBaseDelayMs: 60_000 },
    );
    // Cancel once the retry is announced, i.e. while the client waits a minute to retry.
    const pending = rejectionOf(client.complete(request, controller.signal));
    await fake.waitForRequests(1);
    await waitUntil(() => capture.lines().some((line) => line.code === 'model_stream_cut'));
    controller.abort();

    expect(asBatonError(await pending).code).toBe('model_cancelled');
    expect(fake.remaining()).toBe(1);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}
