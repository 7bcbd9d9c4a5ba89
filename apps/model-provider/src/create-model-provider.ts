import { ModelConfigurationError } from './errors/model-configuration-error.js';
import type { ModelPricing, ModelProvider } from './model-provider.js';
import { OpenAICompatibleProvider } from './openai-compatible-provider.js';
import { displayUrl } from './safe-url.js';
import { SimulatedModelProvider, type SimulatedModelOptions } from './simulated-model-provider.js';

/** Options of {@link createModelProvider}. */
export interface CreateModelProviderOptions {
  /**
   * Where the configuration is read from.
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Options of the simulated model, when it is the one chosen. */
  readonly simulated?: SimulatedModelOptions;
  /** Prices for the real provider's cost estimate. @default defaultPricing */
  readonly pricing?: ModelPricing;
  /** fetch for the real provider (tests). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Largest response body the real provider reads. @default DEFAULT_MAX_RESPONSE_BYTES (4 MiB) */
  readonly maxResponseBytes?: number;
}

/** The OpenAI API, used when `OPENAI_API_KEY` is set without `OPENAI_BASE_URL`. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Model used against the OpenAI API when `OPENAI_MODEL` is not set. */
export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';

/**
 * Picks the model from the environment:
 *
 * | variable | effect |
 * |---|---|
 * | `TTA_MODEL_PROVIDER` | `simulated` or `openai`; by default `openai` when `OPENAI_BASE_URL` or `OPENAI_API_KEY` is set |
 * | `OPENAI_BASE_URL` | endpoint, e.g. `http://127.0.0.1:11434/v1` (Ollama); default the OpenAI API |
 * | `OPENAI_API_KEY` | bearer key; required for the OpenAI API, optional for local servers |
 * | `OPENAI_MODEL` | model name; required unless the endpoint is the OpenAI API |
 *
 * With none of them set, the seeded simulated model answers, offline. A configuration that cannot
 * work throws a {@link ModelConfigurationError} whose one-line message names the variable to set.
 */
export function createModelProvider(options: CreateModelProviderOptions = {}): ModelProvider {
  const env = options.env ?? process.env;
  const choice = (env.TTA_MODEL_PROVIDER ?? '').trim().toLowerCase();
  const baseUrl = nonEmpty(env.OPENAI_BASE_URL);
  const apiKey = nonEmpty(env.OPENAI_API_KEY);
  if (choice !== '' && choice !== 'simulated' && choice !== 'openai') {
    throw new ModelConfigurationError('TTA_MODEL_PROVIDER', `TTA_MODEL_PROVIDER is "${choice}": set TTA_MODEL_PROVIDER to simulated or openai`);
  }
  const real = choice === 'openai' || (choice === '' && (baseUrl !== undefined || apiKey !== undefined));
  if (!real) return new SimulatedModelProvider(options.simulated);

  const endpoint = baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  // Error messages are printed: they name the endpoint without its userinfo or query.
  const shown = displayEndpoint(endpoint);
  const isOpenAI = isOpenAIHost(endpoint);
  if (isOpenAI && apiKey === undefined) {
    throw new ModelConfigurationError(
      'OPENAI_API_KEY',
      `OPENAI_API_KEY is not set: set OPENAI_API_KEY to call ${shown}, or unset OPENAI_BASE_URL and TTA_MODEL_PROVIDER to use the simulated model`,
    );
  }
  const model = nonEmpty(env.OPENAI_MODEL) ?? (isOpenAI ? OPENAI_DEFAULT_MODEL : undefined);
  if (model === undefined) {
    throw new ModelConfigurationError('OPENAI_MODEL', `OPENAI_MODEL is not set: set OPENAI_MODEL to a model that ${shown} serves (for example llama3.2)`);
  }
  return new OpenAICompatibleProvider({
    baseUrl: endpoint,
    model,
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(options.pricing === undefined ? {} : { pricing: options.pricing }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
}

/** One line that says which model answers, for the banner of an app. */
export function describeModelProvider(provider: ModelProvider): string {
  if (provider.simulated) {
    const seed = provider instanceof SimulatedModelProvider ? `, seed ${provider.seed}` : '';
    return `model: simulated ${provider.model}${seed} (offline; set OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL for a real endpoint)`;
  }
  const endpoint = provider instanceof OpenAICompatibleProvider ? ` at ${provider.endpoint}` : '';
  return `model: ${provider.model}${endpoint}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function displayEndpoint(endpoint: string): string {
  try {
    return displayUrl(new URL(endpoint));
  } catch {
    return endpoint.replace(/\/\/[^/@]*@/, '//[REDACTED]@').replace(/[?#].*$/, '');
  }
}

function isOpenAIHost(endpoint: string): boolean {
  try {
    return new URL(endpoint).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}
