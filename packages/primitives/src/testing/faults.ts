import { assertClock } from '../core/clock.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { wrapperName } from '../core/wrapper-name.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { sleep } from '../core/abort.js';
import type { Clock } from '../core/clock.js';
import { LambdaPrimitive, type StepFunction } from '../composition/lambda-primitive.js';
import { InjectedFaultError } from '../errors/injected-fault-error.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { requireInteger, requireNumber, requireOptionsObject } from '../core/options.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';

/** What an injected failure rejects with: a value, or a function of the call number (from 1). */
export type InjectedError = unknown | ((call: number) => unknown);

/** Options of {@link failWithProbability}. */
export interface FailWithProbabilityOptions extends PrimitiveOptions {
  /** Seed of the pseudo-random sequence: the same seed fails the same calls. */
  readonly seed: number;
  /** What a failing call rejects with. @default an `InjectedFaultError` */
  readonly error?: InjectedError;
}

/** A latency range: each call waits a uniformly drawn time in `[minMs, maxMs]`. */
export interface LatencyRange {
  readonly minMs: number;
  readonly maxMs: number;
  /** Seed of the pseudo-random draws: the same seed gives the same delays. */
  readonly seed: number;
}

/** Options of {@link withLatency}. */
export interface WithLatencyOptions extends PrimitiveOptions {
  /** Clock the delay is measured on. @default the context's clock */
  readonly clock?: Clock;
}

/**
 * A deterministic pseudo-random generator (mulberry32): returns numbers in `[0, 1)`, the same
 * sequence for the same seed.
 */
export function seededRandom(seed: number): () => number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new InvalidOptionsError('seededRandom', 'seed', `must be a finite number (got ${describeValue(seed)})`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** The primitive the fault helpers return: counts calls and decides per call to fail, delay or pass. */
export class FaultInjectionPrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  /** The wrapped primitive. */
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  private callCount = 0;
  private failureCount = 0;

  /** @internal Made by `failFirst`, `failWithProbability` and `withLatency`. */
  constructor(
    inner: WorkflowPrimitive<TInput, TOutput>,
    private readonly decide: (call: number) => { readonly fail: boolean; readonly delayMs: number },
    private readonly error: InjectedError,
    private readonly clock: Clock | undefined,
    options: PrimitiveOptions,
  ) {
    super('fault', options);
    this.inner = inner;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  /** Calls so far. */
  get calls(): number {
    return this.callCount;
  }

  /** Calls failed by injection so far. */
  get failures(): number {
    return this.failureCount;
  }

  protected async executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const call = ++this.callCount;
    const { fail, delayMs } = this.decide(call);
    if (delayMs > 0) await sleep(delayMs, context._abort === undefined ? undefined : context.signal, this.clock ?? context.clock);
    context.throwIfAborted();
    if (fail) {
      this.failureCount++;
      throw typeof this.error === 'function' ? (this.error as (call: number) => unknown)(call) : this.error === undefined ? new InjectedFaultError(call) : this.error;
    }
    return this.inner.execute(context, input);
  }
}

function lift<TInput, TOutput>(target: WorkflowPrimitive<TInput, TOutput> | StepFunction<TInput, TOutput>, helper: string): WorkflowPrimitive<TInput, TOutput> {
  if (target instanceof WorkflowPrimitive) return target;
  if (typeof target === 'function') return new LambdaPrimitive(target, { name: `${helper}-target` });
  throw new InvalidOptionsError(helper, 'primitive', 'must be a WorkflowPrimitive or a function (input, context) => output');
}

/**
 * Fails the first `count` calls (with `error`, by default an `InjectedFaultError`), then runs
 * `primitive` (or the function) for every later call.
 *
 * @example
 * ```ts
 * const flaky = failFirst(2, llm); // calls 1 and 2 reject, call 3 reaches llm
 * await retry(flaky, { maxAttempts: 3 }).execute(context, 'hi');
 * ```
 */
export function failFirst<TInput, TOutput>(
  count: number,
  primitive: WorkflowPrimitive<TInput, TOutput> | StepFunction<TInput, TOutput>,
  error?: InjectedError,
): FaultInjectionPrimitive<TInput, TOutput> {
  requireInteger('failFirst', 'count', count);
  const inner = lift(primitive, 'failFirst');
  return new FaultInjectionPrimitive(inner, (call) => ({ fail: call <= count, delayMs: 0 }), error, undefined, { name: wrapperName('fail-first', inner) });
}

/**
 * Fails each call with probability `probability`, decided by a seeded generator: the same seed
 * fails the same call numbers on every run.
 *
 * @example
 * ```ts
 * const flaky = failWithProbability(0.3, llm, { seed: 42 });
 * ```
 */
export function failWithProbability<TInput, TOutput>(
  probability: number,
  primitive: WorkflowPrimitive<TInput, TOutput> | StepFunction<TInput, TOutput>,
  options: FailWithProbabilityOptions,
): FaultInjectionPrimitive<TInput, TOutput> {
  requireNumber('failWithProbability', 'probability', probability, { max: 1 });
  if (typeof options !== 'object' || options === null || !Number.isFinite(options.seed)) {
    throw new InvalidOptionsError('failWithProbability', 'seed', 'must be a finite number');
  }
  const inner = lift(primitive, 'failWithProbability');
  const random = seededRandom(options.seed);
  const { seed: _seed, error, ...primitiveOptions } = options;
  return new FaultInjectionPrimitive(inner, () => ({ fail: random() < probability, delayMs: 0 }), error, undefined, {
    name: wrapperName('fail-with-probability', inner),
    ...primitiveOptions,
  });
}

/**
 * Delays each call by `latency` milliseconds (or a seeded draw in `[minMs, maxMs]`) before running
 * `primitive`. The wait is on the clock (use `ManualClock` in tests) and rejects at once with the
 * abort reason when the context aborts.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const slow = withLatency({ minMs: 50, maxMs: 500, seed: 7 }, llm, { clock });
 * ```
 */
export function withLatency<TInput, TOutput>(
  latency: number | LatencyRange,
  primitive: WorkflowPrimitive<TInput, TOutput> | StepFunction<TInput, TOutput>,
  options: WithLatencyOptions = {},
): FaultInjectionPrimitive<TInput, TOutput> {
  let delayOf: () => number;
  if (typeof latency === 'number') {
    requireNumber('withLatency', 'latency', latency);
    delayOf = () => latency;
  } else {
    const { minMs, maxMs, seed } = latency ?? ({} as LatencyRange);
    if (!(Number.isFinite(minMs) && Number.isFinite(maxMs) && minMs >= 0 && maxMs >= minMs)) {
      throw new InvalidOptionsError('withLatency', 'latency', 'must have finite minMs >= 0 and maxMs >= minMs');
    }
    if (!Number.isFinite(seed)) throw new InvalidOptionsError('withLatency', 'latency.seed', 'must be a finite number');
    const random = seededRandom(seed);
    delayOf = () => minMs + random() * (maxMs - minMs);
  }
  requireOptionsObject('withLatency', options);
  assertClock('withLatency', options.clock);
  const inner = lift(primitive, 'withLatency');
  const { clock, ...primitiveOptions } = options;
  return new FaultInjectionPrimitive(inner, () => ({ fail: false, delayMs: delayOf() }), undefined, clock, {
    name: wrapperName('with-latency', inner),
    ...primitiveOptions,
  });
}
