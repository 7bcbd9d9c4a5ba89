import { assertDuration } from '../core/duration.js';
import { subscribeToAbort } from '../core/abort.js';
import { recordedByExecute, WorkflowPrimitive } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { EventEmitter, reportListenerError, toDisposable, type Disposable, type Event } from '../core/disposable.js';
import { systemClock, type Clock, assertClock } from '../core/clock.js';
import { InvalidOptionsError } from '../errors/invalid-options-error.js';
import { requireFunction, requireInteger, requireNonEmptyString, requireNumber } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { BrokenCircuitError } from '../errors/broken-circuit-error.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import type { CircuitSnapshot, CircuitState, CircuitStateStore } from './circuit-state-store.js';
import type { BreakEvent, CircuitBreakerOptions, StateChangeEvent } from './circuit-breaker-options.js';
import { FailureWindow } from './failure-window.js';
import { assertSpecificationVersion } from '../core/specification-version.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';
import { describeStore } from '../core/describe.js';

const kind = 'CircuitBreakerPrimitive';

/**
 * Stops calling a failing dependency for a while. Closed: calls pass and failures are counted
 * (consecutive, or as a ratio over a sliding window). Open: calls are rejected at once with
 * {@link BrokenCircuitError} until `breakDurationMs` has passed. Half-open: up to `halfOpenMaxCalls`
 * probes run at once; `halfOpenSuccessThreshold` successes close the circuit, any probe failure
 * reopens it. A probe whose caller is cancelled (a deadline, `timeout()`) frees its slot at once,
 * even if the dependency never answers it. Results that arrive after the state changed are ignored. The open -> half-open step
 * happens as soon as the break is over and the breaker is looked at: on the next call, or on a read
 * of `state` (as in Polly), whichever comes first; `onHalfOpen` fires then.
 *
 * @example
 * ```ts
 * const guarded = circuitBreaker(callModel, { failureThreshold: 5, breakDurationMs: 10_000 });
 * guarded.onBreak(({ error }) => log.warn('model circuit open', { error }));
 * ```
 */
