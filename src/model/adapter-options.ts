import type { OpenAI } from 'openai';
import type { Logger } from '../observability/logger.ts';
import type { StreamRetryPolicy } from './call-with-recovery.ts';
import type { ModelCallContext } from './model-errors.ts';
import type { ParameterMemory } from './parameter-memory.ts';
import type { PriceTable } from './pricing.ts';

/** What both adapters are built from; `createModelClient` fills it from the config. */
export interface ModelAdapterOptions {
  /** Carries the base URL, API key, per-call timeout and retry count. */
  client: OpenAI;
  model: string;
  prices: PriceTable;
  /** Used when a request does not set its own. */
  maxOutputTokens?: number;
  /** Sent only when set: a server's own default applies otherwise. */
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  parallelToolCalls?: boolean;
  streamStallMs: number;
  streamRetry: StreamRetryPolicy;
  /** Optional parameters each endpoint refused; shared across clients of one process. */
  parameterMemory: ParameterMemory;
  log: Logger;
}

export function callContext(options: ModelAdapterOptions, signal: AbortSignal | undefined): ModelCallContext {
  return {
    baseUrl: options.client.baseURL,
    model: options.model,
    timeoutMs: options.client.timeout,
    maxRetries: options.client.maxRetries,
    streamStallMs: options.streamStallMs,
    signal,
  };
}

/** The full URL a call posts to, e.g. `https://api.openai.com/v1/chat/completions`. */
export function endpointOf(options: ModelAdapterOptions, path: string): string {
  return `${options.client.baseURL.replace(/\/+$/, '')}${path}`;
}
