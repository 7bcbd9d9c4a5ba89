import { InvalidOptionsError } from '@tta/primitives';
import { ModelRequestError as ModelsRequestError, ModelResponseError, openAICompatible, parseRetryAfter, type ModelProvider as ModelsProvider } from '@tta/models';
import { ModelConfigurationError } from './errors/model-configuration-error.js';
import { ModelRequestError } from './errors/model-request-error.js';
import { ModelResponseTooLargeError } from './errors/model-response-too-large-error.js';
import { displayUrl } from './safe-url.js';
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
  /**
   * Largest response body read from the endpoint, in bytes; a larger one is cut off and the call
   * rejects with `ModelResponseTooLargeError`, so a runaway endpoint cannot exhaust memory.
   * @default 4194304 (4 MiB, {@link DEFAULT_MAX_RESPONSE_BYTES})
   */
  readonly maxResponseBytes?: number;
}

/** Default of {@link OpenAICompatibleOptions.maxResponseBytes}: 4 MiB, far above any chat completion. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export { parseRetryAfter };

/**
 * A real model behind any OpenAI-compatible chat completions API: OpenAI, Ollama, vLLM,
 * llama.cpp's server. The HTTP exchange is `@tta/models`' `openAICompatible`; this class keeps the
 * apps' `complete()` shape and turns 401/403/404 into configuration errors that name the
 * environment variable to set.
 *
 * @example
 * const model = new OpenAICompatibleProvider({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2' });
 */
export class OpenAICompatibleProvider implements ModelProvider {
  readonly name = 'openai-compatible';
  readonly simulated = false;
  readonly model: string;
  /** The chat completions URL as it may be shown: without userinfo, query or fragment. */
  readonly endpoint: string;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
  private readonly apiKey: string | undefined;
  private readonly pricing: ModelPricing;
  private readonly inner: ModelsProvider;

  constructor(options: OpenAICompatibleOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (error) {
      throw new ModelConfigurationError(
        'OPENAI_BASE_URL',
        `OPENAI_BASE_URL is not a valid URL ("${String(options.baseUrl).replace(/\/\/[^/@]*@/, '//[REDACTED]@')}"): set OPENAI_BASE_URL to an endpoint such as http://127.0.0.1:11434/v1`,
        { cause: error },
      );
    }
    if (typeof options.model !== 'string' || options.model.length === 0) {
      throw new InvalidOptionsError('OpenAICompatibleProvider', 'model', 'must be a non-empty string');
    }
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) {
      throw new InvalidOptionsError('OpenAICompatibleProvider', 'maxResponseBytes', 'must be a positive integer number of bytes');
    }
    this.maxResponseBytes = maxResponseBytes;
    this.model = options.model;
    this.apiKey = options.apiKey === undefined || options.apiKey.length === 0 ? undefined : options.apiKey;
    this.pricing = options.pricing ?? defaultPricing;
    this.inner = openAICompatible({
      baseUrl: options.baseUrl,
      model: options.model,
      maxResponseBytes,
      ...(this.apiKey === undefined ? {} : { apiKey: this.apiKey }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    url.username = '';
    url.password = '';
    url.hash = '';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
    this.endpoint = displayUrl(url);
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const model = request.model ?? this.model;
    const started = performance.now();
    let answer: Awaited<ReturnType<ModelsProvider['generate']>>;
    try {
      // The HTTP exchange is @tta/models' openAICompatible; this class adds the app's configuration errors.
      answer = await this.inner.generate(
        {
          model,
          messages: request.messages,
          ...(request.maxTokens === undefined ? {} : { maxOutputTokens: request.maxTokens }),
          ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
        },
        signal === undefined ? {} : { signal },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.translate(error);
    }
    const usage = answer.usage.estimated === true
      ? { inputTokens: estimateTokens(request.messages.map((message) => message.content).join('\n')), outputTokens: estimateTokens(answer.text) }
      : { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens };
    return {
      text: answer.text,
      model: answer.model,
      provider: this.name,
      simulated: false,
      usage,
      costUsd: costOf(usage, this.pricing),
      latencyMs: performance.now() - started,
    };
  }

  /** The package's typed errors, as the app names them: configuration errors name the variable to set. */
  private translate(error: unknown): unknown {
    if (ModelResponseError.isInstance(error)) {
      return error.limitBytes === undefined
        ? new ModelRequestError(`the model at ${this.endpoint} answered without choices[0].message.content`, { status: 502, retryable: false })
        : new ModelResponseTooLargeError(error.limitBytes, `the model at ${this.endpoint} sent a response larger than ${error.limitBytes} bytes (maxResponseBytes)`);
    }
    if (!ModelsRequestError.isInstance(error)) return error;
    const status = error.status;
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
    const message = status === 0 ? error.message.replace(/^could not reach the model at (\S+):/, 'could not reach the model at $1 (check OPENAI_BASE_URL):') : error.message;
    return new ModelRequestError(message, {
      status,
      retryable: error.retryable || status === 409,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      cause: error,
    });
  }
}
