import { ModelResponseError } from './errors/model-response-error.js';
import type { ModelResponse } from './model-provider.js';

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/**
 * @internal Refuses a provider's answer that breaks the `ModelResponse` contract (a hand-written
 * provider may forget `usage`): a typed error naming the provider and the field, rather than a
 * TypeError deep in the usage report after the call was paid for.
 */
export function assertModelResponse(providerName: string, response: unknown): asserts response is ModelResponse {
  const fail = (problem: string): never => {
    throw new ModelResponseError(`the provider "${providerName}" answered without ${problem}`);
  };
  if (typeof response !== 'object' || response === null) fail('an object { text, model, usage, finishReason }');
  const { text, model, usage } = response as Record<string, unknown>;
  if (typeof text !== 'string') fail('a string "text"');
  if (typeof model !== 'string' || model === '') fail('a non-empty string "model"');
  if (typeof usage !== 'object' || usage === null) fail('"usage" { inputTokens, outputTokens }');
  const { inputTokens, outputTokens } = usage as Record<string, unknown>;
  if (!isCount(inputTokens) || !isCount(outputTokens)) fail('"usage" counts that are finite numbers >= 0');
}
