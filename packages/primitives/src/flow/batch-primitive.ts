import { assertDuration } from '../core/duration.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import { WorkflowContext } from '../core/workflow-context.js';
import { LazyAbort, subscribeToSignal } from '../core/abort.js';
import { assertClock, type Clock, type TimerHandle } from '../core/clock.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { requireInteger, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { emitPrimitiveEvent, instrumentations, observersOf } from '../observability/instrumentation.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Options of {@link BatchPrimitive}. */
export interface BatchOptions extends PrimitiveOptions {
  /** Most inputs in one inner call; the batch is sent as soon as it is full. */
  readonly maxBatchSize: number;
  /**
   * Longest time the first input of a batch waits for others, in milliseconds, before the batch
   * is sent anyway. `0` sends what arrived in the same turn of the event loop.
   */
  readonly maxWaitMs: number;
  /** Source of time for the window. @default the context of the first call's clock */
  readonly clock?: Clock;
}

/** Payload of {@link BatchPrimitive.onDispatch}. */
export interface BatchDispatchEvent {
  /** Inputs sent in the inner call. */
  readonly size: number;
  /** `'size'`: the batch was full; `'time'`: `maxWaitMs` passed. */
  readonly reason: 'size' | 'time';
}

interface BatchCall {
  readonly context: WorkflowContext;
  readonly input: unknown;
  readonly resolve: (value: any) => void;
  readonly reject: (reason: unknown) => void;
  /** The caller's signal, when it has one. */
  signal: AbortSignal | undefined;
  /** Stops listening to the caller's abort; undefined once the call aborted or settled. */
  unsubscribe: (() => void) | undefined;
}

interface OpenBatch {
  readonly calls: BatchCall[];
  timer: TimerHandle | undefined;
  clock: Clock;
}

/**
 * Groups single calls into batched calls of an inner primitive that takes an array of inputs and
 * returns an array of outputs in the same order (an embeddings endpoint, a bulk lookup). A batch
 * is sent when it holds `maxBatchSize` inputs or `maxWaitMs` after its first input, whichever
 * comes first; each caller gets the output at its own index.
 *
 * - When the inner call fails, or returns an array of the wrong length, every caller of that batch
 *   rejects (with the error, or a `TypeError`).
 * - A caller whose signal aborts before the batch is sent is removed from it and rejects with the
 *   signal's reason; the others are not affected (an emptied batch is not sent).
 * - After sending, an aborting caller rejects at once too; the inner call is aborted only when
 *   every caller of the batch has left. The inner call runs on a context derived from the first
 *   caller's, with its own signal.
 *
 * @example
 * ```ts
 * const embedOne = new BatchPrimitive(embedMany, { maxBatchSize: 64, maxWaitMs: 10 });
 * const [a, b] = await Promise.all([embedOne.execute(context, 'cat'), embedOne.execute(context, 'dog')]);
 * ```
 */
