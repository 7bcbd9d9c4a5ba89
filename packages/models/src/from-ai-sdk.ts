import { InvalidOptionsError } from '@tta/primitives';
import { ModelRequestError } from './errors/model-request-error.js';
import { estimateUsage } from './estimate-tokens.js';
import { parseRetryAfter } from './retry-after.js';
import { SecretScrubber } from './secret-scrubber.js';
import type { FinishReason, ModelCallOptions, ModelProvider, ModelRequest, ModelResponse, ModelStreamPart, ModelUsage } from './model-provider.js';

// The AI SDK's language model contracts, as far as this adapter reads them. Declared here rather
// than imported, so that `ai` stays an optional peer: a user without it never loads it.

/** Token counts of a LanguageModelV2 (`ai` 5). */
interface UsageV2 {
  readonly inputTokens: number | undefined;
  readonly outputTokens: number | undefined;
}

/** Token counts of a LanguageModelV3 (`ai` 6). */
interface UsageV3 {
  readonly inputTokens: { readonly total: number | undefined };
  readonly outputTokens: { readonly total: number | undefined };
}

type AiSdkFinishReason = string | { readonly unified: string };

interface AiSdkGenerateResult {
  readonly content: ReadonlyArray<{ readonly type: string; readonly text?: string }>;
  readonly finishReason: AiSdkFinishReason;
  readonly usage: UsageV2 | UsageV3;
  readonly response?: { readonly modelId?: string };
}

type AiSdkStreamPart =
  | { readonly type: 'text-delta'; readonly delta: string }
  | { readonly type: 'finish'; readonly usage: UsageV2 | UsageV3; readonly finishReason: AiSdkFinishReason }
  | { readonly type: 'response-metadata'; readonly modelId?: string }
  | { readonly type: 'error'; readonly error: unknown }
  | { readonly type: string };

interface AiSdkCallOptions {
  prompt: Array<{ role: 'system'; content: string } | { role: 'user' | 'assistant'; content: Array<{ type: 'text'; text: string }> }>;
  maxOutputTokens?: number;
  temperature?: number;
  abortSignal?: AbortSignal;
}

/**
 * What {@link fromAiSdk} accepts: a Vercel AI SDK language model of specification `v2` (`ai` 5,
 * `@ai-sdk/*` 2.x providers) or `v3` (`ai` 6, `@ai-sdk/*` 3.x providers).
 */
export interface AiSdkLanguageModel {
  readonly specificationVersion: 'v2' | 'v3';
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: AiSdkCallOptions): PromiseLike<AiSdkGenerateResult>;
  doStream(options: AiSdkCallOptions): PromiseLike<{ readonly stream: ReadableStream<AiSdkStreamPart> }>;
}

const owner = 'fromAiSdk';

/**
 * A `ModelProvider` over a Vercel AI SDK language model (`openai('gpt-4o-mini')`,
 * `anthropic(...)`, a `MockLanguageModelV2`/`V3`), so its calls get budgets, usage and cost from
 * `modelStep` and `streamStep`. Supports the `v2` (`ai` 5) and `v3` (`ai` 6) specifications; `ai` is
 * an optional peer dependency, never imported by this package.
 *
 * @example
 * ```ts
 * // languageModel: `openai('gpt-4o-mini')` from '@ai-sdk/openai', or any other AI SDK model
 * const askWith = (languageModel: AiSdkLanguageModel) => modelStep(fromAiSdk(languageModel), { name: 'ask' });
 * ```
 */
