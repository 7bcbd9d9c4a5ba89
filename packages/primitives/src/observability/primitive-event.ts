import type { BatchDispatchEvent } from '../flow/batch-primitive.js';
import type { BulkheadRejectEvent } from '../flow/bulkhead-primitive.js';
import type { CacheErrorEvent, CacheEvictEvent, CacheHitEvent, CacheMissEvent, CacheStaleEvent } from '../flow/cache-primitive.js';
import type { HedgeEvent } from '../flow/hedge-primitive.js';
import type { RateLimitRejectEvent, RateLimitWaitEvent } from '../flow/rate-limit-primitive.js';
import type { BreakEvent } from '../recovery/circuit-breaker-options.js';
import type { CompensateEvent } from '../recovery/compensation-primitive.js';
import type { FallbackEvent } from '../recovery/fallback-primitive.js';
import type { GiveUpEvent, RetryEvent } from '../recovery/retry-primitive.js';
import type { TimeoutEvent } from '../recovery/timeout-primitive.js';
import type { UsageReport } from '../usage/usage-ledger.js';

/** Reported when an open or saturated half-open circuit refuses a call. */
export interface CircuitRejectEvent {
  /** The state that refused the call. */
  readonly state: 'open' | 'half-open';
  /** When the circuit expects to admit calls again (`Infinity` while isolated, 0 in half-open). */
  readonly retryAfterMs: number;
}

/**
 * Every event type the primitives report through the instrumentation seam, keyed by its `type`,
 * with the fields it carries. The primitive and its context travel beside the event (the second and
 * third arguments of `emitPrimitiveEvent`), so no member repeats `context`.
 *
 * A package or a custom primitive that reports its own events adds them here by declaration
 * merging; {@link PrimitiveEvent} then includes them and `switch (event.type)` narrows to them:
 *
 * @example
 * ```ts
 * declare module '@tta/primitives/instrumentation' {
 *   interface PrimitiveEventMap {
 *     'warm-up': { readonly keys: number };
 *   }
 * }
 * class WarmUp extends WorkflowPrimitive<string[], string[]> {
 *   constructor() { super('warm-up'); }
 *   protected async executeImpl(context: WorkflowContext, keys: string[]) {
 *     emitPrimitiveEvent({ type: 'warm-up', keys: keys.length }, this, context);
 *     return keys;
 *   }
 * }
 * ```
 */
export interface PrimitiveEventMap {
  readonly retry: Omit<RetryEvent, 'context' | 'retriesLeft'>;
  readonly 'give-up': Omit<GiveUpEvent, 'context'>;
  readonly fallback: Omit<FallbackEvent, 'context'>;
  readonly timeout: Omit<TimeoutEvent, 'context'>;
  readonly 'circuit-break': BreakEvent;
  readonly 'circuit-half-open': Readonly<Record<never, never>>;
  readonly 'circuit-reset': Readonly<Record<never, never>>;
  readonly 'circuit-reject': CircuitRejectEvent;
  readonly compensate: Omit<CompensateEvent, 'context'>;
  readonly 'cache-hit': CacheHitEvent;
  readonly 'cache-miss': CacheMissEvent;
  readonly 'cache-stale': CacheStaleEvent;
  readonly 'cache-evict': CacheEvictEvent;
  readonly 'cache-error': CacheErrorEvent;
  /** A call refused for lack of capacity; `reason` tells which primitive refused it. */
  readonly reject:
    | (BulkheadRejectEvent & { readonly reason: 'bulkhead-full' })
    | (RateLimitRejectEvent & { readonly reason: 'rate-limited' });
  readonly 'rate-limit-wait': RateLimitWaitEvent;
  readonly hedge: HedgeEvent;
  readonly batch: BatchDispatchEvent;
  /** A model call's usage, from `context.reportUsage` (the source is named `usage`). */
  readonly usage: UsageReport;
}

/** The `type` of every event in {@link PrimitiveEventMap}. */
export type PrimitiveEventType = keyof PrimitiveEventMap & string;

/**
 * Something a primitive reports while it runs, besides its start and end: a union discriminated by
 * `type`, so `switch (event.type)` narrows each case to the fields that event carries.
 *
 * @example
 * ```ts
 * registerInstrumentation({
 *   onEvent(event) {
 *     switch (event.type) {
 *       case 'retry': console.log(`attempt ${event.attempt} failed, waiting ${event.delayMs} ms`); break;
 *       case 'circuit-reject': console.log(`refused while ${event.state}`); break;
 *     }
 *   },
 * });
 * ```
 */
export type PrimitiveEvent = { [TType in PrimitiveEventType]: { readonly type: TType } & PrimitiveEventMap[TType] }[PrimitiveEventType];
