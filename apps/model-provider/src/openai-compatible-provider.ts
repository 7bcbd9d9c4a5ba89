import { InvalidOptionsError } from '@tta/primitives';
import { redactText } from '@tta/primitives/logging';
import { ModelConfigurationError } from './errors/model-configuration-error.js';
import { ModelRequestError } from './errors/model-request-error.js';
import { readCappedText } from './read-capped-text.js';
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
  /** The chat completions URL as it may be shown: without userinfo, query or fragment. */
  readonly endpoint: string;
  /** Largest response body read, in bytes. */
  readonly maxResponseBytes: number;
  // The URL actually requested (query kept), and the credentials that must never be printed.
  private readonly requestUrl: string;
  private readonly authorization: string | undefined;
  private readonly secrets: readonly string[];
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
    // fetch refuses URLs with credentials: they become a basic Authorization header instead.
    const username = decodeComponent(url.username);
    const password = decodeComponent(url.password);
    url.username = '';
    url.password = '';
    url.hash = '';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
    this.requestUrl = url.href;
    this.endpoint = displayUrl(url);
    this.model = options.model;
    this.apiKey = options.apiKey === undefined || options.apiKey.length === 0 ? undefined : options.apiKey;
    const basic = username === '' && password === '' ? undefined : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.authorization = this.apiKey === undefined ? basic : `Bearer ${this.apiKey}`;
    // Every credential the provider knows of is scrubbed from what an endpoint sends back, whatever its shape.
    this.secrets = [this.apiKey, password, ...url.searchParams.values()].filter((secret): secret is string => secret !== undefined && secret.length >= 4);
    this.pricing = options.pricing ?? defaultPricing;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const signal = options.signal;
    signal?.throwIfAborted();
    const model = request.model ?? this.model;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.authorization !== undefined) headers.authorization = this.authorization;
    const body: Record<string, unknown> = { model, messages: request.messages };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    const started = performance.now();
    let response: Response;
    try {
      response = await this.fetchImpl(this.requestUrl, { method: 'POST', headers, body: JSON.stringify(body), ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ModelRequestError(`could not reach the model at ${this.endpoint} (check OPENAI_BASE_URL): ${this.scrub(describe(error))}`, {
        status: 0,
        retryable: true,
        cause: error,
      });
    }
    let raw: string;
    try {
      raw = await readCappedText(response, this.maxResponseBytes, this.endpoint);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
    const parsed = parseJson(raw);
    if (!response.ok) throw this.failure(response, parsed, raw);
    const text = parsed?.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      throw new ModelRequestError(`the model at ${this.endpoint} answered without choices[0].message.content`, { status: 502, retryable: false });
    }
    // Counts the endpoint reports are used only when they are counts: a string, a negative or 1e308 would
    // become a NaN cost and a counter that Prometheus refuses to decrease.
    const usage = {
      inputTokens: tokenCount(parsed?.usage?.prompt_tokens) ?? estimateTokens(request.messages.map((message) => message.content).join('\n')),
      outputTokens: tokenCount(parsed?.usage?.completion_tokens) ?? estimateTokens(text),
    };
    return {
      text,
      model: typeof parsed?.model === 'string' && parsed.model !== '' ? parsed.model : model,
      provider: this.name,
      simulated: false,
      usage,
      costUsd: costOf(usage, this.pricing),
      latencyMs: performance.now() - started,
    };
  }

  private failure(response: Response, parsed: ChatCompletionBody | undefined, raw: string): Error {
    const status = response.status;
    // A gateway may answer `error.message` with an object or a number: then the body is the detail.
    const message = parsed?.error?.message;
    const detail = this.scrub(clipDetail(oneLine(typeof message === 'string' ? message : raw))).slice(0, 200);
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

  /** Upstream text with every known credential and every credential-looking token replaced. */
  private scrub(text: string): string {
    // Shapes first: cutting a known key's tail out of a longer key would leave a head redaction no longer recognises.
    let result = redactText(text);
    for (const secret of this.secrets) {
      result = result.split(secret).join('[REDACTED]');
      // A gateway may echo a key without its `sk-live-` style prefix: its long tails go too.
      for (let index = 1; index < secret.length - 12; index++) {
        if (secret[index] === '-' || secret[index] === '_') result = result.split(secret.slice(index + 1)).join('[REDACTED]');
      }
    }
    return result;
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

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A stray `%` is kept as written rather than failing the whole configuration.
    return text;
  }
}

/** Most characters of an error body scrubbed for the detail (of which 200 are kept): scrubbing 4 MiB took ~200 ms. */
const maxDetailSource = 65_536;

/**
 * The start of a one-line text, cut before its last (possibly partial) word when it is longer than
 * {@link maxDetailSource}: a credential cut in half would no longer have the shape redaction knows.
 */
function clipDetail(text: string): string {
  if (text.length <= maxDetailSource) return text;
  const cut = text.slice(0, maxDetailSource);
  const space = cut.lastIndexOf(' ');
  return space < 0 ? '' : cut.slice(0, space);
}

/** `value` when it is a token count (a whole number from 0 to 2^53 − 1), else undefined. */
function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
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
