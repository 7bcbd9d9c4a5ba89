import { recordedByExecute, WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { WorkflowContext, type ChildContextOverrides } from '../core/workflow-context.js';
import { sleep } from '../core/abort.js';
import { CooperativeBudget, yieldToMacrotask } from '../core/cooperative-yield.js';
import { assertDuration } from '../core/duration.js';
import { requireFunction, requireInteger, requireNumber, requireOneOf } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { assertClock, type Clock } from '../core/clock.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { describeValue } from '../core/describe-value.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import { computeBackoffDelay, type BackoffFunction, type BackoffKind, type BackoffSettings, type JitterKind } from './backoff.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Decides whether an error is worth another attempt; may be async. */
export type RetryPredicate = (error: unknown, attempt: number) => boolean | PromiseLike<boolean>;

/** Options of {@link RetryPrimitive}. */
export interface RetryOptions extends PrimitiveOptions {
  /**
   * Most calls of the inner primitive, the first one included; `Infinity` retries until success
   * or abort.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * The delay curve, or a function `(attempt, error, previousDelayMs) => delayMs`.
   * @default 'exponential'
   */
  readonly backoff?: BackoffKind | BackoffFunction;
  /**
   * Delay before the first retry (the curve's base).
   * @default 100
   */
  readonly initialDelayMs?: number;
  /**
   * Upper bound of every backoff delay; must not be below `initialDelayMs`.
   * @default 30_000
   */
  readonly maxDelayMs?: number;
  /**
   * Growth factor of the exponential curve.
   * @default 2
   */
  readonly factor?: number;
  /**
   * Randomisation of the delay (see the docs for the exact ranges).
   * @default 'decorrelated'
   */
  readonly jitter?: JitterKind;
  /**
   * Which errors are retried. The caller's abort is never retried, whatever this says.
   * @default every error except those with `retryable: false` (toolkit errors are, unless transient: `TimeoutError`, `RateLimitExceededError`, ...)
   * @example
   * <!-- snippet-prelude: declare class HttpError extends Error { readonly status: number } -->
   * ```ts
   * retry(callModel, { retryOn: (error) => error instanceof HttpError && error.status >= 500 });
   * ```
   */
  readonly retryOn?: RetryPredicate;
  /**
   * Upper bound of a wait asked for by an error's `retryAfterMs` (for example from a 429's
   * `Retry-After` header). A longer request waits this long.
   * @default 60_000
   */
  readonly maxRetryAfterMs?: number;
  /** Clock for the waits. @default the context's clock */
  readonly clock?: Clock;
  /** Random source in `[0, 1)` for the jitter. @default Math.random */
  readonly random?: () => number;
}

/** Reported before each wait. */
export interface RetryEvent {
  /** The attempt that failed (from 1); the next one is `attempt + 1`. */
  readonly attempt: number;
  readonly error: unknown;
  /** How long the primitive waits before the next attempt. */
  readonly delayMs: number;
  /** Attempts still allowed after this one (`maxAttempts - attempt`; `Infinity` without a limit). */
  readonly retriesLeft: number;
  readonly context: WorkflowContext;
}

/** Reported when the primitive stops retrying and rethrows the last error. */
export interface GiveUpEvent {
  /** Attempts made. */
  readonly attempts: number;
  readonly error: unknown;
  /** `'exhausted'`: `maxAttempts` reached; `'not-retryable'`: `retryOn` said no. */
  readonly reason: 'exhausted' | 'not-retryable';
  readonly context: WorkflowContext;
}

/** True for errors the default `retryOn` does not retry. */
export function isNonRetryableByDefault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  // Every toolkit error states `retryable` (false unless its class knows retrying may help); an
  // error from elsewhere is retried unless it says `retryable: false` too.
  return readProperty(error, 'retryable') === false;
}

const defaultRetryOn: RetryPredicate = (error) => !isNonRetryableByDefault(error);

const kind = 'RetryPrimitive';

/**
 * Calls the inner primitive again when it fails, waiting a backoff delay between attempts. The
 * wait races the context's signal, and no attempt starts after an abort (the rejection is then
 * the abort reason). The inner step sees the attempt number as `context.attempt`. On give-up the
 * last error itself is rethrown, with `attempts` set on it.
 *
 * @example
 * ```ts
 * const robust = retry(callModel, { maxAttempts: 5, initialDelayMs: 200, jitter: 'full' });
 * robust.onRetry(({ attempt, delayMs }) => console.log(`attempt ${attempt} failed, waiting ${delayMs} ms`));
 * ```
 */
