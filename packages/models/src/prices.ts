import { InvalidOptionsError } from '@tta/primitives';
import type { ModelPrices, ModelUsage } from './model-provider.js';

/**
 * Cost in US dollars of `usage` for `model` at `prices`, or undefined when `prices` has no entry for
 * the model (an unknown price is not a price of zero).
 *
 * @example
 * ```ts
 * costOf({ inputTokens: 1_000, outputTokens: 500 }, 'small', { small: { inputUsdPerMillionTokens: 0.15, outputUsdPerMillionTokens: 0.6 } });
 * // 0.00045
 * ```
 */
export function costOf(usage: ModelUsage, model: string, prices: ModelPrices | undefined): number | undefined {
  if (prices === undefined || !Object.hasOwn(prices, model)) return undefined;
  const price = prices[model];
  if (price === undefined) return undefined;
  return (usage.inputTokens * price.inputUsdPerMillionTokens + usage.outputTokens * price.outputUsdPerMillionTokens) / 1_000_000;
}

/** Refuses a price table that would make NaN or negative costs, naming the model and field. */
export function assertPrices(owner: string, prices: unknown): asserts prices is ModelPrices | undefined {
  if (prices === undefined) return;
  if (typeof prices !== 'object' || prices === null || Array.isArray(prices)) {
    throw new InvalidOptionsError(owner, 'prices', 'must be an object { [model]: { inputUsdPerMillionTokens, outputUsdPerMillionTokens } }');
  }
  for (const [model, price] of Object.entries(prices)) {
    if (typeof price !== 'object' || price === null) throw new InvalidOptionsError(owner, `prices.${model}`, 'must be an object { inputUsdPerMillionTokens, outputUsdPerMillionTokens }');
    for (const field of ['inputUsdPerMillionTokens', 'outputUsdPerMillionTokens'] as const) {
      const value: unknown = (price as Record<string, unknown>)[field];
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new InvalidOptionsError(owner, `prices.${model}.${field}`, `must be a finite number >= 0 (US dollars per million tokens)`);
      }
    }
  }
}
