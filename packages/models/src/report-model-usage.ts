import type { WorkflowContext } from '@tta/primitives';
import { costOf } from './prices.js';
import type { ModelPrices, ModelUsage } from './model-provider.js';

/**
 * Reports one call's usage to the context (run totals, budgets, metrics and spans) and returns its
 * cost in dollars, undefined when `prices` has none for the model. The answering model's price is
 * used, else the requested one's (a provider may answer `gpt-4o-2024-08-06` for `gpt-4o`).
 */
export function reportModelUsage(
  context: WorkflowContext,
  usage: ModelUsage,
  answeredModel: string,
  requestedModel: string,
  prices: ModelPrices | undefined,
  provider: string,
): number | undefined {
  const costUsd = costOf(usage, answeredModel, prices) ?? costOf(usage, requestedModel, prices);
  context.reportUsage({
    model: answeredModel,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    provider,
    ...(costUsd === undefined ? {} : { costUsd }),
    ...(usage.estimated === true ? { estimated: true } : {}),
  });
  return costUsd;
}