export class BatchPrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput[], TOutput[]>;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  private readonly clock: Clock | undefined;
  private open: OpenBatch | undefined;
  private readonly dispatchEmitter = new EventEmitter<BatchDispatchEvent>();

  /** A batch is sent to the inner primitive. */
  readonly onDispatch: Event<BatchDispatchEvent> = this.dispatchEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput[], TOutput[]>, options: BatchOptions) {
    super('batch', withWrapperName('batch', inner, options));
    requirePrimitive('BatchPrimitive', 'inner', inner);
    requireOptionsObject('BatchPrimitive', options);
    requireInteger('BatchPrimitive', 'maxBatchSize', options.maxBatchSize, { min: 1 });
    // Infinity is refused: a partial batch would then wait forever for company.
    assertDuration('BatchPrimitive', 'maxWaitMs', options.maxWaitMs);
    this.inner = inner;
    this.maxBatchSize = options.maxBatchSize;
    this.maxWaitMs = options.maxWaitMs;
    assertClock('BatchPrimitive', options.clock);
    this.clock = options.clock;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { maxBatchSize: this.maxBatchSize, maxWaitMs: this.maxWaitMs };
  }

  /** Inputs waiting in the batch that is being collected. */
  get pending(): number {
    return this.open?.calls.length ?? 0;
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    return new Promise<TOutput>((resolve, reject) => {
      let batch = this.open;
      if (batch === undefined) {
        const clock = this.clock ?? context.clock;
        batch = { calls: [], timer: undefined, clock };
        this.open = batch;
        const opened = batch;
        batch.timer = clock.setTimeout(() => {
          opened.timer = undefined;
          this.dispatch(opened, 'time');
        }, this.maxWaitMs);
      }
      const call: BatchCall = { context, input, resolve, reject, signal: undefined, unsubscribe: undefined };
      batch.calls.push(call);
      const abort = context._abort;
      if (abort !== undefined) {
        const signal = abort.signal;
        const owner = batch;
        call.signal = signal;
        // Shared listener per signal: many calls on one caller signal add one listener, not one each.
        call.unsubscribe = subscribeToSignal(signal, (reason) => {
          call.unsubscribe = undefined;
          reject(reason);
          this.leaveOpen(owner, call);
        });
      }
      if (batch.calls.length >= this.maxBatchSize) this.dispatch(batch, 'size');
    });
  }

  private leaveOpen(batch: OpenBatch, call: BatchCall): void {
    const index = batch.calls.indexOf(call);
    if (index !== -1) batch.calls.splice(index, 1);
    if (batch.calls.length === 0 && this.open === batch) {
      // Nobody is left: close the window without sending anything.
      this.open = undefined;
      if (batch.timer !== undefined) batch.clock.clearTimeout(batch.timer);
      batch.timer = undefined;
    }
  }

  private dispatch(batch: OpenBatch, reason: BatchDispatchEvent['reason']): void {
    if (this.open === batch) this.open = undefined;
    if (batch.timer !== undefined) batch.clock.clearTimeout(batch.timer);
    batch.timer = undefined;
    const calls = batch.calls;
    if (calls.length === 0) return;
    // The batch runs on one caller's context: one whose run an instrumentation observes, if any.
    const lead = instrumentations.list.length === 0 ? calls[0]! : (calls.find((call) => observersOf(call.context).length !== 0) ?? calls[0]!);
    if (this.dispatchEmitter.hasListeners || instrumentations.list.length !== 0) {
      const event: BatchDispatchEvent = { size: calls.length, reason };
      this.dispatchEmitter.emit(event);
      emitPrimitiveEvent({ type: 'batch', ...event }, this, lead.context);
    }
    const inputs = new Array<TInput>(calls.length);
    for (let index = 0; index < calls.length; index++) inputs[index] = calls[index]!.input as TInput;
    // One caller's abort must not cancel the batch for the others: the run has its own scope.
    const scope = new LazyAbort(undefined);
    let remaining = calls.length;
    for (const call of calls) {
      if (call.unsubscribe === undefined) continue;
      call.unsubscribe();
      call.unsubscribe = subscribeToSignal(call.signal!, (reason) => {
        call.unsubscribe = undefined;
        call.reject(reason);
        if (--remaining === 0) scope.abort(reason);
      });
    }
    const settle = (): void => {
      scope.release();
      for (const call of calls) call.unsubscribe?.();
    };
    this.inner.execute(WorkflowContext.derive(lead.context, {}, scope), inputs).then(
      (outputs) => {
        settle();
        if (!Array.isArray(outputs) || outputs.length !== calls.length) {
          const error = new InvalidInputError(
            `batch "${this.name}"`,
            `the inner primitive returned ${Array.isArray(outputs) ? `${outputs.length} outputs` : typeof outputs} for ${calls.length} inputs`,
          );
          for (const call of calls) call.reject(error);
          return;
        }
        for (let index = 0; index < calls.length; index++) calls[index]!.resolve(outputs[index]);
      },
      (error: unknown) => {
        settle();
        for (const call of calls) call.reject(error);
      },
    );
  }
}

/**
 * Batches single calls into array calls of `inner`: the factory form of {@link BatchPrimitive}.
 *
 * @example
 * ```ts
 * const embedOne = batch(embedMany, { maxBatchSize: 64, maxWaitMs: 10 });
 * ```
 */
export function batch<TInput, TOutput>(inner: WorkflowPrimitive<TInput[], TOutput[]>, options: BatchOptions): BatchPrimitive<TInput, TOutput> {
  return new BatchPrimitive(inner, options);
}