export class RetryPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  readonly maxAttempts: number;
  private readonly settings: BackoffSettings;
  private readonly retryOn: RetryPredicate;
  private readonly maxRetryAfterMs: number;
  private readonly clock: Clock | undefined;
  private readonly retryEmitter = new EventEmitter<RetryEvent>();
  private readonly giveUpEmitter = new EventEmitter<GiveUpEvent>();
  /** Fires before each wait between attempts. */
  readonly onRetry: Event<RetryEvent> = this.retryEmitter.event;
  /** Fires when the primitive stops retrying (not on abort). */
  readonly onGiveUp: Event<GiveUpEvent> = this.giveUpEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: RetryOptions = {}) {
    super('retry', withWrapperName('retry', inner, options));
    requirePrimitive(kind, 'inner', inner);
    const maxAttempts = options.maxAttempts ?? 4;
    requireInteger(kind, 'maxAttempts', maxAttempts, { min: 1, infinity: true });
    const backoff = options.backoff ?? 'exponential';
    if (typeof backoff !== 'function' && backoff !== 'exponential' && backoff !== 'linear' && backoff !== 'constant') {
      throw new InvalidOptionsError(kind, 'backoff', `must be 'exponential', 'linear', 'constant' or a function (got ${describeValue(backoff)})`);
    }
    const initialDelayMs = options.initialDelayMs ?? 100;
    requireDelay('initialDelayMs', initialDelayMs);
    const maxDelayMs = options.maxDelayMs ?? 30_000;
    requireDelay('maxDelayMs', maxDelayMs);
    if (initialDelayMs > maxDelayMs) {
      throw new InvalidOptionsError(kind, 'initialDelayMs', `must not exceed maxDelayMs (${initialDelayMs} > ${maxDelayMs})`);
    }
    const factor = options.factor ?? 2;
    requireNumber(kind, 'factor', factor, { min: 1 });
    const jitter = options.jitter ?? 'decorrelated';
    requireOneOf(kind, 'jitter', jitter, ['decorrelated', 'full', 'none']);
    requireFunction(kind, 'retryOn', options.retryOn, { optional: true, signature: '(error, attempt) => boolean' });
    requireFunction(kind, 'random', options.random, { optional: true, signature: 'returning a number in [0, 1)' });
    const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    requireDelay('maxRetryAfterMs', maxRetryAfterMs);
    this.inner = inner;
    this.maxAttempts = maxAttempts;
    this.settings = { backoff, initialDelayMs, maxDelayMs, factor, jitter, random: options.random ?? Math.random };
    this.retryOn = options.retryOn ?? defaultRetryOn;
    this.maxRetryAfterMs = maxRetryAfterMs;
    assertClock('RetryPrimitive', options.clock);
    this.clock = options.clock;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    const { backoff, initialDelayMs, maxDelayMs, factor, jitter } = this.settings;
    return {
      maxAttempts: this.maxAttempts,
      backoff,
      initialDelayMs,
      maxDelayMs,
      factor,
      jitter,
      maxRetryAfterMs: this.maxRetryAfterMs,
      // The default predicate is part of the retry's meaning, not a choice the user made.
      retryOn: this.retryOn === defaultRetryOn ? undefined : this.retryOn,
    };
  }

  // A plain loop: the first attempt costs one child context and one await, nothing else. The
  // attempt itself is not raced against the signal (the design races the wait): watching the signal
  // would cost an AbortController per call inside a timeout, for work that gets the signal anyway.
  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    return this._executeCounted(context, input, recordedByExecute);
  }

  /**
   * @internal The whole logic; `ownToken` is this call's own metrics token (see `WorkflowPrimitive`),
   * recorded here so that a metered retry settles without a promise reaction of its own.
   */
  protected override async _executeCounted(context: WorkflowContext, input: TInput, ownToken: number): Promise<TOutput> {
    const inner = this.inner;
    let previousDelayMs = 0;
    let budget: CooperativeBudget | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        if (previousDelayMs <= 0 && attempt > 1 && (budget ??= new CooperativeBudget()).due()) await takeBreak(context);
        const attemptContext = attempt === 1 ? WorkflowContext.firstAttempt(context) : WorkflowContext.derive(context, attemptOverrides[attempt] ?? { attempt }, undefined);
        const token = inner._stepStart(attemptContext);
        let value: TOutput;
        try {
          value = await inner._executeStep(attemptContext, input, token);
        } catch (error) {
          inner._stepEnd(token, false);
          if (context.aborted) throw context.abortReason;
          previousDelayMs = await this.prepareRetry(context, error, attempt, previousDelayMs);
          continue;
        }
        inner._stepEnd(token, true);
        // An attempt that ignored its signal may resolve after the caller's abort: the caller asked
        // to stop, so the abort reason wins over a late value.
        if (context.aborted) throw context.abortReason;
        this._stepEnd(ownToken, true);
        return value;
      }
    } catch (error) {
      this._stepEnd(ownToken, false);
      throw error;
    }
  }

  /** Decides on a failed attempt: throws to give up, or waits and returns the delay used. */
  private async prepareRetry(context: WorkflowContext, error: unknown, attempt: number, previousDelayMs: number): Promise<number> {
    if (attempt >= this.maxAttempts) this.giveUp(context, error, attempt, 'exhausted');
    let decision = this.retryOn(error, attempt);
    if (typeof decision !== 'boolean') decision = await decision;
    if (context.aborted) throw context.abortReason;
    if (decision !== true) this.giveUp(context, error, attempt, 'not-retryable');
    let delayMs = computeBackoffDelay(this.settings, attempt, error, previousDelayMs);
    const retryAfterMs = readRetryAfter(error);
    if (retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(retryAfterMs, this.maxRetryAfterMs));
    if (this.retryEmitter.hasListeners) this.retryEmitter.emit({ attempt, error, delayMs, retriesLeft: this.maxAttempts - attempt, context });
    emitPrimitiveEvent({ type: 'retry', attempt, delayMs, error }, this, context);
    if (delayMs > 0) {
      await sleep(delayMs, context._abort === undefined ? undefined : context.signal, this.clock ?? context.clock);
    }
    if (context.aborted) throw context.abortReason;
    return delayMs;
  }

  private giveUp(context: WorkflowContext, error: unknown, attempts: number, reason: GiveUpEvent['reason']): never {
    if (typeof error === 'object' && error !== null) {
      try {
        (error as { attempts?: number }).attempts = attempts;
      } catch {
        // A frozen error keeps its shape; the event still carries the count.
      }
    }
    if (this.giveUpEmitter.hasListeners) this.giveUpEmitter.emit({ attempts, error, reason, context });
    emitPrimitiveEvent({ type: 'give-up', attempts, reason, error }, this, context);
    throw error;
  }
}

