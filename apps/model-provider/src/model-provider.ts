import { costOf as modelsCostOf, estimateTokens } from '@tta/models';

/** One message of a chat conversation, in the OpenAI chat format. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What a model is asked. */
export interface ModelRequest {
  /** The conversation; the last message is usually the user's. */
  readonly messages: readonly ChatMessage[];
  /** Upper bound on the tokens of the answer. */
  readonly maxTokens?: number;
  /** Sampling temperature; ignored by the simulated model. */
  readonly temperature?: number;
  /** Overrides the provider's model for this call. */
  readonly model?: string;
}

/** Per-call options that are not part of the request itself. */
export interface ModelCallOptions {
  /** Cancels the call; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Token usage of one call. */
export interface ModelUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** The answer of a model. */
export interface ModelResponse {
  /** The generated text. The simulated model starts it with `[simulated]`. */
  readonly text: string;
  /** The model that answered. */
  readonly model: string;
  /** Which provider answered: `'simulated'` or `'openai-compatible'`. */
  readonly provider: string;
  /** True when no real model was involved. */
  readonly simulated: boolean;
  readonly usage: ModelUsage;
  /** Estimated cost of the call in US dollars, from the provider's pricing. */
  readonly costUsd: number;
  /** Wall time of the call as measured by the provider, in milliseconds. */
  readonly latencyMs: number;
}

/**
 * Anything that answers chat requests: the seeded simulated model, or a real OpenAI-compatible
 * endpoint. Apps depend on this interface only, so the same workflow runs offline and online.
 */
export interface ModelProvider {
  /** `'simulated'` or `'openai-compatible'`. */
  readonly name: string;
  /** The default model of the provider. */
  readonly model: string;
  /** True for the simulated model. */
  readonly simulated: boolean;
  /** Sends one chat request. Rejects with a `ModelRequestError` (or the signal's reason) on failure. */
  complete(request: ModelRequest, options?: ModelCallOptions): Promise<ModelResponse>;
}

/** Prices per million tokens, used for the estimated cost of each call. */
export interface ModelPricing {
  /** @default 0.15 */
  readonly inputPerMillionUsd: number;
  /** @default 0.6 */
  readonly outputPerMillionUsd: number;
}

/** Prices used when none are given (a small hosted model). */
export const defaultPricing: ModelPricing = { inputPerMillionUsd: 0.15, outputPerMillionUsd: 0.6 };

/** Cost in dollars of `usage` at `pricing`, computed by `@tta/models`' `costOf` (the demo's cost column). */
export function costOf(usage: ModelUsage, pricing: ModelPricing): number {
  return modelsCostOf(usage, 'model', { model: { inputUsdPerMillionTokens: pricing.inputPerMillionUsd, outputUsdPerMillionTokens: pricing.outputPerMillionUsd } }) ?? 0;
}

/** A rough token count (about four characters per token), used where no tokenizer is at hand. */
export { estimateTokens };