export class CircuitBreakerPrimitive<in TInput, out TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  /** The key under which the state is stored. */
  readonly key: string;
  private readonly failureThreshold: number;
  private readonly window: FailureWindow | undefined;
  private readonly failureRatio: number;
  private readonly minimumThroughput: number;
  private readonly breakDurationMs: number;
  private readonly halfOpenMaxCalls: number;
  private readonly halfOpenSuccessThreshold: number;
  private readonly breakOn: ((error: unknown) => boolean) | undefined;
  private readonly store: CircuitStateStore | undefined;
  private readonly refreshMs: number | undefined;
  private clock: Clock;
  private readonly fixedClock: boolean;

  private current: CircuitState = 'closed';
  /** Bumped on every transition; a result from an older generation is ignored. */
  private generation = 0;
  private isolated = false;
  /** Isolation handles not yet disposed. */
  private isolations = 0;
  /** The failure that last opened the circuit: the `cause` of the rejections while open. */
  private lastFailure: unknown = undefined;
  private openedAtMs: number | undefined = undefined;
  private openUntilMs = 0;
  private consecutiveFailures = 0;
  private probesInFlight = 0;
  private probeSuccesses = 0;
  private restoring: Promise<void> | undefined;
  private saving: Promise<void> = Promise.resolve();
  private refreshing = false;
  private lastRefreshAtMs = -Infinity;
  /** When this breaker last changed state itself; a stored snapshot must be newer to be adopted. */
  private lastTransitionAtMs = -Infinity;
  private restored: boolean;

  private readonly breakEmitter = new EventEmitter<BreakEvent>();
  private readonly halfOpenEmitter = new EventEmitter<void>();
  private readonly resetEmitter = new EventEmitter<void>();
  private readonly stateChangeEmitter = new EventEmitter<StateChangeEvent>();
  /** Fires when the circuit opens (after a failure, a failed probe, or `isolate()`). */
  readonly onBreak: Event<BreakEvent> = this.breakEmitter.event;
  /** Fires when the break is over and the first probe is let through. */
  readonly onHalfOpen: Event<void> = this.halfOpenEmitter.event;
  /** Fires when the circuit closes (probes succeeded, or `reset()`). */
  readonly onReset: Event<void> = this.resetEmitter.event;
  /** Fires on every state change. */
  readonly onStateChange: Event<StateChangeEvent> = this.stateChangeEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: CircuitBreakerOptions = {}) {
    super('circuit-breaker', withWrapperName('circuit-breaker', inner, options));
    requirePrimitive(kind, 'inner', inner);
    const ratioMode = options.failureRatio !== undefined;
    // The options type already refuses mixed modes; JavaScript callers (and casts) are checked here.
    const given: { readonly failureThreshold?: unknown; readonly minimumThroughput?: unknown; readonly windowMs?: unknown } = options;
    if (ratioMode && given.failureThreshold !== undefined) {
      throw new InvalidOptionsError(kind, 'failureThreshold', 'cannot be combined with failureRatio (choose one mode)');
    }
    if (!ratioMode && (given.minimumThroughput !== undefined || given.windowMs !== undefined)) {
      throw new InvalidOptionsError(kind, given.minimumThroughput !== undefined ? 'minimumThroughput' : 'windowMs', 'needs failureRatio (ratio mode)');
    }
    this.failureThreshold = options.failureThreshold ?? 5;
    requireInteger(kind, 'failureThreshold', this.failureThreshold, { min: 1 });
    this.failureRatio = options.failureRatio ?? 1;
    requireNumber(kind, 'failureRatio', this.failureRatio, { exclusiveMin: true, max: 1 });
    this.minimumThroughput = options.minimumThroughput ?? 10;
    requireInteger(kind, 'minimumThroughput', this.minimumThroughput, { min: 1 });
    const windowMs = options.windowMs ?? 60_000;
    assertDuration(kind, 'windowMs', windowMs, { positive: true });
    this.breakDurationMs = options.breakDurationMs ?? 30_000;
    assertDuration(kind, 'breakDurationMs', this.breakDurationMs, { positive: true });
    this.halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1;
    requireInteger(kind, 'halfOpenMaxCalls', this.halfOpenMaxCalls, { min: 1 });
    this.halfOpenSuccessThreshold = options.halfOpenSuccessThreshold ?? 1;
    requireInteger(kind, 'halfOpenSuccessThreshold', this.halfOpenSuccessThreshold, { min: 1 });
    requireFunction(kind, 'breakOn', options.breakOn, { optional: true, signature: '(error) => boolean' });
    const store = options.store;
    if (store !== undefined && (typeof store !== 'object' || store === null || typeof store.load !== 'function' || typeof store.save !== 'function')) {
      throw new InvalidOptionsError(kind, 'store', 'must implement load(key) and save(key, snapshot)');
    }
    if (store !== undefined) assertSpecificationVersion(kind, 'store', store);
    requireNonEmptyString(kind, 'key', options.key, { optional: true });
    if (options.refreshMs !== undefined) {
      if (store === undefined) throw new InvalidOptionsError(kind, 'refreshMs', 'needs a store');
      assertDuration(kind, 'refreshMs', options.refreshMs, { positive: true });
    }
    this.refreshMs = options.refreshMs;
    this.inner = inner;
    this.window = ratioMode ? new FailureWindow(windowMs) : undefined;
    this.breakOn = options.breakOn;
    this.store = store;
    this.key = options.key ?? this.name;
    assertClock('CircuitBreakerPrimitive', options.clock);
    this.clock = options.clock ?? systemClock;
    this.fixedClock = options.clock !== undefined;
    this.restored = store === undefined;
  }

  /**
   * The current state. Reading it once the break is over moves an open circuit to `'half-open'`
   * (and fires `onHalfOpen`), so it never reports `'open'` for a circuit that would let a probe through.
   */
  get state(): CircuitState {
    if (this.current === 'open' && this.restored && !this.isolated && this.clock.now() >= this.openUntilMs) this.enterHalfOpen(undefined);
    return this.current;
  }

  /** True while held open by {@link isolate}. */
  get isIsolated(): boolean {
    return this.isolated;
  }

  /**
   * Opens the circuit and holds it open (no probes) until {@link reset}, or until every handle
   * returned by `isolate()` is disposed (disposing the last one closes the circuit).
   *
   * @example
   * ```ts
   * const maintenance = breaker.isolate();
   * // ... calls are rejected with BrokenCircuitError (retryAfterMs: Infinity)
   * maintenance.dispose();
   * ```
   */
  isolate(): Disposable {
    this.isolations++;
    if (!this.isolated || this.current !== 'open') {
      this.isolated = true;
      this.openCircuit(undefined, undefined);
    }
    const generation = this.isolationGeneration;
    return toDisposable(() => {
      // A reset() in between already ended this isolation.
      if (generation !== this.isolationGeneration) return;
      if (--this.isolations === 0) this.reset();
    });
  }

  /** Closes the circuit and clears every count (also ends every isolation). */
  reset(): void {
    this.isolated = false;
    this.isolations = 0;
    this.isolationGeneration++;
    this.closeCircuit(undefined);
  }

  private isolationGeneration = 0;

  /**
   * Loads the saved state from the store now; without a call to this, it is loaded before the
   * first execution. Resolves once loaded (at once without a store).
   */
  loadState(): Promise<void> {
    if (this.restored) return Promise.resolve();
    return (this.restoring ??= this.loadFromStore());
  }

  /** Resolves once every snapshot saved so far has reached the store (for a clean shutdown, or tests). */
  whenSaved(): Promise<void> {
    return this.saving;
  }

  /** The state as plain data (what is saved to the store). */
  snapshot(): CircuitSnapshot {
    return this.snapshotAt(this.clock.now());
  }

  private snapshotAt(savedAtMs: number): CircuitSnapshot {
    const base = {
      version: 1 as const,
      state: this.current,
      isolated: this.isolated,
      consecutiveFailures: this.consecutiveFailures,
      window: this.window?.buckets() ?? [],
      savedAtMs,
    };
    if (this.current === 'closed' || this.openedAtMs === undefined) return base;
    return this.isolated ? { ...base, openedAtMs: this.openedAtMs } : { ...base, openedAtMs: this.openedAtMs, openUntilMs: this.openUntilMs };
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    const counting = this.window === undefined
      ? { failureThreshold: this.failureThreshold }
      : { failureRatio: this.failureRatio, minimumThroughput: this.minimumThroughput, windowMs: this.window.windowMs };
    return {
      ...counting,
      breakDurationMs: this.breakDurationMs,
      halfOpenMaxCalls: this.halfOpenMaxCalls,
      halfOpenSuccessThreshold: this.halfOpenSuccessThreshold,
      breakOn: this.breakOn,
      store: this.store === undefined ? undefined : describeStore(this.store),
      refreshMs: this.refreshMs,
    };
  }

  /**
   * Adopts a snapshot (as loaded from a store). A half-open snapshot becomes open with its break
   * over, so the next call probes. Probes in flight are forgotten (their results are ignored).
   * Snapshots of an unknown version are ignored. Emits no events.
   */
  restore(snapshot: CircuitSnapshot): void {
    if (typeof snapshot !== 'object' || snapshot === null || snapshot.version !== 1) return;
    this.generation++;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.consecutiveFailures = snapshot.consecutiveFailures;
    this.window?.load(snapshot.window);
    this.isolated = snapshot.isolated;
    if (snapshot.state === 'closed' && !snapshot.isolated) {
      this.current = 'closed';
      this.openedAtMs = undefined;
      return;
    }
    this.current = 'open';
    this.openedAtMs = snapshot.openedAtMs ?? snapshot.savedAtMs;
    this.openUntilMs = snapshot.state === 'open' ? (snapshot.openUntilMs ?? this.openedAtMs + this.breakDurationMs) : snapshot.savedAtMs;
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    return this._executeCounted(context, input, recordedByExecute);
  }

  /**
   * @internal The whole logic; `ownToken` is this call's own metrics token (see `WorkflowPrimitive`).
   * The closed path records it in the reaction it has anyway; the others add one.
   */
  protected override _executeCounted(context: WorkflowContext, input: TInput, ownToken: number): Promise<TOutput> {
    if (!this.fixedClock) this.clock = context.clock;
    if (this.restored) {
      if (this.refreshMs !== undefined) this.refreshIfDue();
      if (this.current === 'closed') return this.runClosed(context, input, ownToken);
    }
    const result = this.restored ? this.runGuarded(context, input) : this.restoreThenRun(context, input);
    if (ownToken === recordedByExecute) return result;
    return this._stepEndWhenSettled(result, ownToken);
  }

  private async restoreThenRun(context: WorkflowContext, input: TInput): Promise<TOutput> {
    await this.loadState();
    context.throwIfAborted();
    return this.executeImpl(context, input);
  }

  private async loadFromStore(): Promise<void> {
    const generation = this.generation;
    let snapshot: CircuitSnapshot | undefined;
    try {
      snapshot = await this.store!.load(this.key);
    } catch (error) {
      reportListenerError(error);
    }
    this.restored = true;
    // isolate() or reset() called meanwhile wins over the stored state.
    if (snapshot !== undefined && generation === this.generation) {
      this.restore(snapshot);
      if (Number.isFinite(snapshot.savedAtMs)) this.lastTransitionAtMs = snapshot.savedAtMs;
    }
  }

  private refreshIfDue(): void {
    const now = this.clock.now();
    if (this.refreshing || now - this.lastRefreshAtMs < this.refreshMs!) return;
    this.refreshing = true;
    this.lastRefreshAtMs = now;
    const generation = this.generation;
    this.store!.load(this.key).then(
      (snapshot) => {
        this.refreshing = false;
        // Adopt only what another breaker saved after our own last transition.
        if (snapshot === undefined || generation !== this.generation || !(snapshot.savedAtMs > this.lastTransitionAtMs)) return;
        // Closed here and there: keep our own counts.
        if (snapshot.state === 'closed' && !snapshot.isolated && this.current === 'closed' && !this.isolated) return;
        const from = this.current;
        this.restore(snapshot);
        this.lastTransitionAtMs = snapshot.savedAtMs;
        if (from !== this.current && this.stateChangeEmitter.hasListeners) this.stateChangeEmitter.emit({ from, to: this.current });
      },
      (error: unknown) => {
        this.refreshing = false;
        reportListenerError(error);
      },
    );
  }

  // Not `async`: the closed path is every healthy call, and one reaction on the inner promise costs
  // less than an async function's promise and resumption.
  private runClosed(context: WorkflowContext, input: TInput, ownToken: number): Promise<TOutput> {
    const generation = this.generation;
    const inner = this.inner;
    const token = inner._stepStart(context);
    return inner._executeStep(context, input, token).then(
      (value) => {
        inner._stepEnd(token, true);
        if (generation === this.generation) {
          this.consecutiveFailures = 0;
          this.window?.record(this.clock.now(), false);
        }
        this._stepEnd(ownToken, true);
        return value;
      },
      (error: unknown) => {
        inner._stepEnd(token, false);
        this._stepEnd(ownToken, false);
        if (generation === this.generation && this.counts(error, context)) this.closedFailure(error, context);
        throw context.aborted ? context.abortReason : error;
      },
    );
  }

  private async runGuarded(context: WorkflowContext, input: TInput): Promise<TOutput> {
    if (this.current === 'open') {
      const now = this.clock.now();
      if (this.isolated || now < this.openUntilMs) {
        const retryAfterMs = this.isolated ? Infinity : this.openUntilMs - now;
        emitPrimitiveEvent({ type: 'circuit-reject', state: 'open', retryAfterMs }, this, context);
        throw new BrokenCircuitError(this.name, retryAfterMs, this.rejectionOptions());
      }
      this.enterHalfOpen(context);
    }
    if (this.probesInFlight >= this.halfOpenMaxCalls) {
      emitPrimitiveEvent({ type: 'circuit-reject', state: 'half-open', retryAfterMs: 0 }, this, context);
      throw new BrokenCircuitError(this.name, 0, this.rejectionOptions());
    }
    const generation = this.generation;
    this.probesInFlight++;
    // A probe whose caller is cancelled frees its slot at once: an upstream that ignores the signal
    // and never answers would otherwise hold the slot, and reject every later call, forever.
    let holdsSlot = true;
    const freeSlot = (): void => {
      if (!holdsSlot) return;
      holdsSlot = false;
      if (generation === this.generation) this.probesInFlight--;
    };
    const scope = context._abort;
    const unsubscribe = scope === undefined ? undefined : subscribeToAbort(scope, freeSlot);
    let value: TOutput;
    try {
      value = await this.inner.execute(context, input);
    } catch (error) {
      unsubscribe?.();
      freeSlot();
      if (generation === this.generation && this.counts(error, context)) this.openCircuit(error, context);
      throw context.aborted ? context.abortReason : error;
    }
    unsubscribe?.();
    freeSlot();
    if (generation === this.generation && ++this.probeSuccesses >= this.halfOpenSuccessThreshold) this.closeCircuit(context);
    return value;
  }

  private enterHalfOpen(context: WorkflowContext | undefined): void {
    this.transition('half-open');
    if (this.halfOpenEmitter.hasListeners) this.halfOpenEmitter.emit();
    emitPrimitiveEvent({ type: 'circuit-half-open' }, this, context);
  }

  private rejectionOptions(): { readonly cause?: unknown } {
    return this.lastFailure === undefined ? {} : { cause: this.lastFailure };
  }

  private counts(error: unknown, context: WorkflowContext): boolean {
    if (context.aborted) return false;
    if (this.breakOn === undefined) return true;
    try {
      return this.breakOn(error) === true;
    } catch (predicateError) {
      // A broken predicate must not replace the call's own error: count the failure, report the bug.
      reportListenerError(predicateError);
      return true;
    }
  }

  private closedFailure(error: unknown, context: WorkflowContext): void {
    const window = this.window;
    if (window === undefined) {
      if (++this.consecutiveFailures >= this.failureThreshold) this.openCircuit(error, context);
      return;
    }
    const { calls, failures } = window.record(this.clock.now(), true);
    if (calls >= this.minimumThroughput && failures / calls >= this.failureRatio) this.openCircuit(error, context);
  }

  private openCircuit(error: unknown, context: WorkflowContext | undefined): void {
    const now = this.clock.now();
    if (error !== undefined) this.lastFailure = error;
    this.openedAtMs = now;
    this.openUntilMs = this.isolated ? Infinity : now + this.breakDurationMs;
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.transition('open');
    const event: BreakEvent = { error, isolated: this.isolated, breakDurationMs: this.isolated ? Infinity : this.breakDurationMs };
    if (this.breakEmitter.hasListeners) this.breakEmitter.emit(event);
    emitPrimitiveEvent({ type: 'circuit-break', isolated: event.isolated, breakDurationMs: event.breakDurationMs, error }, this, context);
  }

  private closeCircuit(context: WorkflowContext | undefined): void {
    this.lastFailure = undefined;
    this.consecutiveFailures = 0;
    this.window?.clear();
    this.probesInFlight = 0;
    this.probeSuccesses = 0;
    this.openedAtMs = undefined;
    const changed = this.current !== 'closed';
    this.transition('closed');
    if (!changed) return;
    if (this.resetEmitter.hasListeners) this.resetEmitter.emit();
    emitPrimitiveEvent({ type: 'circuit-reset' }, this, context);
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    this.current = to;
    this.generation++;
    this.lastTransitionAtMs = this.clock.now();
    if (from !== to && this.stateChangeEmitter.hasListeners) this.stateChangeEmitter.emit({ from, to });
    this.persist();
  }

  private persist(): void {
    const store = this.store;
    if (store === undefined) return;
    const snapshot = this.snapshotAt(this.lastTransitionAtMs);
    const key = this.key;
    // Saves are chained so that the store sees the transitions in order. A failing save never
    // fails a call: a store outage only costs the sharing of state.
    this.saving = this.saving.then(() => store.save(key, snapshot)).then(undefined, reportListenerError);
  }
}

/**
 * Wraps `inner` in a {@link CircuitBreakerPrimitive}.
 *
 * @example
 * ```ts
 * const guarded = circuitBreaker(callModel, { failureRatio: 0.5, minimumThroughput: 20, windowMs: 30_000 });
 * ```
 */
export function circuitBreaker<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: CircuitBreakerOptions = {}): CircuitBreakerPrimitive<TInput, TOutput> {
  return new CircuitBreakerPrimitive(inner, options);
}
