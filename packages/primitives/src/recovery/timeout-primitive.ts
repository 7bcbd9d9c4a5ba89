import { recordedByExecute, WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { WorkflowContext, type ChildContextOverrides } from '../core/workflow-context.js';
import { LazyAbort, subscribeToSignal } from '../core/abort.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { assertClock, type Clock } from '../core/clock.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { assertDuration } from '../core/duration.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { TimeoutError } from '../errors/timeout-error.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import { deadlineQueueFor, type DeadlineQueue, type DeadlineWaiter, type DurationList } from './deadline-queue.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Options of {@link TimeoutPrimitive}. */
export interface TimeoutOptions<TInput, TOutput> extends PrimitiveOptions {
  /** Time the inner work may take, in milliseconds: any size (also beyond 24.8 days); `Infinity` for no limit. */
  readonly timeoutMs: number;
  /**
   * Runs on timeout, with the same input and the caller's context; its result (or error) becomes
   * the result. Without it, a timeout rejects with {@link TimeoutError}.
   */
  readonly fallback?: WorkflowPrimitive<TInput, TOutput>;
  /** Clock for the deadline. @default the context's clock */
  readonly clock?: Clock;
}

/** Reported when the time limit passes. */
export interface TimeoutEvent {
  readonly timeoutMs: number;
  /** True when a fallback runs instead of rejecting. */
  readonly fallback: boolean;
  readonly context: WorkflowContext;
}

const kind = 'TimeoutPrimitive';
const noOverrides: ChildContextOverrides = Object.freeze({});

/**
 * Bounds the time of the inner work. The inner work gets its own signal, which aborts with a
 * {@link TimeoutError} at the deadline; the call then rejects at once with that error (or runs the
 * `fallback`). A caller's abort surfaces as the caller's own reason, never as a timeout. After
 * success the deadline is dropped and the inner signal is never aborted.
 *
 * No timer is made per call: calls share one host timer per clock (see `deadline-queue.ts`), and
 * the inner signal's `AbortController` is only created if the inner work reads `context.signal`.
 *
 * @example
 * ```ts
 * const bounded = timeout(callModel, { timeoutMs: 10_000, fallback: step('canned-answer', () => 'The model is busy; please try again.') });
 * ```
 */
export class TimeoutPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  readonly timeoutMs: number;
  /** @internal */ readonly _fallback: WorkflowPrimitive<TInput, TOutput> | undefined;
  private readonly clock: Clock | undefined;
  private queueClock: Clock | undefined;
  private queue: DeadlineQueue | undefined;
  /** @internal */ readonly _timeoutEmitter = new EventEmitter<TimeoutEvent>();
  /** Fires when the time limit passes (not when the caller aborts). */
  readonly onTimeout: Event<TimeoutEvent> = this._timeoutEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: TimeoutOptions<TInput, TOutput>) {
    super('timeout', withWrapperName('timeout', inner, options));
    requirePrimitive(kind, 'inner', inner);
    if (typeof options !== 'object' || options === null) throw new InvalidOptionsError(kind, 'timeoutMs', 'is required');
    const timeoutMs = options.timeoutMs;
    assertDuration(kind, 'timeoutMs', timeoutMs, { positive: true, infinity: true });
    requirePrimitive(kind, 'fallback', options.fallback, { optional: true });
    this.inner = inner;
    this.timeoutMs = timeoutMs;
    this._fallback = options.fallback;
    assertClock('TimeoutPrimitive', options.clock);
    this.clock = options.clock;
  }

  override _children(): readonly PrimitiveChild[] {
    return this._fallback === undefined ? wrappedChild(this.inner) : [{ label: undefined, primitive: this.inner }, { label: 'fallback', primitive: this._fallback }];
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { timeoutMs: this.timeoutMs };
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    return this._executeCounted(context, input, recordedByExecute);
  }

  /** @internal The whole logic; `token` is this call's own metrics token (see `WorkflowPrimitive`). */
  protected override _executeCounted(context: WorkflowContext, input: TInput, token: number): Promise<TOutput> {
    const clock = this.clock ?? context.clock;
    let queue = this.queue;
    if (queue === undefined || this.queueClock !== clock) {
      queue = this.queue = deadlineQueueFor(clock);
      this.queueClock = clock;
    }
    const run = new TimeoutRun<TInput, TOutput>(this, context, input, queue, token);
    const result = new Promise<TOutput>(captureSettlers);
    run.resolve = capturedResolve as (value: TOutput | PromiseLike<TOutput>) => void;
    run.reject = capturedReject;
    queue.add(run, this.timeoutMs);
    // A cancellable caller is watched directly, so its abort rejects at once even when the inner
    // work never reads its signal (a context that cannot be cancelled costs nothing here).
    if (context._abort !== undefined) run.watchCaller();
    const innerContext = WorkflowContext.derive(context, noOverrides, run);
    const inner = this.inner;
    const innerToken = inner._stepStart(innerContext);
    inner._executeStep(innerContext, input, innerToken).then(
      (value) => {
        inner._stepEnd(innerToken, true);
        run.succeed(value);
      },
      (error: unknown) => {
        inner._stepEnd(innerToken, false);
        run.fail(error);
      },
    );
    return result;
  }
}

