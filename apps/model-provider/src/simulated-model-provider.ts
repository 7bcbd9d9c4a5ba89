import { InvalidOptionsError } from '@tta/primitives';
import { sleep, systemClock, type Clock } from '@tta/primitives/instrumentation';
import { ModelRequestError } from './errors/model-request-error.js';
import { costOf, defaultPricing, estimateTokens, type ModelCallOptions, type ModelPricing, type ModelProvider, type ModelRequest, type ModelResponse } from './model-provider.js';
import { hashString, seededRandom, type RandomSource } from './seeded-random.js';

/** An inclusive range of numbers; a single number means a fixed value. */
export type Range = number | { readonly min: number; readonly max: number };

/** Writes the text of a simulated answer. `random` is seeded for this call. */
export type SimulatedResponder = (request: ModelRequest, random: RandomSource) => string;

/** Options of {@link SimulatedModelProvider}. */
export interface SimulatedModelOptions {
  /**
   * Seed of every random choice: latency, failures, token counts and the default text.
   * @default 42
   */
  readonly seed?: number;
  /**
   * Name reported as the model.
   * @default 'sim-small'
   */
  readonly model?: string;
  /**
   * Latency of a call in milliseconds, drawn from the range.
   * @default { min: 20, max: 80 }
   */
  readonly latencyMs?: Range;
  /**
   * Fraction of calls (0..1) that fail with a retryable `ModelRequestError` (429 or 503).
   * @default 0
   */
  readonly failureRate?: number;
  /**
   * Fraction of calls (0..1) that take `slowLatencyMs` instead: a model that hangs, for timeouts.
   * @default 0
   */
  readonly slowRate?: number;
  /**
   * Latency of a slow call.
   * @default 5000
   */
  readonly slowLatencyMs?: number;
  /**
   * Output tokens reported per call, drawn from the range.
   * @default { min: 40, max: 160 }
   */
  readonly outputTokens?: Range;
  /**
   * `retryAfterMs` carried by a simulated 429.
   * @default 25
   */
  readonly retryAfterMs?: number;
  /**
   * Writes the answer text; the provider prefixes it with `[simulated]`.
   * @default a short deterministic text that names the model and the question
   */
  readonly respond?: SimulatedResponder;
  /** Prices for the estimated cost. @default defaultPricing */
  readonly pricing?: ModelPricing;
  /**
   * Clock of the simulated latency (a `ManualClock` in tests).
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** Marks every simulated answer, so it is never mistaken for a real model's. */
export const SIMULATED_LABEL = '[simulated]';

const vocabulary = [
  'latency', 'retries', 'budget', 'evidence', 'trade-off', 'cache', 'fallback', 'throughput', 'quality', 'cost',
  'risk', 'baseline', 'signal', 'deadline', 'consensus', 'sources', 'coverage', 'accuracy', 'context', 'scale',
];
const maxTrackedPrompts = 10_000;

/**
 * A deterministic stand-in for a language model: seeded latency, failures and token counts, and
 * answers labelled `[simulated]`. The randomness of a call depends on the seed, the prompt and how
 * many times that prompt was asked before, never on scheduling, so concurrent runs repeat exactly.
 *
 * @example
 * const model = new SimulatedModelProvider({ seed: 7, failureRate: 0.2 });
 * const answer = await model.complete({ messages: [{ role: 'user', content: 'Why cache?' }] });
 */
export class SimulatedModelProvider implements ModelProvider {
  readonly name = 'simulated';
  readonly simulated = true;
  readonly model: string;
  readonly seed: number;
  private readonly latency: { readonly min: number; readonly max: number };
  private readonly tokens: { readonly min: number; readonly max: number };
  private readonly failureRate: number;
  private readonly slowRate: number;
  private readonly slowLatencyMs: number;
  private readonly retryAfterMs: number;
  private readonly respond: SimulatedResponder;
  private readonly pricing: ModelPricing;
  private readonly clock: Clock;
  private readonly askedBefore = new Map<number, number>();
  private callCount = 0;
  private failureCount = 0;

