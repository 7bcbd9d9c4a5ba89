import { WorkflowPrimitive, type WorkflowContext } from '@tta/primitives';
import { requireInteger, requireNonEmptyString, requireOptionsObject, type PrimitiveOptionsSummary } from '@tta/primitives/instrumentation';
import { ModelRequestError } from './errors/model-request-error.js';
import { StreamIdleTimeoutError } from './errors/stream-idle-timeout-error.js';
import { estimateUsage } from './estimate-tokens.js';
import { assertPrices } from './prices.js';
import { toModelRequest } from './model-request.js';
import { reportModelUsage } from './report-model-usage.js';
import { assertProvider, type ModelStepOptions } from './model-step.js';
import type { ModelProvider, ModelRequest, ModelStreamPart } from './model-provider.js';

/** Options of {@link streamStep}. */
export interface StreamStepOptions extends ModelStepOptions {
  /**
   * Longest wait for the next chunk (and for the first one), in milliseconds: a stream that stalls
   * longer is closed and fails with `StreamIdleTimeoutError`. @default 30000
   */
  readonly idleTimeoutMs?: number;
}

/** One piece of a streamed answer. */
export interface ModelTextChunk {
  readonly text: string;
}

const owner = 'streamStep';

/**
 * A streaming model call as a primitive. Made by {@link streamStep}; its kind is `model-stream`.
 *
 * @example
 * ```ts
 * const tell = new StreamStepPrimitive(simulatedModel({ seed: 1 }), { idleTimeoutMs: 5_000 });
 * let story = '';
 * for await (const chunk of await tell.run('Tell me a story')) story += chunk.text;
 * ```
 */
export class StreamStepPrimitive extends WorkflowPrimitive<ModelRequest | string, AsyncIterable<ModelTextChunk>> {
  readonly provider: ModelProvider;
  readonly model: string | undefined;
  readonly idleTimeoutMs: number;
  readonly #options: StreamStepOptions;

  constructor(provider: ModelProvider, options: StreamStepOptions = {}) {
    requireOptionsObject(owner, options, { known: ['name', 'instrument', 'model', 'prices', 'idleTimeoutMs'] });
    assertProvider(owner, provider, true);
    const model = options.model ?? provider.defaultModel;
    super('model-stream', { name: options.name ?? `stream(${model ?? provider.providerName})`, ...(options.instrument === undefined ? {} : { instrument: options.instrument }) });
    requireNonEmptyString(owner, 'model', options.model, { optional: true });
    requireInteger(owner, 'idleTimeoutMs', options.idleTimeoutMs, { optional: true, min: 1, infinity: true });
    assertPrices(owner, options.prices);
    this.provider = provider;
    this.model = model;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    this.#options = options;
  }

  /** The provider's name, the model and the idle timeout: never a key, a header or a URL. */
  override _describeOptions(): PrimitiveOptionsSummary {
    return { provider: this.provider.providerName, ...(this.model === undefined ? {} : { model: this.model }), idleTimeoutMs: this.idleTimeoutMs };
  }

  protected async executeImpl(context: WorkflowContext, input: ModelRequest | string): Promise<AsyncIterable<ModelTextChunk>> {
    let request = toModelRequest(this.name, input);
    if (request.model === undefined && this.model !== undefined) request = { ...request, model: this.model };
    context.checkBudget();
    const stream = new ModelTextStream(this, context, request, this.#options.prices);
    // The first chunk is awaited here, so that a refused request (429, 500) fails the step where a
    // retry around it can see it; later failures reach the consumer.
    await stream.start();
    return stream;
  }
}

/**
 * The consumer's side of one streamed call: owns the request's abort controller (linked to the
 * run's signal), the idle timer, and the usage report, made once however the stream ends.
 */
class ModelTextStream implements AsyncIterable<ModelTextChunk>, AsyncIterator<ModelTextChunk> {
  private readonly controller = new AbortController();
  private readonly iterator: AsyncIterator<ModelStreamPart>;
  private readonly unlink: () => void;
  private buffered: ModelTextChunk | undefined;
  private text = '';
  private done = false;
  /** Whether any part arrived: a request refused before one was not answered, and is not counted. */
  private received = false;
  private iterated = false;