// Any finite wait is honoured (the clock chains host timers past their 24.8-day limit); an
// infinite one would never retry, which is what maxAttempts is for.
function requireDelay(option: string, value: number): void {
  assertDuration(kind, option, value);
}

function readRetryAfter(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = readProperty(error, 'retryAfterMs');
  return typeof value === 'number' && value >= 0 ? value : undefined;
}

/**
 * Reads a property of a user's error; a throwing getter or proxy trap reads as `undefined`, so the
 * user's error, not the getter's, is what the caller sees.
 */
function readProperty(error: object, key: 'retryable' | 'retryAfterMs'): unknown {
  try {
    return (error as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The overrides of the first attempts, made once rather than on every call. */
const attemptOverrides: readonly ChildContextOverrides[] = Array.from({ length: 9 }, (_, attempt) => Object.freeze({ attempt }));

/**
 * Wraps `inner` in a {@link RetryPrimitive}.
 *
 * @example
 * ```ts
 * const robust = retry(callModel, { maxAttempts: 3, backoff: 'linear', initialDelayMs: 500 });
 * ```
 */
export function retry<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: RetryOptions = {}): RetryPrimitive<TInput, TOutput> {
  return new RetryPrimitive(inner, options);
}

/**
 * Retries without a delay never wait on a timer: a step that fails at once would then hold the thread
 * forever, and the deadline or timeout meant to stop it could never fire. Such a loop takes a break on
 * the host's macrotask queue every few milliseconds (a counter check otherwise), then stops if aborted.
 */
async function takeBreak(context: WorkflowContext): Promise<void> {
  await yieldToMacrotask();
  if (context.aborted) throw context.abortReason;
}
