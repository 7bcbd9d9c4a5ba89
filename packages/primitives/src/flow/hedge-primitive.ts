import { assertDuration } from '../core/duration.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { LazyAbort, subscribeToSignal } from '../core/abort.js';
import { assertClock, type Clock, type TimerHandle } from '../core/clock.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { requireInteger, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { emitPrimitiveEvent, instrumentations } from '../observability/instrumentation.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Options of {@link HedgePrimitive}. */
export interface HedgeOptions extends PrimitiveOptions {
  /** How long an attempt may run before the next one starts beside it, in milliseconds. */
  readonly delayMs: number;
  /**
   * Extra attempts at most (so `1 + maxHedges` attempts in all).
   * @default 1
   */
  readonly maxHedges?: number;
  /** Source of time for the delay. @default the context's clock */
  readonly clock?: Clock;
}

/** Payload of {@link HedgePrimitive.onHedge}. */
export interface HedgeEvent {
  /** Number of the attempt being started (2 for the first hedge). */
  readonly attempt: number;
  /** `'delay'`: the previous attempts were still running after `delayMs`; `'failure'`: an attempt failed. */
  readonly reason: 'delay' | 'failure';
}

/**
 * Cuts tail latency: when an attempt has not settled after `delayMs`, starts another one beside it
 * (up to `maxHedges` extra), and resolves with the first success. The other attempts are then
 * aborted through their signals (reason: a `DOMException` named `AbortError`). An attempt that
 * fails while hedges remain starts the next one at once. The call fails only when every attempt
 * failed, with the last failure.
 *
 * Each attempt runs on a child context with its own signal; the caller's abort aborts all of them
 * and rejects at once with the caller's reason. Only hedge idempotent work.
 *
 * @example
 * ```ts
 * const fast = new HedgePrimitive(search, { delayMs: 200, maxHedges: 2 });
 * ```
 */
export class HedgePrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  readonly delayMs: number;
  readonly maxHedges: number;
  private readonly clock: Clock | undefined;
  private readonly hedgeEmitter = new EventEmitter<HedgeEvent>();

  /** Another attempt starts. */
  readonly onHedge: Event<HedgeEvent> = this.hedgeEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: HedgeOptions) {
    super('hedge', withWrapperName('hedge', inner, options));
    requirePrimitive('HedgePrimitive', 'inner', inner);
    requireOptionsObject('HedgePrimitive', options);
    // Infinity is refused: a hedge that never starts is no hedge.
    assertDuration('HedgePrimitive', 'delayMs', options.delayMs);
    const maxHedges = options.maxHedges ?? 1;
    requireInteger('HedgePrimitive', 'maxHedges', maxHedges, { min: 1 });
    this.inner = inner;
    this.delayMs = options.delayMs;
    this.maxHedges = maxHedges;
    assertClock('HedgePrimitive', options.clock);
    this.clock = options.clock;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { delayMs: this.delayMs, maxHedges: this.maxHedges };
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    const clock = this.clock ?? context.clock;
    const totalAttempts = 1 + this.maxHedges;
    const parent = context._abort;
    return new Promise<TOutput>((resolve, reject) => {
      const scopes: LazyAbort[] = [];
      let launched = 0;
      let pending = 0;
      let settled = false;
      let timer: TimerHandle | undefined;
      let unsubscribe: (() => void) | undefined;

      const finish = (): void => {
        settled = true;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = undefined;
        unsubscribe?.();
      };
      const onCallerAbort = (): void => {
        if (settled) return;
        finish();
        const reason = parent!.abortReason;
        for (const scope of scopes) scope.abort(reason);
        reject(reason);
      };
      const launch = (): void => {
        launched++;
        const scope = new LazyAbort(parent);
        scopes.push(scope);
        pending++;
        if (timer !== undefined) clock.clearTimeout(timer);
        timer = launched < totalAttempts ? clock.setTimeout(onDelay, this.delayMs) : undefined;
        this.inner.execute(WorkflowContext.derive(context, {}, scope), input).then(
          (value) => {
            pending--;
            if (settled) return;
            finish();
            let lost: DOMException | undefined;
            for (const other of scopes) {
              if (other === scope) other.release();
              else other.abort((lost ??= new DOMException('Another hedged attempt succeeded first', 'AbortError')));
            }
            resolve(value);
          },
          (error: unknown) => {
            pending--;
            if (settled) return;
            if (launched < totalAttempts && !context.aborted) {
              this.hedge(context, launched + 1, 'failure');
              launch();
              return;
            }
            if (pending > 0) return;
            finish();
            for (const other of scopes) other.release();
            reject(error);
          },
        );
      };
      const onDelay = (): void => {
        timer = undefined;
        if (settled || context.aborted) return;
        this.hedge(context, launched + 1, 'delay');
        launch();
      };

      // Shared listener per signal: many hedged calls on one caller signal add one listener, not one each.
      if (parent !== undefined) unsubscribe = subscribeToSignal(parent.signal, onCallerAbort);
      launch();
    });
  }

  private hedge(context: WorkflowContext, attempt: number, reason: HedgeEvent['reason']): void {
    if (!this.hedgeEmitter.hasListeners && instrumentations.list.length === 0) return;
    const event: HedgeEvent = { attempt, reason };
    this.hedgeEmitter.emit(event);
    emitPrimitiveEvent({ type: 'hedge', ...event }, this, context);
  }
}

/**
 * Hedges `inner` against slow attempts: the factory form of {@link HedgePrimitive}.
 *
 * @example
 * ```ts
 * const fast = hedge(search, { delayMs: 200 });
 * ```
 */
export function hedge<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: HedgeOptions): HedgePrimitive<TInput, TOutput> {
  return new HedgePrimitive(inner, options);
}