  constructor(options: SimulatedModelOptions = {}) {
    this.seed = options.seed ?? 42;
    if (!Number.isInteger(this.seed)) throw new InvalidOptionsError('SimulatedModelProvider', 'seed', 'must be an integer');
    this.model = options.model ?? 'sim-small';
    this.latency = toRange('latencyMs', options.latencyMs ?? { min: 20, max: 80 });
    this.tokens = toRange('outputTokens', options.outputTokens ?? { min: 40, max: 160 });
    this.failureRate = toRate('failureRate', options.failureRate ?? 0);
    this.slowRate = toRate('slowRate', options.slowRate ?? 0);
    this.slowLatencyMs = options.slowLatencyMs ?? 5000;
    if (!(this.slowLatencyMs >= 0)) throw new InvalidOptionsError('SimulatedModelProvider', 'slowLatencyMs', 'must be >= 0');
    this.retryAfterMs = options.retryAfterMs ?? 25;
    if (!(this.retryAfterMs >= 0)) throw new InvalidOptionsError('SimulatedModelProvider', 'retryAfterMs', 'must be >= 0');
    this.respond = options.respond ?? defaultResponder;
    this.pricing = options.pricing ?? defaultPricing;
    this.clock = options.clock ?? systemClock;
  }

  /** Calls made so far (including failed ones). */
  get calls(): number {
    return this.callCount;
  }

  /** Calls that failed on purpose so far. */
  get injectedFailures(): number {
    return this.failureCount;
  }

  async complete(request: ModelRequest, options: ModelCallOptions = {}): Promise<ModelResponse> {
    options.signal?.throwIfAborted();
    this.callCount++;
    const model = request.model ?? this.model;
    const prompt = request.messages.map((message) => `${message.role}:${message.content}`).join('\n');
    const random = this.randomFor(`${model}\n${prompt}`);
    const slow = random() < this.slowRate;
    const latencyMs = slow ? this.slowLatencyMs : draw(random, this.latency);
    const failure = random();
    const outputTokens = Math.round(draw(random, this.tokens));
    const started = this.clock.now();
    await sleep(latencyMs, options.signal, this.clock);
    if (failure < this.failureRate) {
      this.failureCount++;
      const rateLimited = failure < this.failureRate / 2;
      throw new ModelRequestError(
        rateLimited ? `${SIMULATED_LABEL} ${model} is rate limited (HTTP 429)` : `${SIMULATED_LABEL} ${model} is unavailable (HTTP 503)`,
        rateLimited
          ? { status: 429, retryable: true, retryAfterMs: this.retryAfterMs, simulated: true }
          : { status: 503, retryable: true, simulated: true },
      );
    }
    const body = this.respond(request.model === undefined ? { ...request, model } : request, random);
    const text = body.startsWith(SIMULATED_LABEL) ? body : `${SIMULATED_LABEL} ${body}`;
    const usage = { inputTokens: estimateTokens(prompt), outputTokens };
    return {
      text,
      model,
      provider: this.name,
      simulated: true,
      usage,
      costUsd: costOf(usage, this.pricing),
      latencyMs: this.clock.now() - started,
    };
  }

  private randomFor(prompt: string): RandomSource {
    const key = hashString(prompt, this.seed);
    if (this.askedBefore.size >= maxTrackedPrompts) this.askedBefore.clear();
    const times = this.askedBefore.get(key) ?? 0;
    this.askedBefore.set(key, times + 1);
    return seededRandom(hashString(String(times), key));
  }
}

function defaultResponder(request: ModelRequest, random: RandomSource): string {
  const question = [...request.messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const topic = question.replace(/\s+/g, ' ').trim().slice(0, 80);
  const words = Array.from({ length: 6 }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
  return `${request.model ?? 'model'} on "${topic}": weigh ${words.slice(0, 3).join(', ')}; watch ${words.slice(3).join(', ')}.`;
}

function draw(random: RandomSource, range: { readonly min: number; readonly max: number }): number {
  return range.min + random() * (range.max - range.min);
}

function toRange(option: string, value: Range): { readonly min: number; readonly max: number } {
  const range = typeof value === 'number' ? { min: value, max: value } : value;
  if (!(range.min >= 0) || !(range.max >= range.min) || !Number.isFinite(range.max)) {
    throw new InvalidOptionsError('SimulatedModelProvider', option, 'must be a finite number >= 0 or { min, max } with 0 <= min <= max');
  }
  return range;
}

function toRate(option: string, value: number): number {
  if (!(value >= 0 && value <= 1)) throw new InvalidOptionsError('SimulatedModelProvider', option, 'must be between 0 and 1');
  return value;
}