  constructor(
    private readonly step: StreamStepPrimitive,
    private readonly context: WorkflowContext,
    private readonly request: ModelRequest,
    private readonly prices: StreamStepOptions['prices'],
  ) {
    const runSignal = context.signal;
    const controller = this.controller;
    if (runSignal.aborted) controller.abort(runSignal.reason);
    const onAbort = (): void => controller.abort(runSignal.reason);
    runSignal.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => runSignal.removeEventListener('abort', onAbort);
    const stream = step.provider.stream?.(request, { signal: controller.signal });
    if (stream === undefined) throw new TypeError('the provider cannot stream');
    this.iterator = stream[Symbol.asyncIterator]();
  }

  async start(): Promise<void> {
    const first = await this.next();
    if (!first.done) this.buffered = first.value;
  }

  [Symbol.asyncIterator](): AsyncIterator<ModelTextChunk> {
    if (this.iterated) throw new TypeError(`the stream of "${this.step.name}" can be read once`);
    this.iterated = true;
    return this;
  }

  async next(): Promise<IteratorResult<ModelTextChunk>> {
    const buffered = this.buffered;
    if (buffered !== undefined) {
      this.buffered = undefined;
      return { done: false, value: buffered };
    }
    if (this.done) return { done: true, value: undefined };
    try {
      for (;;) {
        const result = await this.nextPart();
        this.received = true;
        if (result.done === true) {
          this.finish(undefined);
          return { done: true, value: undefined };
        }
        const part = result.value;
        if (part.type === 'finish') {
          this.finish(part.usage === undefined ? undefined : { usage: part.usage, model: part.model });
          return { done: true, value: undefined };
        }
        this.text += part.text;
        return { done: false, value: { text: part.text } };
      }
    } catch (error) {
      // A refusal (an HTTP error status, an unreachable server) is not counted, as modelStep counts
      // none: a retried 429 must not use up a maxCalls budget.
      if (!this.received && ModelRequestError.isInstance(error) && error.status !== 200) this.unreported();
      else this.finish(undefined);
      this.controller.abort(error);
      throw error;
    }
  }

  /** Stops reading: closes the request and counts what was used so far. */
  async return(): Promise<IteratorResult<ModelTextChunk>> {
    if (!this.done) {
      this.finish(undefined);
      this.controller.abort(new DOMException('The consumer stopped reading the stream', 'AbortError'));
      await this.iterator.return?.().catch(() => undefined);
    }
    return { done: true, value: undefined };
  }

  /** The provider's next part, or a rejection after `idleTimeoutMs` without one. */
  private nextPart(): Promise<IteratorResult<ModelStreamPart>> {
    const idleTimeoutMs = this.step.idleTimeoutMs;
    const pending = this.iterator.next();
    if (idleTimeoutMs === Infinity) return pending;
    const clock = this.context.clock;
    return new Promise((resolve, reject) => {
      const timer = clock.setTimeout(() => {
        const error = new StreamIdleTimeoutError(idleTimeoutMs);
        // Closing the request is what frees the server: a stalled stream would otherwise stay open.
        this.controller.abort(error);
        reject(error);
      }, idleTimeoutMs);
      pending.then(
        (value) => {
          clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Ends the stream without a usage report. */
  private unreported(): void {
    if (this.done) return;
    this.done = true;
    this.unlink();
  }

  /** Reports the usage once: the server's when it sent it, else an estimate marked as such. */
  private finish(reported: { readonly usage: NonNullable<ModelStreamPart & { type: 'finish' }>['usage']; readonly model: string } | undefined): void {
    if (this.done) return;
    this.done = true;
    this.unlink();
    const requested = this.request.model ?? this.step.model ?? this.step.provider.providerName;
    const usage = reported?.usage ?? estimateUsage(this.request, this.text);
    reportModelUsage(this.context, usage, reported?.model ?? requested, requested, this.prices, this.step.provider.providerName);
  }
}

/**
 * The streaming form of `modelStep`: checks the budget, starts the call with the context's signal,
 * and returns an async iterable of `{ text }` chunks once the first one arrived. A stream that
 * sends nothing for `idleTimeoutMs` is closed with `StreamIdleTimeoutError`. Usage is counted
 * however the stream ends, also when the consumer stops early: the server's counts (it is asked
 * for them) or, when none came, an estimate reported with `estimated: true`.
 *
 * @example
 * ```ts
 * const tell = streamStep(simulatedModel({ seed: 1 }), { idleTimeoutMs: 10_000 });
 * for await (const chunk of await tell.run('Tell me a story')) process.stdout.write(chunk.text);
 * ```
 */
export function streamStep(provider: ModelProvider, options: StreamStepOptions = {}): StreamStepPrimitive {
  return new StreamStepPrimitive(provider, options);
}
