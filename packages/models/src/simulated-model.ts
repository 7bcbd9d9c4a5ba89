import { InvalidOptionsError } from '@tta/primitives';
import { requireInteger, requireNonEmptyString, requireNumber, requireOptionsObject, sleep } from '@tta/primitives/instrumentation';
import { ModelRequestError } from './errors/model-request-error.js';
import { estimateTokens } from './estimate-tokens.js';
import { hashString, seededRandom } from './seeded-random.js';
import type { ModelCallOptions, ModelProvider, ModelRequest, ModelResponse, ModelStreamPart } from './model-provider.js';

/** Options of {@link simulatedModel}. */
export interface SimulatedModelOptions {
  /** Seed of every random choice (latency, failures, text): the same seed and prompt give the same answer. */
  readonly seed: number;
  /** Name reported as the model. @default 'simulated' */
  readonly model?: string;
  /** Latency of a call in milliseconds (a stream spreads it over its chunks). @default 0 */
  readonly latencyMs?: number;
  /** Fraction of calls (0..1) that fail with a retryable `ModelRequestError` (HTTP 503). @default 0 */
  readonly failureRate?: number;
}

const owner = 'simulatedModel';
const knownOptions = ['seed', 'model', 'latencyMs', 'failureRate'] as const;

/**
 * A deterministic stand-in for a model, for demos and tests without a network: answers start with
 * `[simulated]` and the provider says `simulated: true`, so nobody mistakes them for a real model.
 * Latency, failures and text follow from `seed` and the prompt.
 *
 * @example
 * ```ts
 * const model = simulatedModel({ seed: 7, latencyMs: 20, failureRate: 0.1 });
 * const answer = await model.generate({ messages: [{ role: 'user', content: 'Hello' }] }, {});
 * ```
 */
export function simulatedModel(options: SimulatedModelOptions): ModelProvider {
  requireOptionsObject(owner, options, { known: knownOptions });
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) throw new InvalidOptionsError(owner, 'seed', 'must be a finite number');
  requireNonEmptyString(owner, 'model', options.model, { optional: true });
  requireInteger(owner, 'latencyMs', options.latencyMs, { optional: true });
  requireNumber(owner, 'failureRate', options.failureRate, { optional: true, max: 1 });
  const model = options.model ?? 'simulated';
  const latencyMs = options.latencyMs ?? 0;
  const failureRate = options.failureRate ?? 0;
  let calls = 0;

  const answer = (request: ModelRequest): { readonly text: string; readonly fail: boolean } => {
    const prompt = request.messages.map((message) => message.content).join('\n');
    // The call number is mixed in so that a retry of a failed prompt can succeed, deterministically.
    const random = seededRandom(hashString(prompt, options.seed) ^ Math.imul(++calls, 0x9e3779b1));
    const fail = random() < failureRate;
    const last = request.messages.at(-1)?.content ?? '';
    const words = ['noted', 'considered', 'answered', 'summarised', 'checked'];
    const word = words[Math.floor(random() * words.length)] ?? 'answered';
    return { text: `[simulated] ${model} ${word}: ${last.slice(0, 80)}`, fail };
  };

  const failure = (): ModelRequestError => new ModelRequestError(`the simulated model ${model} failed (simulated HTTP 503)`, { status: 503, retryable: true });

  return {
    specificationVersion: 1,
    providerName: 'simulated',
    defaultModel: model,
    simulated: true,
    async generate(request: ModelRequest, callOptions: ModelCallOptions): Promise<ModelResponse> {
      const { text, fail } = answer(request);
      if (latencyMs > 0) await sleep(latencyMs, callOptions.signal);
      callOptions.signal?.throwIfAborted();
      if (fail) throw failure();
      return { text, model: request.model ?? model, usage: usageOf(request, text), finishReason: 'stop' };
    },
    async *stream(request: ModelRequest, callOptions: ModelCallOptions): AsyncGenerator<ModelStreamPart> {
      const { text, fail } = answer(request);
      if (fail) throw failure();
      const pieces = text.split(/(?<= )/);
      for (const piece of pieces) {
        if (latencyMs > 0) await sleep(latencyMs / pieces.length, callOptions.signal);
        callOptions.signal?.throwIfAborted();
        yield { type: 'text', text: piece };
      }
      yield { type: 'finish', model: request.model ?? model, usage: usageOf(request, text), finishReason: 'stop' };
    },
  };
}

function usageOf(request: ModelRequest, text: string): { inputTokens: number; outputTokens: number } {
  let inputTokens = 0;
  for (const message of request.messages) inputTokens += estimateTokens(message.content);
  return { inputTokens, outputTokens: estimateTokens(text) };
}
