import { WorkflowPrimitive, type PrimitiveOptions } from '../core/workflow-primitive.js';
import { withWrapperName } from '../core/wrapper-name.js';
import type { WorkflowContext } from '../core/workflow-context.js';
import { EventEmitter, type Event } from '../core/disposable.js';
import { BulkheadRejectedError } from '../errors/bulkhead-rejected-error.js';
import { requireInteger, requireOptionsObject } from '../core/options.js';
import { requirePrimitive } from '../core/require-primitive.js';
import { emitPrimitiveEvent } from '../observability/instrumentation.js';
import { subscribeToSignal } from '../core/abort.js';
import { wrappedChild, type PrimitiveChild } from '../core/primitive-child.js';
import type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

/** Options of {@link BulkheadPrimitive}. */
export interface BulkheadOptions extends PrimitiveOptions {
  /** Most calls of the inner primitive running at once. */
  readonly maxConcurrent: number;
  /**
   * Most calls waiting for a slot; a call beyond it is rejected with `BulkheadRejectedError`.
   * `0` rejects as soon as every slot is busy.
   * @default 0
   */
  readonly maxQueue?: number;
}

/** Counters and gauges of a {@link BulkheadPrimitive}. */
export interface BulkheadStats {
  /** Calls running now. */
  readonly inFlight: number;
  /** Calls waiting now. */
  readonly queued: number;
  /** Calls admitted since creation (ran at once or after waiting). */
  readonly admitted: number;
  /** Calls rejected since creation because the bulkhead was full. */
  readonly rejected: number;
  /** Calls that left the queue because their signal aborted. */
  readonly abandoned: number;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
}

/** Payload of {@link BulkheadPrimitive.onReject}. */
export interface BulkheadRejectEvent {
  readonly inFlight: number;
  readonly queued: number;
}

interface Waiter {
  readonly context: WorkflowContext;
  readonly input: unknown;
  readonly resolve: (value: any) => void;
  readonly reject: (reason: unknown) => void;
  /** Stops listening to the caller's abort; set while the waiter is queued with a signal. */
  unsubscribe: (() => void) | undefined;
}

/**
 * Limits how many calls of the inner primitive run at once, with a bounded queue for the rest:
 * isolates a scarce resource (a model endpoint, a connection pool) so that a burst does not
 * exhaust it. Queued calls start in arrival order; a queued call whose signal aborts leaves the
 * queue at once and rejects with the signal's reason.
 *
 * @example
 * ```ts
 * const limited = new BulkheadPrimitive(llm, { maxConcurrent: 4, maxQueue: 100 });
 * limited.onReject(({ queued }) => console.warn('LLM bulkhead full', queued));
 * ```
 */
export class BulkheadPrimitive<TInput, TOutput> extends WorkflowPrimitive<TInput, TOutput> {
  readonly inner: WorkflowPrimitive<TInput, TOutput>;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private running = 0;
  private admitted = 0;
  private rejected = 0;
  private abandoned = 0;
  // A Set keeps arrival order and removes an aborted waiter from the middle in O(1).
  private readonly queue = new Set<Waiter>();
  private readonly rejectEmitter = new EventEmitter<BulkheadRejectEvent>();
  private readonly releaseSlot = (): void => this.release();

  /** A call was rejected because every slot and queue place was taken. */
  readonly onReject: Event<BulkheadRejectEvent> = this.rejectEmitter.event;

  constructor(inner: WorkflowPrimitive<TInput, TOutput>, options: BulkheadOptions) {
    super('bulkhead', withWrapperName('bulkhead', inner, options));
    requirePrimitive('BulkheadPrimitive', 'inner', inner);
    requireOptionsObject('BulkheadPrimitive', options);
    const { maxConcurrent } = options;
    requireInteger('BulkheadPrimitive', 'maxConcurrent', maxConcurrent, { min: 1 });
    const maxQueue = options.maxQueue ?? 0;
    requireInteger('BulkheadPrimitive', 'maxQueue', maxQueue, { infinity: true });
    this.inner = inner;
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.queue.size;
  }

  override _children(): readonly PrimitiveChild[] {
    return wrappedChild(this.inner);
  }

  override _describeOptions(): PrimitiveOptionsSummary {
    return { maxConcurrent: this.maxConcurrent, maxQueue: this.maxQueue };
  }

  /** Gauges and counters. */
  stats(): BulkheadStats {
    return {
      inFlight: this.running,
      queued: this.queue.size,
      admitted: this.admitted,
      rejected: this.rejected,
      abandoned: this.abandoned,
      maxConcurrent: this.maxConcurrent,
      maxQueue: this.maxQueue,
    };
  }

  protected executeImpl(context: WorkflowContext, input: TInput): Promise<TOutput> {
    if (this.running < this.maxConcurrent) return this.runAdmitted(context, input);
    if (this.queue.size >= this.maxQueue) return this.reject(context);
    return new Promise<TOutput>((resolve, reject) => {
      const waiter: Waiter = { context, input, resolve, reject, unsubscribe: undefined };
      this.queue.add(waiter);
      const abort = context._abort;
      if (abort === undefined) return;
      const signal = abort.signal;
      // Shared listener per signal: many queued calls on one caller signal add one listener, not one each.
      waiter.unsubscribe = subscribeToSignal(signal, (reason) => {
        this.queue.delete(waiter);
        this.abandoned++;
        reject(reason);
      });
    });
  }

  private runAdmitted(context: WorkflowContext, input: TInput): Promise<TOutput> {
    this.running++;
    this.admitted++;
    const promise = this.inner.execute(context, input);
    promise.then(this.releaseSlot, this.releaseSlot);
    return promise;
  }

  private release(): void {
    this.running--;
    for (const waiter of this.queue) {
      this.queue.delete(waiter);
      waiter.unsubscribe?.();
      this.runAdmitted(waiter.context, waiter.input as TInput).then(waiter.resolve, waiter.reject);
      return;
    }
  }

  private reject(context: WorkflowContext): Promise<never> {
    this.rejected++;
    const event: BulkheadRejectEvent = { inFlight: this.running, queued: this.queue.size };
    this.rejectEmitter.emit(event);
    emitPrimitiveEvent({ type: 'reject', reason: 'bulkhead-full', ...event }, this, context);
    return Promise.reject(new BulkheadRejectedError(this.name, this.maxConcurrent, this.maxQueue));
  }
}

/**
 * Limits concurrent calls of `inner`: the factory form of {@link BulkheadPrimitive}.
 *
 * @example
 * ```ts
 * const limited = bulkhead(llm, { maxConcurrent: 4, maxQueue: 100 });
 * ```
 */
export function bulkhead<TInput, TOutput>(inner: WorkflowPrimitive<TInput, TOutput>, options: BulkheadOptions): BulkheadPrimitive<TInput, TOutput> {
  return new BulkheadPrimitive(inner, options);
}
