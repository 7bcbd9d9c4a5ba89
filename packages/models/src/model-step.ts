import { WorkflowPrimitive, type PrimitiveOptions, type WorkflowContext } from '@tta/primitives';
import { InvalidOptionsError } from '@tta/primitives';
import { requireNonEmptyString, requireOptionsObject, type PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { assertModelResponse } from './assert-model-response.js';
import { assertPrices } from './prices.js';
import { toModelRequest } from './model-request.js';
import { reportModelUsage } from './report-model-usage.js';
import type { ModelPrices, ModelProvider, ModelRequest, ModelResponse } from './model-provider.js';

/** Options of {@link modelStep}. */
export interface ModelStepOptions extends PrimitiveOptions {
  /** The model to ask when a request names none. @default the provider's default model */
  readonly model?: string;
  /**
   * Prices per model, in US dollars per million tokens, for the cost reported with the usage (and
   * counted by budgets). None ship with the package: load your own table. @default none (cost unknown, not zero)
   */
  readonly prices?: ModelPrices;
}

/** What a model step returns: the provider's answer and, when `prices` knew the model, its cost. */
export interface ModelStepResponse extends ModelResponse {
  /** Cost of the call in US dollars; undefined when `prices` has no entry for the model. */
  readonly costUsd?: number;
}

/** @internal Checks a provider has the shape this version of the package speaks. */
export function assertProvider(owner: string, provider: unknown, needsStream: boolean): asserts provider is ModelProvider {
  const candidate = provider as Partial<ModelProvider> | null | undefined;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.generate !== 'function') {
    throw new InvalidOptionsError(owner, 'provider', 'must be a ModelProvider { specificationVersion: 1, providerName, generate() }');
  }
  if (candidate.specificationVersion !== 1) throw new InvalidOptionsError(owner, 'provider', `has specificationVersion ${String(candidate.specificationVersion)}; this version of @tta/models speaks 1`);
  requireNonEmptyString(owner, 'provider.providerName', candidate.providerName);
  if (needsStream && typeof candidate.stream !== 'function') throw new InvalidOptionsError(owner, 'provider', `"${candidate.providerName ?? ''}" cannot stream (it has no stream())`);
}

/**
 * A model call as a primitive. Made by {@link modelStep}; its kind is `model`.
 *
 * @example
 * ```ts
 * const ask = new ModelStepPrimitive(simulatedModel({ seed: 1 }), { name: 'ask' });
 * const { text, usage } = await ask.run('Hello');
 * ```
 */
export class ModelStepPrimitive extends WorkflowPrimitive<ModelRequest | string, ModelStepResponse> {
  readonly provider: ModelProvider;
  /** The model asked when a request names none. */
  readonly model: string | undefined;
  readonly #prices: ModelPrices | undefined;

  constructor(provider: ModelProvider, options: ModelStepOptions = {}) {
    requireOptionsObject('modelStep', options, { known: ['name', 'instrument', 'model', 'prices'] });
    assertProvider('modelStep', provider, false);
    const model = options.model ?? provider.defaultModel;
    super('model', { name: options.name ?? `model(${model ?? provider.providerName})`, ...(options.instrument === undefined ? {} : { instrument: options.instrument }) });
    requireNonEmptyString('modelStep', 'model', options.model, { optional: true });
    assertPrices('modelStep', options.prices);
    this.provider = provider;
    this.model = model;
    this.#prices = options.prices;
  }

  /** The provider's name and the model: never a key, a header or a URL. */
  override _describeOptions(): PrimitiveOptionsSummary {
    return { provider: this.provider.providerName, ...(this.model === undefined ? {} : { model: this.model }) };
  }

  protected async executeImpl(context: WorkflowContext, input: ModelRequest | string): Promise<ModelStepResponse> {
    let request = toModelRequest(this.name, input);
    if (request.model === undefined && this.model !== undefined) request = { ...request, model: this.model };
    // Before the call, never after: a budget that is spent must not pay for one more answer.
    context.checkBudget();
    const response = await this.provider.generate(request, { signal: context.signal });
    assertModelResponse(this.provider.providerName, response);
    const requested = request.model ?? response.model;
    const costUsd = reportModelUsage(context, response.usage, response.model, requested, this.#prices, this.provider.providerName);
    return costUsd === undefined ? response : { ...response, costUsd };
  }
}

/**
 * Makes a model call a step: checks the run's budget, calls `provider` with the context's signal
 * (a timeout or an abort closes the request), then reports the usage and its cost with
 * `context.reportUsage`, which budgets count and `@tta/observability` turns into `gen_ai.usage.*`
 * span attributes and `tta_llm_*` metrics. The input is a request or a plain string (one user message).
 *
 * @example
 * ```ts
 * const prices = { 'gpt-4o-mini': { inputUsdPerMillionTokens: 0.15, outputUsdPerMillionTokens: 0.6 } };
 * const ask = modelStep(openAICompatible({ baseUrl: 'https://api.openai.com/v1', apiKey: process.env.OPENAI_API_KEY ?? '', model: 'gpt-4o-mini' }), { prices });
 * const answer = await budget(retry(ask), { maxCostUsd: 0.05 }).run('Name three primes');
 * ```
 */
export function modelStep(provider: ModelProvider, options: ModelStepOptions = {}): ModelStepPrimitive {
  return new ModelStepPrimitive(provider, options);
}
