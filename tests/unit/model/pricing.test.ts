import { describe, expect, it } from 'vitest';
import { computeCostUsd } from '../../../src/model/pricing.ts';

const usage = { inputTokens: 2_000_000, cachedInputTokens: 1_000_000, outputTokens: 500_000 };

describe('computeCostUsd', () => {
  it('bills cached input at the cached rate when the table has one', () => {
    const prices = { m: { inputPerMillion: 2, cachedInputPerMillion: 0.5, outputPerMillion: 8 } };
    // 1M uncached × 2 + 1M cached × 0.5 + 0.5M output × 8
    expect(computeCostUsd({ usage, model: 'm', prices })).toBeCloseTo(6.5, 10);
  });

  it('bills cached input at the input rate when no cached rate is given', () => {
    const prices = { m: { inputPerMillion: 2, outputPerMillion: 8 } };
    expect(computeCostUsd({ usage, model: 'm', prices })).toBeCloseTo(8, 10);
  });

  it('costs nothing for a model missing from the table', () => {
    expect(computeCostUsd({ usage, model: 'unknown', prices: {} })).toBe(0);
  });

  it('never bills more cached tokens than input tokens', () => {
    const prices = { m: { inputPerMillion: 2, cachedInputPerMillion: 0, outputPerMillion: 0 } };
    const odd = { inputTokens: 1_000_000, cachedInputTokens: 3_000_000, outputTokens: 0 };
    expect(computeCostUsd({ usage: odd, model: 'm', prices })).toBe(0);
  });
});
