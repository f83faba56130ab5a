import { OpenAI } from 'openai';
import type { ModelConfig } from '../config/schema.ts';
import type { ModelAdapterOptions } from './adapter-options.ts';
import { createChatCompletionsClient } from './chat-completions.ts';
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
