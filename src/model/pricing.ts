import type { ModelConfig } from '../config/schema.ts';
import type { Usage } from './types.ts';

export type PriceTable = ModelConfig['prices'];

/**
 * The cost of one call in USD. Cached input tokens are part of `inputTokens` (as every
 * OpenAI-compatible API counts them) and are billed at the cached rate when the table has one.
 * A model missing from the table costs 0; `baton doctor` warns about it.
 */
export function computeCostUsd(options: { usage: Usage; model: string; prices: PriceTable }): number {
  const price = options.prices[options.model];
  if (!price) return 0;
  const { inputTokens, outputTokens } = options.usage;
  const cachedTokens = Math.min(options.usage.cachedInputTokens, inputTokens);
  const cachedRate = price.cachedInputPerMillion ?? price.inputPerMillion;
  const micro =
    (inputTokens - cachedTokens) * price.inputPerMillion +
    cachedTokens * cachedRate +
    outputTokens * price.outputPerMillion;
  return micro / 1_000_000;
}
