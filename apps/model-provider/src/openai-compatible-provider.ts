import { InvalidOptionsError } from '@tta/primitives';
import { ModelConfigurationError } from './errors/model-configuration-error.js';
import { ModelRequestError } from './errors/model-request-error.js';
import { costOf, defaultPricing, estimateTokens, type ModelCallOptions, type ModelPricing, type ModelProvider, type ModelRequest, type ModelResponse } from './model-provider.js';

/** Options of {@link OpenAICompatibleProvider}. */
export interface OpenAICompatibleOptions {
  /** Base URL of the API, up to and including the version, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; local servers (Ollama, llama.cpp) often need none. */
  readonly apiKey?: string;
  /** Model name sent with every request. */
  readonly model: string;
  /** Prices for the estimated cost. @default defaultPricing */
  readonly pricing?: ModelPricing;
  /**
   * The fetch implementation (for tests or a proxy-aware client).
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
}

interface ChatCompletionBody {
  readonly model?: string;
  readonly choices?: ReadonlyArray<{ readonly message?: { readonly content?: string | null } }>;
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number };
  readonly error?: { readonly message?: string };
}

const maxRetryAfterMs = 60_000;

/**
 * A real model behind any OpenAI-compatible chat completions API: OpenAI, Ollama, vLLM,
 * llama.cpp's server. One `POST {baseUrl}/chat/completions` per call, with the caller's signal.
 *
 * @example
 * const model = new OpenAICompatibleProvider({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2' });
 */
export class OpenAICompatibleProvider implements ModelProvider {
  readonly name = 'openai-compatible';
  readonly simulated = false;
  readonly model: string;
  readonly endpoint: string;
  private readonly apiKey: string | undefined;
  private readonly pricing: ModelPricing;
  private readonly fetchImpl: typeof fetch;

  constructor(options: OpenAICompatibleOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (error) {
      throw new ModelConfigurationError(
        'OPENAI_BASE_URL',
        `OPENAI_BASE_URL is not a valid URL ("${options.baseUrl}"): set OPENAI_BASE_URL to an endpoint such as http://127.0.0.1:11434/v1`,
        { cause: error },
      );
    }
    if (typeof options.model !== 'string' || options.model.length === 0) {
      throw new InvalidOptionsError('OpenAICompatibleProvider', 'model', 'must be a non-empty string');
    }
    this.endpoint = `${url.href.replace(/\/+$/, '')}/chat/completions`;
    this.model = options.model;
    this.apiKey = options.apiKey === undefined || options.apiKey.length === 0 ? undefined : options.apiKey;
    this.pricing = options.pricing ?? defaultPricing;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const model = request.model ?? this.model;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    const body: Record<string, unknown> = { model, messages: request.messages };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    const started = performance.now();
    let response: Response;
    try {
      response = await this.fetchImpl(this.endpoint, { method: 'POST', headers, body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ModelRequestError(`could not reach the model at ${this.endpoint} (check OPENAI_BASE_URL): ${describe(error)}`, {
        status: 0,
        retryable: true,
        cause: error,
      });
    }
    const raw = await response.text();
    const parsed = parseJson(raw);
    if (!response.ok) throw this.failure(response, parsed, raw);
    const text = parsed?.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      throw new ModelRequestError(`the model at ${this.endpoint} answered without choices[0].message.content`, { status: 502, retryable: false });
    }
    const usage = {
      inputTokens: parsed?.usage?.prompt_tokens ?? estimateTokens(request.messages.map((message) => message.content).join('\n')),
      outputTokens: parsed?.usage?.completion_tokens ?? estimateTokens(text),
    };
    return {
      text,
      model: parsed?.model ?? model,
      provider: this.name,
      simulated: false,
      usage,
      costUsd: costOf(usage, this.pricing),
      latencyMs: performance.now() - started,
    };
  }

  private failure(response: Response, parsed: ChatCompletionBody | undefined, raw: string): Error {
    const status = response.status;
    const detail = oneLine(parsed?.error?.message ?? raw).slice(0, 200);
    if (status === 401 || status === 403) {
      return new ModelConfigurationError(
        'OPENAI_API_KEY',
        this.apiKey === undefined
          ? `the model endpoint ${this.endpoint} needs an API key (HTTP ${status}): set OPENAI_API_KEY`
          : `the model endpoint ${this.endpoint} rejected the API key (HTTP ${status}): set OPENAI_API_KEY to a valid key`,
      );
    }
    if (status === 404) {
      return new ModelConfigurationError(
        'OPENAI_MODEL',
        `the model endpoint ${this.endpoint} answered HTTP 404 for model "${this.model}": check OPENAI_MODEL and OPENAI_BASE_URL (it usually ends in /v1)`,
      );
    }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const retryAfterMs = parseRetryAfter(response.headers);
    return new ModelRequestError(`the model at ${this.endpoint} failed with HTTP ${status}${detail === '' ? '' : `: ${detail}`}`, {
      status,
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date), bounded to a minute. */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && Number.isFinite(Number(milliseconds))) return clamp(Number(milliseconds));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return clamp(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clamp(date - now);
}

function clamp(ms: number): number {
  return Math.min(Math.max(ms, 0), maxRetryAfterMs);
}

function parseJson(raw: string): ChatCompletionBody | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null ? (value as ChatCompletionBody) : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return oneLine(`${error.message}${cause}`);
  }
  return String(error);
}
