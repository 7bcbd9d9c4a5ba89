import { assertDuration } from '../core/duration.js';
import { describeValue } from '../core/describe-value.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { sleep } from '../core/abort.js';
import { assertClock, type Clock } from '../core/clock.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction, requireMethods, requireOneOf, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { RateLimitExceededError } from '../errors/rate-limit-exceeded-error.js';
import { emitPrimitiveEvent, instrumentations } from '../observability/instrumentation.js';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.js';
import { TokenBucketLimiter, validateRate } from './token-bucket-limiter.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';
import { describeStore } from '../core/describe.js';

/** What a {@link RateLimitPrimitive} does when no permit is available. */
export type RateLimitMode = 'wait' | 'reject';

/**
 * Options of {@link RateLimitPrimitive}: either the rate of the built-in token bucket
 * (`tokensPerInterval`, `intervalMs`, `burst`) or a `limiter`, not both.
 */
export interface RateLimitOptions<TInput> extends PrimitiveOptions {
  /** Permits added per `intervalMs` (the sustained rate). Required without `limiter`. */
  readonly tokensPerInterval?: number;
  /** Length of the refill interval in milliseconds. Required without `limiter`. */
  readonly intervalMs?: number;
  /**
   * Most permits available at once after a quiet period (the bucket's capacity).
   * @default tokensPerInterval
   */
  readonly burst?: number;
  /**
   * `'wait'` delays a call until a permit is available (abortable); `'reject'` fails it at once
   * with `RateLimitExceededError`.
   * @default 'wait'
   */
  readonly mode?: RateLimitMode;
  /**
   * In wait mode, the longest a call may wait in total; a call that would wait longer is rejected
   * with `RateLimitExceededError` at once instead.
   * @default Infinity
   */
  readonly maxWaitMs?: number;
  /**
   * Decides on permits; a shared limiter (such as `RedisRateLimiter` from `@tta/redis`) lets
   * several processes share one budget.
   * @default new TokenBucketLimiter({ tokensPerInterval, intervalMs, burst })
   */
  readonly limiter?: RateLimiter;
  /**
   * Which budget a call draws from, for example one per user or per model.
   * @default the primitive's name
   */
  readonly key?: (input: TInput, context: WorkflowContext) => string;
  /**
   * How many permits a call takes, for example its estimated token count.
   * @default 1
   */
  readonly permits?: (input: TInput, context: WorkflowContext) => number;
  /** Source of time for waiting and refilling. @default the context's clock */
  readonly clock?: Clock;
}

/** Payload of {@link RateLimitPrimitive.onReject}. */
export interface RateLimitRejectEvent {
  readonly key: string;
  readonly permits: number;
  /** When the limiter expects permits to be available. */
  readonly retryAfterMs: number;
}

/** Payload of {@link RateLimitPrimitive.onWait}. */
export interface RateLimitWaitEvent {
  readonly key: string;
  readonly permits: number;
  /** How long the call waits before asking again. */
  readonly delayMs: number;
}

/**
 * Limits the rate of calls of the inner primitive with a token bucket (or any
 * {@link RateLimiter}). In wait mode with the built-in bucket, a call that finds no permit reserves
 * one ahead and sleeps once until it is refilled, so waiters are served in arrival order; with a
 * custom limiter it sleeps until the limiter expects a permit and asks again. The wait is abortable,
 * gives its reservation back, and releases its timer on abort. In reject mode it fails at once with
 * `RateLimitExceededError` carrying `retryAfterMs`, which `RetryPrimitive` honours.
 *
 * @example
 * ```ts
 * // 60 requests per minute, bursts of 10, waiting at most 5 s for a permit
 * const limited = new RateLimitPrimitive(llm, { tokensPerInterval: 60, intervalMs: 60_000, burst: 10, maxWaitMs: 5_000 });
 * ```
 */
