import { Writable } from 'node:stream';
import type { z } from 'zod';
import { modelSchema } from '../../../src/config/schema.ts';
import { createModelClient } from '../../../src/model/create-model-client.ts';
import type { ParameterMemory } from '../../../src/model/parameter-memory.ts';
import type { ModelClient, ToolSpec } from '../../../src/model/types.ts';
import { createLogger, type Logger } from '../../../src/observability/logger.ts';
import type { FakeOpenAI } from '../../fakes/openai-server.ts';

export const APIS = ['chat-completions', 'responses'] as const;

export const TEST_API_KEY = 'sk-test-0123456789abcdefghij';

export const READ_FILE_TOOL: ToolSpec = {
  name: 'read_file',
  description: 'Read a file from the workspace.',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

export const GREP_TOOL: ToolSpec = {
  name: 'grep',
  description: 'Search the workspace.',
  parameters: { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] },
};

/** The real client (real OpenAI SDK) pointed at the fake, with test-sized timeouts. */
export function clientFor(
  fake: FakeOpenAI,
  config: z.input<typeof modelSchema> = {},
  extra: {
    apiKey?: string;
    fetch?: typeof fetch;
    baseUrl?: string;
    log?: Logger;
    parameterMemory?: ParameterMemory;
    streamRetryBaseDelayMs?: number;
  } = {},
): ModelClient {
  return createModelClient({
    config: modelSchema.parse({ name: 'gpt-test', timeoutMs: 10_000, ...config }),
    apiKey: extra.apiKey ?? TEST_API_KEY,
    baseUrl: extra.baseUrl ?? fake.baseUrl,
    // Test-sized backoff: the retries are what is under test, not the wait.
    streamRetryBaseDelayMs: extra.streamRetryBaseDelayMs ?? 10,
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
    ...(extra.log ? { log: extra.log } : {}),
    ...(extra.parameterMemory ? { parameterMemory: extra.parameterMemory } : {}),
  });
}

/** A real logger whose JSON lines land in `lines`. */
export function capturingLogger(): { log: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        raw.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  return { log, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** Awaits a promise that must reject and returns what it rejected with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}