/**
 * One pending call, in one object: the inner work's abort scope (a {@link LazyAbort}, so no
 * `AbortController` exists unless the inner work reads its signal) and the deadline-queue node.
 * When the caller's abort reaches the scope (only possible once the inner work has read its
 * signal), the call rejects at once with the caller's reason.
 */
class TimeoutRun<TInput, TOutput> extends LazyAbort implements DeadlineWaiter {
  _dueAt = 0;
  _previous: DeadlineWaiter | undefined = undefined;
  _next: DeadlineWaiter | undefined = undefined;
  _list: DurationList | undefined = undefined;
  resolve: (value: TOutput | PromiseLike<TOutput>) => void = noop;
  reject: (reason: unknown) => void = noop;
  private settled = false;
  private unwatch: (() => void) | undefined = undefined;

  constructor(
    private readonly owner: TimeoutPrimitive<TInput, TOutput>,
    private readonly context: WorkflowContext,
    private readonly input: TInput,
    private readonly queue: DeadlineQueue,
    /** This call's own metrics token: the outcome is recorded where the call settles. */
    private readonly token: number,
  ) {
    // Always released: at success, failure, caller abort or deadline (see finish and onDeadline).
    super(context._abort, undefined, true);
  }

  watchCaller(): void {
    const signal = this.context.signal;
    if (signal.aborted) {
      this.abort(signal.reason);
      return;
    }
    // Shared with every other run on the same signal: one listener, however many runs.
    this.unwatch = subscribeToSignal(signal, (reason) => this.abort(reason));
  }

  succeed(value: TOutput): void {
    if (this.settled) return;
    this.finish();
    this.owner._stepEnd(this.token, true);
    this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.finish();
    this.owner._stepEnd(this.token, false);
    // The inner work may reject with its own abort error: report the caller's reason instead.
    this.reject(this.context.aborted ? this.context.abortReason : error);
  }

  override abort(reason: unknown): void {
    super.abort(reason);
    // Reached only through the link to the caller's signal while pending; the deadline path
    // marks the run settled before aborting.
    if (this.settled) return;
    this.finish();
    this.owner._stepEnd(this.token, false);
    this.reject(reason);
  }

  onDeadline(): void {
    if (this.settled) return;
    this.settled = true;
    this.unwatch?.();
    const context = this.context;
    if (context.aborted) {
      super.abort(context.abortReason);
      this.release();
      this.owner._stepEnd(this.token, false);
      this.reject(context.abortReason);
      return;
    }
    const owner = this.owner;
    const timeoutMs = owner.timeoutMs;
    const error = new TimeoutError(timeoutMs);
    super.abort(error);
    this.release();
    const fallback = owner._fallback;
    if (owner._timeoutEmitter.hasListeners) owner._timeoutEmitter.emit({ timeoutMs, fallback: fallback !== undefined, context });
    emitPrimitiveEvent({ type: 'timeout', timeoutMs, fallback: fallback !== undefined }, owner, context);
    if (fallback === undefined) {
      this.owner._stepEnd(this.token, false);
      this.reject(error);
      return;
    }
    // The fallback's outcome is the call's: it is recorded when the fallback settles.
    this.resolve(owner._stepEndWhenSettled(fallback.execute(context, this.input), this.token));
  }

  private finish(): void {
    this.settled = true;
    this.unwatch?.();
    this.queue.remove(this);
    this.release();
  }
}

const noop = (): void => {};

// One executor for every call (the promise calls it synchronously), instead of a closure per call.
let capturedResolve: (value: unknown) => void = noop;
let capturedReject: (reason: unknown) => void = noop;
function captureSettlers(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
  capturedReject = reject;
}

/**
 * Wraps `inner` in a {@link TimeoutPrimitive}.
 *
 * @example
 * ```ts
 * const bounded = timeout(retry(callModel), { timeoutMs: 30_000 }); // a total budget for all attempts
 * ```
 */
export function timeout<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: TimeoutOptions<TInput, TOutput>): TimeoutPrimitive<TInput, TOutput> {
  return new TimeoutPrimitive(inner, options);
}