export class RateLimitPrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  readonly limiter: RateLimiter;
  readonly mode: RateLimitMode;
  readonly maxWaitMs: number;
  private readonly syncLimiter: TokenBucketLimiter | undefined;
  private readonly keyFunction: ((input: TInput, context: WorkflowContext) => string) | undefined;
  private readonly permitsFunction: ((input: TInput, context: WorkflowContext) => number) | undefined;
  private readonly clock: Clock | undefined;
  private readonly rejectEmitter = new EventEmitter<RateLimitRejectEvent>();
  private readonly waitEmitter = new EventEmitter<RateLimitWaitEvent>();

  /** A call was rejected (reject mode, or a wait longer than `maxWaitMs`). */
  readonly onReject: Event<RateLimitRejectEvent> = this.rejectEmitter.event;
  /** A call starts waiting for a permit (wait mode). */
  readonly onWait: Event<RateLimitWaitEvent> = this.waitEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: RateLimitOptions<TInput>) {
    super('rate-limit', withWrapperName('rate-limit', inner, options));
    const owner = 'RateLimitPrimitive';
    requirePrimitive(owner, 'inner', inner);
    requireOptionsObject(owner, options);
    const mode = options.mode ?? 'wait';
    requireOneOf(owner, 'mode', mode, ['wait', 'reject']);
    const maxWaitMs = options.maxWaitMs ?? Infinity;
    assertDuration(owner, 'maxWaitMs', maxWaitMs, { infinity: true });
    if (options.maxWaitMs !== undefined && mode === 'reject') throw new InvalidOptionsError(owner, 'maxWaitMs', "only applies to mode 'wait'");
    for (const name of ['key', 'permits'] as const) requireFunction(owner, name, options[name], { optional: true, signature: '(input, context) => value' });
    if (options.limiter !== undefined) {
      requireMethods(owner, 'limiter', options.limiter, { methods: ['acquire'], description: 'a RateLimiter (acquire(key, permits))' });
      for (const name of ['tokensPerInterval', 'intervalMs', 'burst'] as const) {
        if (options[name] !== undefined) throw new InvalidOptionsError(owner, name, 'cannot be combined with "limiter": configure the limiter instead');
      }
      this.limiter = options.limiter;
    } else {
      validateRate(owner, options as { tokensPerInterval: number; intervalMs: number });
      this.limiter = new TokenBucketLimiter({
        tokensPerInterval: options.tokensPerInterval!,
        intervalMs: options.intervalMs!,
        ...(options.burst === undefined ? {} : { burst: options.burst }),
      });
    }
    this.syncLimiter = this.limiter instanceof TokenBucketLimiter && Object.getPrototypeOf(this.limiter) === TokenBucketLimiter.prototype ? this.limiter : undefined;
    this.inner = inner;
    this.mode = mode;
    this.maxWaitMs = maxWaitMs;
    this.keyFunction = options.key;
    this.permitsFunction = options.permits;
    assertClock('RateLimitPrimitive', options.clock);
    this.clock = options.clock;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    const limiter = this.limiter;
    const rate = limiter instanceof TokenBucketLimiter
      ? { tokensPerInterval: limiter.tokensPerInterval, intervalMs: limiter.intervalMs, burst: limiter.burst }
      : {};
    return { ...rate, limiter: describeStore(limiter), mode: this.mode, maxWaitMs: this.maxWaitMs, key: this.keyFunction, permits: this.permitsFunction };
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const key = this.keyFunction === undefined ? this.name : this.keyFunction(input, context);
    const permits = this.permitsFunction === undefined ? 1 : this.permitsFunction(input, context);
    if (!(typeof permits === 'number' && permits > 0 && Number.isFinite(permits))) {
      return Promise.reject(new InvalidInputError(`rate limit "${this.name}"`, `permits must be a finite number > 0 (got ${describeValue(permits)})`));
    }
    const clock = this.clock ?? context.clock;
    const sync = this.syncLimiter;
    if (sync !== undefined) {
      const decision = sync.tryAcquire(key, permits, clock.now());
      if (decision.granted) return this.inner.execute(context, input);
      return this.denied(context, input, key, permits, clock, decision, clock.now());
    }
    return this.limiter.acquire(key, permits).then((decision) => {
      if (decision.granted) return this.inner.execute(context, input);
      return this.denied(context, input, key, permits, clock, decision, clock.now());
    });
  }

  private async denied(
    context: WorkflowContext,
    input: TInput,
    key: string,
    permits: number,
    clock: Clock,
    first: RateLimitDecision,
    startedAt: number,
  ): Promise<TOutput> {
    const signal = context._abort === undefined ? undefined : context.signal;
    const sync = this.syncLimiter;
    if (sync !== undefined && this.mode === 'wait') return this.waitForReservation(sync, context, input, key, permits, clock, signal, first);
    let decision = first;
    while (!decision.granted) {
      const retryAfterMs = decision.retryAfterMs;
      const waitedMs = clock.now() - startedAt;
      if (this.mode === 'reject' || retryAfterMs === Infinity || retryAfterMs > this.maxWaitMs - waitedMs) throw this.reject(context, key, permits, retryAfterMs);
      if (this.waitEmitter.hasListeners || instrumentations.list.length !== 0) {
        const event: RateLimitWaitEvent = { key, permits, delayMs: retryAfterMs };
        this.waitEmitter.emit(event);
        emitPrimitiveEvent({ type: 'rate-limit-wait', ...event }, this, context);
      }
      await sleep(retryAfterMs, signal, clock);
      const sync = this.syncLimiter;
      decision = sync !== undefined ? sync.tryAcquire(key, permits, clock.now()) : await this.limiter.acquire(key, permits);
      context.throwIfAborted();
    }
    return this.inner.execute(context, input);
  }

  /**
   * Wait mode with the in-memory bucket: reserve the permits once and sleep exactly until they are
   * ours. Waiters are served in arrival order and each wakes once, so 100,000 waiters cost 100,000
   * timers, not a retry storm. An abort during the wait gives the permits back.
   */
  private async waitForReservation(
    sync: TokenBucketLimiter,
    context: WorkflowContext,
    input: TInput,
    key: string,
    permits: number,
    clock: Clock,
    signal: AbortSignal | undefined,
    first: RateLimitDecision,
  ): Promise<TOutput> {
    const delayMs = sync.reserve(key, permits, clock.now(), this.maxWaitMs);
    if (delayMs === undefined) throw this.reject(context, key, permits, first.retryAfterMs);
    if (this.waitEmitter.hasListeners || instrumentations.list.length !== 0) {
      const event: RateLimitWaitEvent = { key, permits, delayMs };
      this.waitEmitter.emit(event);
      emitPrimitiveEvent({ type: 'rate-limit-wait', ...event }, this, context);
    }
    try {
      if (delayMs > 0) await sleep(delayMs, signal, clock);
      context.throwIfAborted();
    } catch (error) {
      sync.refund(key, permits);
      throw error;
    }
    return this.inner.execute(context, input);
  }

  private reject(context: WorkflowContext, key: string, permits: number, retryAfterMs: number): RateLimitExceededError {
    const event: RateLimitRejectEvent = { key, permits, retryAfterMs };
    this.rejectEmitter.emit(event);
    emitPrimitiveEvent({ type: 'reject', reason: 'rate-limited', ...event }, this, context);
    return new RateLimitExceededError(this.name, key, retryAfterMs);
  }
}

/**
 * Limits the call rate of `inner`: the factory form of {@link RateLimitPrimitive}.
 *
 * @example
 * ```ts
 * const limited = rateLimit(llm, { tokensPerInterval: 10, intervalMs: 1_000, mode: 'reject' });
 * ```
 */
export function rateLimit<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: RateLimitOptions<TInput>): RateLimitPrimitive<TInput, TOutput> {
  return new RateLimitPrimitive(inner, options);
}
