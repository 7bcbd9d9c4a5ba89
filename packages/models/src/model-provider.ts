/** One message of a conversation. */
export interface ModelMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** What a model is asked. A plain string given to a model step is one user message. */
export interface ModelRequest {
  /** Overrides the provider's default model for this call. */
  readonly model?: string;
  /** The conversation, oldest first. */
  readonly messages: readonly ModelMessage[];
  /** Sampling temperature. */
  readonly temperature?: number;
  /** Upper bound on the tokens of the answer. */
  readonly maxOutputTokens?: number;
}

/** Tokens one call used. */
export interface ModelUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** True when the counts are estimated from the text (the server reported none). @default false */
  readonly estimated?: boolean;
}

/** Why the model stopped: `'stop'`, `'length'`, `'content-filter'`, `'tool-calls'`, `'error'` or `'other'`. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other';

/** A model's answer. */
export interface ModelResponse {
  readonly text: string;
  /** The model that answered (as the provider reports it). */
  readonly model: string;
  readonly usage: ModelUsage;
  readonly finishReason: FinishReason;
}

/** One piece of a streamed answer, as a provider yields it. */
export type ModelStreamPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'finish'; readonly model: string; readonly usage: ModelUsage | undefined; readonly finishReason: FinishReason };

/** Per-call options of a provider. */
export interface ModelCallOptions {
  /** Cancels the call: a provider closes its request and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Anything that answers model requests: an OpenAI-compatible endpoint, the simulated model, an AI
 * SDK model. `specificationVersion` lets later versions of this interface be told apart.
 *
 * @example
 * ```ts
 * const echo: ModelProvider = {
 *   specificationVersion: 1,
 *   providerName: 'echo',
 *   generate: async (request) => ({ text: request.messages.at(-1)?.content ?? '', model: 'echo', usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' }),
 * };
 * ```
 */
export interface ModelProvider {
  readonly specificationVersion: 1;
  /** Names the provider in spans (`gen_ai.provider.name`): `'openai-compatible'`, `'simulated'`... */
  readonly providerName: string;
  /** The model used when a request names none. */
  readonly defaultModel?: string;
  /** True when no real model answers (the simulated model). */
  readonly simulated?: boolean;
  /** One request, one answer. Rejects with the signal's reason once it aborts. */
  generate(request: ModelRequest, options: ModelCallOptions): Promise<ModelResponse>;
  /** The answer as it is produced: text parts, then one `finish` part (with usage when known). */
  stream?(request: ModelRequest, options: ModelCallOptions): AsyncIterable<ModelStreamPart>;
}

/** Prices of one model, in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputUsdPerMillionTokens: number;
  readonly outputUsdPerMillionTokens: number;
}

/** Prices per model name; user data (none ship with the package, since prices change). */
export type ModelPrices = Readonly<Record<string, ModelPrice>>;
