import { InvalidOptionsError } from '@tta/primitives';
import { requireOptionsObject } from '@tta/primitives/instrumentation';
import { ModelRequestError } from './errors/model-request-error.js';
import { ModelResponseError } from './errors/model-response-error.js';
import { readCappedText } from './read-capped-text.js';
import { parseRetryAfter } from './retry-after.js';
import { displayUrl } from './safe-url.js';
import { estimateUsage } from './estimate-tokens.js';
import { SecretScrubber } from './secret-scrubber.js';
import { serverSentEventData } from './server-sent-events.js';
import type { FinishReason, ModelCallOptions, ModelProvider, ModelRequest, ModelResponse, ModelStreamPart, ModelUsage } from './model-provider.js';

/** Options of {@link openAICompatible}. */
export interface OpenAICompatibleOptions {
  /** Base URL of the API, up to and including the version: `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1`. */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <key>`; never appears in an error, a log line, a span or `describe()`. @default none */
  readonly apiKey?: string;
  /** The model used when a request names none. */
  readonly model: string;
  /** Extra request headers (an organisation id, a gateway's routing header). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** The fetch implementation (a proxy-aware client). @default globalThis.fetch, read at each call */
  readonly fetch?: typeof fetch;
  /** Largest non-streamed response body read, and largest single stream event, in bytes. @default 4194304 (4 MiB) */
  readonly maxResponseBytes?: number;
}

interface ChatCompletionChoice {
  readonly message?: { readonly content?: string | null };
  readonly delta?: { readonly content?: string | null };
  readonly finish_reason?: string | null;
}

interface ChatCompletionBody {
  readonly model?: string;
  readonly choices?: readonly ChatCompletionChoice[];
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
  readonly error?: { readonly message?: unknown };
}

const owner = 'openAICompatible';
const knownOptions = ['baseUrl', 'apiKey', 'model', 'headers', 'fetch', 'maxResponseBytes'] as const;
// RFC 9110 token characters, and a field value without CR, LF, NUL or other control characters.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const validHeaderValue = /^[^\x00-\x08\x0a-\x1f\x7f]*$/;

/**
 * A provider for any OpenAI-compatible Chat Completions API (OpenAI, Ollama, vLLM, llama.cpp, a
 * gateway), over `fetch`: one `POST {baseUrl}/chat/completions` per call with the caller's signal,
 * so an abort or a timeout closes the HTTP request. `stream` asks for server-sent events with
 * `stream_options.include_usage`. HTTP 429 and 5xx reject with a retryable `ModelRequestError`
 * carrying `retryAfterMs` from `Retry-After`; other 4xx are not retryable.
 *
 * @example
 * ```ts
 * const local = openAICompatible({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.2' });
 * const answer = await local.generate({ messages: [{ role: 'user', content: 'Hello' }] }, {});
 * ```
 */
export function openAICompatible(options: OpenAICompatibleOptions): ModelProvider & { readonly endpoint: string } {
  return new OpenAICompatibleProvider(options);
}

class OpenAICompatibleProvider implements ModelProvider {
  readonly specificationVersion = 1 as const;
  readonly providerName = 'openai-compatible';
  readonly defaultModel: string;
  /** The chat completions URL as it may be shown: no userinfo, query or fragment. */
  readonly endpoint: string;
  // Private fields: never enumerated, so JSON.stringify, util.inspect and describe() cannot show them.
  readonly #requestUrl: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #scrubber: SecretScrubber;
  // Undefined means the global one, read at each call: a recorder or a mock installed later is used.
  readonly #fetch: typeof fetch | undefined;
  readonly #maxResponseBytes: number;

  constructor(options: OpenAICompatibleOptions) {
    // Checked before the generic check, which would show the value: a key passed in place of the options.
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(owner, 'options', 'must be an object { baseUrl, model, apiKey?, headers? }');
    // An unknown option is most often a misspelt `apiKey`: calls without the key would fail only with a 401.
    requireOptionsObject(owner, options, { known: knownOptions });
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new InvalidOptionsError(owner, 'baseUrl', 'must be an absolute http(s) URL such as http://127.0.0.1:11434/v1');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidOptionsError(owner, 'baseUrl', `must use http or https (got ${url.protocol})`);
    if (typeof options.model !== 'string' || options.model.length === 0) throw new InvalidOptionsError(owner, 'model', 'must be a non-empty string');
    // fetch would refuse these only at the first call, as what looks like a retryable network error.
    if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || !validHeaderValue.test(options.apiKey))) throw new InvalidOptionsError(owner, 'apiKey', 'must be a string without line breaks or control characters');
    if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null || Array.isArray(options.headers))) throw new InvalidOptionsError(owner, 'headers', 'must be an object of strings');
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw new InvalidOptionsError(owner, 'fetch', 'must be a function');
    const maxResponseBytes = options.maxResponseBytes ?? 4 * 1024 * 1024;
    if (!Number.isSafeInteger(maxResponseBytes) || maxResponseBytes < 1) throw new InvalidOptionsError(owner, 'maxResponseBytes', 'must be a positive integer number of bytes');
    const username = decodeComponent(url.username);
    const password = decodeComponent(url.password);
    url.username = '';
    url.password = '';
    url.hash = '';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
    this.#requestUrl = url.href;
    this.endpoint = displayUrl(url);
    this.defaultModel = options.model;
    const apiKey = options.apiKey === undefined || options.apiKey.length === 0 ? undefined : options.apiKey;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (!headerName.test(name)) throw new InvalidOptionsError(owner, `headers.${name}`, 'is not a valid HTTP header name');
      if (typeof value !== 'string' || !validHeaderValue.test(value)) throw new InvalidOptionsError(owner, `headers.${name}`, 'must be a string without line breaks or control characters');
      headers[name.toLowerCase()] = value;
    }
    // fetch refuses URLs with credentials: they become a basic Authorization header instead.
    const basicPair = username === '' && password === '' ? undefined : btoa(`${username}:${password}`);
    if (basicPair !== undefined) headers.authorization = `Basic ${basicPair}`;
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    this.#headers = headers;
    // A server may echo a credential without its scheme: the Basic pair, the token after `Bearer `.
    const headerSecrets = [...Object.values(options.headers ?? {}), headers.authorization].flatMap((value) => (value === undefined ? [] : [value, /^[A-Za-z]+ (\S{8,})$/.exec(value)?.[1]]));
    this.#scrubber = new SecretScrubber([apiKey, password, basicPair, ...url.searchParams.values(), ...headerSecrets]);
    this.#fetch = options.fetch;
    this.#maxResponseBytes = maxResponseBytes;
  }

  async generate(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    const model = request.model ?? this.defaultModel;
    const response = await this.post(body(request, model, false), 'application/json', options.signal);
    let raw: string;
    try {
      raw = await readCappedText(response, this.#maxResponseBytes, this.endpoint);
    } catch (error) {
      throw options.signal?.aborted === true ? options.signal.reason : error;
    }
    const parsed = parseJson(raw);
    if (!response.ok) throw this.failure(response, parsed, raw);
    const choice = parsed?.choices?.[0];
    const text = choice?.message?.content;
    if (typeof text !== 'string') throw new ModelResponseError(`the model at ${this.endpoint} answered without choices[0].message.content`);
    return {
      text,
      model: typeof parsed?.model === 'string' && parsed.model !== '' ? parsed.model : model,
      usage: readUsage(parsed?.usage) ?? estimateUsage(request, text),
      finishReason: finishReason(choice?.finish_reason),
    };
  }

  async *stream(request: ModelRequest, options: ModelCallOptions = {}): AsyncGenerator<ModelStreamPart> {
    const model = request.model ?? this.defaultModel;
    const signal = options.signal;
    const response = await this.post(body(request, model, true), 'text/event-stream', signal);
    if (!response.ok) {
      const raw = await readCappedText(response, this.#maxResponseBytes, this.endpoint).catch(() => '');
      throw this.failure(response, parseJson(raw), raw);
    }
    if (response.body === null) throw new ModelResponseError(`the model at ${this.endpoint} sent an empty stream`);
    let usage: ModelUsage | undefined;
    let reason: FinishReason = 'other';
    let answeredModel = model;
    let events = 0;
    const tooLarge = () => new ModelResponseError(`the model at ${this.endpoint} sent a stream event larger than ${this.#maxResponseBytes} bytes (maxResponseBytes)`, { limitBytes: this.#maxResponseBytes });
    try {
      for await (const data of serverSentEventData(response.body, this.#maxResponseBytes, tooLarge)) {
        events += 1;
        if (data.trim() === '[DONE]') break;
        const chunk = parseJson(data);
        if (chunk === undefined) throw new ModelResponseError(`the model at ${this.endpoint} sent a stream event that is not JSON`);
        if (chunk.error !== undefined) throw new ModelRequestError(`the model at ${this.endpoint} failed mid-stream: ${this.#scrubber.scrub(String(typeof chunk.error.message === 'string' ? chunk.error.message : 'error'))}`, { status: 200, retryable: true });
        if (typeof chunk.model === 'string' && chunk.model !== '') answeredModel = chunk.model;
        usage = readUsage(chunk.usage) ?? usage;
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason != null) reason = finishReason(choice.finish_reason);
        const text = choice?.delta?.content;
        if (typeof text === 'string' && text !== '') yield { type: 'text', text };
      }
    } catch (error) {
      throw signal?.aborted === true ? signal.reason : error;
    }
    // A proxy's HTML error page or a JSON body holds no event: an empty answer would hide the failure.
    if (events === 0) throw new ModelResponseError(`the model at ${this.endpoint} answered a stream request with no server-sent event (content-type ${this.#scrubber.scrub(response.headers.get('content-type') ?? 'none').slice(0, 100)})`);
    yield { type: 'finish', model: answeredModel, usage, finishReason: reason };
  }

  private async post(payload: string, accept: string, signal: AbortSignal | undefined): Promise<Response> {
    signal?.throwIfAborted();
    try {
      return await (this.#fetch ?? globalThis.fetch)(this.#requestUrl, { method: 'POST', headers: { ...this.#headers, accept }, body: payload, ...(signal === undefined ? {} : { signal }) });
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      throw new ModelRequestError(`could not reach the model at ${this.endpoint}: ${this.#scrubber.scrub(describeError(error))}`, { status: 0, retryable: true, cause: this.#scrubber.scrubError(error) });
    }
  }

  private failure(response: Response, parsed: ChatCompletionBody | undefined, raw: string): ModelRequestError {
    const status = response.status;
    const message = parsed?.error?.message;
    const detail = this.#scrubber.scrub(oneLine(typeof message === 'string' ? message : raw.slice(0, 65_536))).slice(0, 200);
    const retryable = status === 408 || status === 429 || status >= 500;
    const retryAfterMs = parseRetryAfter(response.headers);
    return new ModelRequestError(`the model at ${this.endpoint} failed with HTTP ${status}${detail === '' ? '' : `: ${detail}`}`, {
      status,
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }

  /** What `JSON.stringify` shows: no URL query, no header, no key. */
  toJSON(): Record<string, unknown> {
    return { providerName: this.providerName, endpoint: this.endpoint, defaultModel: this.defaultModel };
  }
}

function body(request: ModelRequest, model: string, stream: boolean): string {
  const payload: Record<string, unknown> = { model, messages: request.messages };
  if (request.maxOutputTokens !== undefined) payload.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) payload.temperature = request.temperature;
  if (stream) {
    payload.stream = true;
    // Without it the server sends no usage in a stream, and a cancelled stream could only be estimated.
    payload.stream_options = { include_usage: true };
  }
  return JSON.stringify(payload);
}

/** Usage when both counts are whole numbers >= 0: a string or 1e308 would poison the totals. */
function readUsage(usage: ChatCompletionBody['usage']): ModelUsage | undefined {
  const input = usage?.prompt_tokens;
  const output = usage?.completion_tokens;
  if (!isCount(input) || !isCount(output)) return undefined;
  return { inputTokens: input, outputTokens: output };
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function finishReason(value: string | null | undefined): FinishReason {
  switch (value) {
    case 'stop':
    case 'length':
      return value;
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      return 'other';
  }
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
    return text;
  }
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

function describeError(error: unknown): string {
  if (error instanceof Error) return oneLine(`${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`);
  return String(error);
}
