// `@tta/primitives/instrumentation`: the seam integrations plug into, the events primitives report
// through it, and the helpers sibling packages share. A user composing a workflow needs none of
// these; `@tta/observability` and custom primitives do.

// The seam
export { registerInstrumentation, getInstrumentations, emitPrimitiveEvent } from '../observability/instrumentation.js';
export type {
  Instrumentation,
  ExecutionInfo,
  ExecutionResult,
  PrimitiveEvent,
  PrimitiveEventMap,
  PrimitiveEventType,
  CircuitRejectEvent,
} from '../observability/instrumentation.js';
export type { SpanContextLike } from '../core/workflow-context.js';

// The graph of a workflow: what each composite runs (describe, toMermaid, fingerprint and durable step paths walk it)
export type { PrimitiveChild } from '../core/primitive-child.js';
export type { PrimitiveOptionsSummary } from '../core/primitive-description.js';

// The events each primitive reports (to its own subscribers and, as a PrimitiveEvent, to the seam)
export type { RetryEvent, GiveUpEvent } from '../recovery/retry-primitive.js';
export type { FallbackEvent } from '../recovery/fallback-primitive.js';
export type { TimeoutEvent } from '../recovery/timeout-primitive.js';
export type { BreakEvent, StateChangeEvent } from '../recovery/circuit-breaker-options.js';
export type { CompensateEvent } from '../recovery/compensation-primitive.js';
export type { CacheHitEvent, CacheMissEvent, CacheStaleEvent, CacheEvictEvent, CacheErrorEvent } from '../flow/cache-primitive.js';
export type { BulkheadRejectEvent } from '../flow/bulkhead-primitive.js';
export type { RateLimitRejectEvent, RateLimitWaitEvent } from '../flow/rate-limit-primitive.js';
export type { HedgeEvent } from '../flow/hedge-primitive.js';
export type { BatchDispatchEvent } from '../flow/batch-primitive.js';

// Time: the injectable clock and the bounds every duration option is checked against
export { systemClock } from '../core/clock.js';
export type { Clock, TimerHandle } from '../core/clock.js';
export { sleep } from '../core/abort.js';
export { assertDuration, assertDeadline, maxDateMs } from '../core/duration.js';
export type { DurationRule } from '../core/duration.js';
export { maxTimerDelayMs } from '../core/long-timer.js';

// Events, disposers and the default name of a wrapper, for custom primitives
export { toDisposable, EventEmitter } from '../core/disposable.js';
export { wrapperName } from '../core/wrapper-name.js';
export { detachedChildContext } from '../core/detached-child-context.js';
export { getRunExtension, setRunExtension } from '../core/run-extension.js';
export { stepPaths } from '../core/step-frame.js';
export type { ChildContextOverrides } from '../core/workflow-context.js';

// Helpers for messages, brands and keys that sibling packages share
export { describeValue } from '../core/describe-value.js';
export { hasMarker } from '../errors/tta-error.js';
export { assertSpecificationVersion, supportedSpecificationVersion } from '../core/specification-version.js';
export { formatPath } from '../errors/validation-error.js';

// The options validator every constructor uses, so sibling packages state each rule in the same words
export { requireOptionsObject, requireInteger, requireNumber, requireNonEmptyString, requireBoolean, requireOneOf, requireFunction, requireMethods } from '../core/options.js';
export type { OptionalRule, OptionsObjectRule, IntegerRule, NumberRule, FunctionRule, MethodsRule } from '../core/options.js';
export { requirePrimitive, requirePrimitives } from '../core/require-primitive.js';
export { stableKey, STABLE_KEY_MAX_DEPTH } from '../flow/stable-key.js';
