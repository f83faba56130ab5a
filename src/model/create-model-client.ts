import { OpenAI } from 'openai';
import type { ModelConfig } from '../config/schema.ts';
import { createSilentLogger, type Logger } from '../observability/logger.ts';
import type { ModelAdapterOptions } from './adapter-options.ts';
import { createChatCompletionsClient } from './chat-completions.ts';
import { type ParameterMemory, processParameterMemory } from './parameter-memory.ts';
import { createResponsesClient } from './responses.ts';
import type { ModelClient } from './types.ts';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Local servers (Ollama, vLLM) need no key, but the SDK refuses to start without one. */
const PLACEHOLDER_API_KEY = 'baton-no-api-key';

export interface CreateModelClientOptions {
  config: ModelConfig;
  apiKey?: string;
  /** Wins over config.baseUrl (the composition root passes OPENAI_BASE_URL here). */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Where retries and refused parameters are reported. */
  log?: Logger;
  /** Defaults to the process-wide memory, so every client of the process learns together. */
  parameterMemory?: ParameterMemory;
  /** The wait before the first retry of a cut or stalled stream; it doubles after (default 1 s). */
  streamRetryBaseDelayMs?: number;
}

/** Builds the OpenAI SDK client from the config and picks the adapter for `config.api`. */
export function createModelClient(options: CreateModelClientOptions): ModelClient {
  const { config } = options;
  const client = new OpenAI({
    // Every value is passed explicitly so the SDK never falls back to reading the environment.
    baseURL: options.baseUrl ?? config.baseUrl ?? DEFAULT_OPENAI_BASE_URL,
    apiKey: options.apiKey || PLACEHOLDER_API_KEY,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: config.maxRetries,
    timeout: config.timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const adapterOptions: ModelAdapterOptions = {
    client,
    model: config.name,
    prices: config.prices,
    maxOutputTokens: config.maxOutputTokens,
    ...(config.reasoningEffort ? { reasoningEffort: config.reasoningEffort } : {}),
    ...(config.parallelToolCalls !== undefined ? { parallelToolCalls: config.parallelToolCalls } : {}),
    streamStallMs: config.streamStallMs,
    streamRetry: { retries: config.streamRetries, baseDelayMs: options.streamRetryBaseDelayMs ?? 1000 },
    parameterMemory: options.parameterMemory ?? processParameterMemory,
    log: options.log ?? createSilentLogger(),
  };
  switch (config.api) {
    case 'chat-completions':
      return createChatCompletionsClient(adapterOptions);
    case 'responses':
      return createResponsesClient(adapterOptions);
    default:
      return assertNever(config.api);
  }
}

function assertNever(value: never): never {
  throw new Error(`Unknown model API: ${String(value)}`);
}
