import type { OpenAI } from 'openai';
import type { ModelCallContext } from './model-errors.ts';
import type { PriceTable } from './pricing.ts';

/** What both adapters are built from; `createModelClient` fills it from the config. */
export interface ModelAdapterOptions {
  /** Carries the base URL, API key, per-call timeout and retry count. */
  client: OpenAI;
  model: string;
  prices: PriceTable;
  /** Used when a request does not set its own. */
  maxOutputTokens?: number;
}

export function callContext(options: ModelAdapterOptions, signal: AbortSignal | undefined): ModelCallContext {
  return {
    baseUrl: options.client.baseURL,
    model: options.model,
    timeoutMs: options.client.timeout,
    maxRetries: options.client.maxRetries,
    signal,
  };
}