export function fromAiSdk(languageModel: AiSdkLanguageModel): ModelProvider {
  const model = languageModel as Partial<AiSdkLanguageModel> | null;
  if (typeof model !== 'object' || model === null || typeof model.doGenerate !== 'function' || typeof model.doStream !== 'function') {
    throw new InvalidOptionsError(owner, 'languageModel', 'must be an AI SDK language model (doGenerate and doStream)');
  }
  if (model.specificationVersion !== 'v2' && model.specificationVersion !== 'v3') {
    throw new InvalidOptionsError(owner, 'languageModel', `has specificationVersion ${String(model.specificationVersion)}; supported: v2 (ai 5) and v3 (ai 6)`);
  }
  const sdkModel = languageModel;
  return {
    specificationVersion: 1,
    providerName: sdkModel.provider,
    defaultModel: sdkModel.modelId,
    async generate(request: ModelRequest, options: ModelCallOptions): Promise<ModelResponse> {
      options.signal?.throwIfAborted();
      const result = await callSdk(() => sdkModel.doGenerate(callOptions(request, options)), options.signal, sdkModel.modelId);
      let text = '';
      for (const part of result.content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
      return { text, model: result.response?.modelId ?? sdkModel.modelId, usage: usageOf(result.usage, request, text), finishReason: finishReasonOf(result.finishReason) };
    },
    async *stream(request: ModelRequest, options: ModelCallOptions): AsyncGenerator<ModelStreamPart> {
      options.signal?.throwIfAborted();
      const { stream } = await callSdk(() => sdkModel.doStream(callOptions(request, options)), options.signal, sdkModel.modelId);
      const reader = stream.getReader();
      let answered = sdkModel.modelId;
      let finished = false;
      let text = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.type === 'text-delta' && 'delta' in value) {
            text += value.delta;
            yield { type: 'text', text: value.delta };
          }
          else if (value.type === 'response-metadata' && 'modelId' in value && typeof value.modelId === 'string') answered = value.modelId;
          else if (value.type === 'error' && 'error' in value) throw new ModelRequestError(`the AI SDK model ${sdkModel.modelId} failed mid-stream`, { status: 0, retryable: true, cause: scrubber.scrubError(value.error) });
          else if (value.type === 'finish' && 'usage' in value) {
            finished = true;
            yield { type: 'finish', model: answered, usage: usageOf(value.usage, request, text), finishReason: finishReasonOf(value.finishReason) };
          }
        }
      } catch (error) {
        throw options.signal?.aborted === true ? options.signal.reason : error;
      } finally {
        if (!finished) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    },
  };
}

async function callSdk<T>(call: () => PromiseLike<T>, signal: AbortSignal | undefined, modelId: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw fromSdkError(error, modelId);
  }
}

// The key is the SDK's, unknown here: only credential-looking shapes can be removed.
const scrubber = new SecretScrubber([]);

/**
 * An AI SDK API call error (`statusCode`, `isRetryable`) as a `ModelRequestError`: `retry()` reads
 * `retryable`, not the SDK's `isRetryable`, so a 401 would otherwise be retried. The message and the
 * cause are scrubbed copies: a provider's 401 may echo the key, and the SDK's error holds the prompt.
 */
function fromSdkError(error: unknown, modelId: string): unknown {
  if (typeof error !== 'object' || error === null || typeof (error as { isRetryable?: unknown }).isRetryable !== 'boolean') return error;
  const { statusCode, isRetryable, responseHeaders, message } = error as { statusCode?: unknown; isRetryable: boolean; responseHeaders?: unknown; message?: unknown };
  const status = typeof statusCode === 'number' ? statusCode : 0;
  const headers = new Headers();
  if (typeof responseHeaders === 'object' && responseHeaders !== null) {
    for (const [name, value] of Object.entries(responseHeaders)) if (typeof value === 'string') headers.set(name, value);
  }
  const retryAfterMs = parseRetryAfter(headers);
  const detail = scrubber.scrub(typeof message === 'string' ? message : '').slice(0, 200);
  return new ModelRequestError(`the AI SDK model ${modelId} failed${status === 0 ? '' : ` with HTTP ${status}`}${detail === '' ? '' : `: ${detail}`}`, {
    status,
    retryable: isRetryable,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    cause: scrubber.scrubError(error),
  });
}

function callOptions(request: ModelRequest, options: ModelCallOptions): AiSdkCallOptions {
  const prompt: AiSdkCallOptions['prompt'] = request.messages.map((message) =>
    message.role === 'system' ? { role: 'system', content: message.content } : { role: message.role, content: [{ type: 'text', text: message.content }] },
  );
  return {
    prompt,
    ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(options.signal === undefined ? {} : { abortSignal: options.signal }),
  };
}

/**
 * v2 counts are numbers, v3 counts are `{ total }`. A count the SDK left out is estimated from the
 * text and the usage marked `estimated`: counting it as 0 would let every call through a token budget.
 */
function usageOf(usage: UsageV2 | UsageV3 | undefined, request: ModelRequest, text: string): ModelUsage {
  const read = (count: number | { readonly total: number | undefined } | undefined): number | undefined => {
    const value = typeof count === 'object' && count !== null ? count.total : count;
    return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const input = read(usage?.inputTokens);
  const output = read(usage?.outputTokens);
  if (input !== undefined && output !== undefined) return { inputTokens: input, outputTokens: output };
  const estimate = estimateUsage(request, text);
  return { inputTokens: input ?? estimate.inputTokens, outputTokens: output ?? estimate.outputTokens, estimated: true };
}

function finishReasonOf(reason: AiSdkFinishReason): FinishReason {
  const value = typeof reason === 'object' && reason !== null ? reason.unified : reason;
  switch (value) {
    case 'stop':
    case 'length':
    case 'content-filter':
    case 'tool-calls':
    case 'error':
      return value;
    default:
      return 'other';
  }
}
