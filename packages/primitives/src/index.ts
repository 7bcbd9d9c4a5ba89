// Core model
export { WorkflowContext } from './core/workflow-context.js';
export type { WorkflowContextOptions, ChildContextOverrides, SpanContextLike, Checkpoint } from './core/workflow-context.js';
export { WorkflowPrimitive, InstrumentedPrimitive, SequentialPrimitive } from './core/workflow-primitive.js';
export type { PrimitiveOptions, InputOf, OutputOf, AnyPrimitive } from './core/workflow-primitive.js';
export type { RunOptions } from './core/run-options.js';
export { wrapperName } from './core/wrapper-name.js';
export { systemClock } from './core/clock.js';
export { assertDuration, assertDeadline, maxDateMs } from './core/duration.js';
export type { DurationRule } from './core/duration.js';
export { maxTimerDelayMs } from './core/long-timer.js';
export type { Clock, TimerHandle } from './core/clock.js';
export { sleep } from './core/abort.js';
export { toDisposable, EventEmitter } from './core/disposable.js';
export type { Disposable, Event } from './core/disposable.js';

// Composition
export { LambdaPrimitive, step } from './composition/lambda-primitive.js';
export type { StepFunction } from './composition/lambda-primitive.js';
export { sequential } from './composition/sequential.js';
export type { ChainCheck } from './composition/sequential.js';
export { ParallelPrimitive, parallel } from './composition/parallel-primitive.js';
export type { ParallelOptions, ParallelMode, ParallelBranches, ParallelInput, ParallelOutput } from './composition/parallel-primitive.js';
export { ConditionalPrimitive, conditional } from './composition/conditional-primitive.js';
export type { ConditionalOptions, Condition } from './composition/conditional-primitive.js';
export { RouterPrimitive, router } from './composition/router-primitive.js';
export type { RouterOptions, RouteSelector, Routes } from './composition/router-primitive.js';

// Observability seam and built-in metrics
export { registerInstrumentation, getInstrumentations, emitPrimitiveEvent } from './observability/instrumentation.js';
export type { Instrumentation, ExecutionInfo, ExecutionResult, PrimitiveEvent } from './observability/instrumentation.js';
export { PrimitiveMetrics, metrics } from './observability/primitive-metrics.js';
export type { PrimitiveMetricsEntry, PrimitiveMetricsOptions } from './observability/primitive-metrics.js';

// Logging
export { createJsonLogger, bindLogger, silentLogger, DEFAULT_MAX_PENDING_LOG_BYTES } from './logging/logger.js';
export type { Logger, LogFields, LogLevel, JsonLoggerOptions, JsonLogger, LogStream } from './logging/logger.js';
export { redact, redactText, isSensitiveKey, isSensitiveParameter, isSecretLookingValue, REDACTED } from './logging/redact.js';
export { redactUrl, redactHeaders } from './logging/redact-url.js';
export { redactBody, redactFormBody, redactMultipartBody } from './logging/redact-body.js';
export { secretRules } from './logging/secret-patterns.js';
export type { SecretRule } from './logging/secret-patterns.js';
export type { RedactOptions } from './logging/redact.js';

// Errors
export { TtaError, hasMarker } from './errors/tta-error.js';
export { describeValue } from './core/describe-value.js';
export type { TtaErrorOptions } from './errors/tta-error.js';
export { InvalidOptionsError } from './errors/invalid-options-error.js';
export { RouteNotFoundError } from './errors/route-not-found-error.js';
export { DeadlineExceededError } from './errors/deadline-exceeded-error.js';

// Recovery (retry, fallback, timeout, circuit breaker, compensation)
export * from './recovery/index.js';
// Flow control and performance (cache, bulkhead, rate limit, hedge, batch, stream, filter, validate)
export * from './flow/index.js';
