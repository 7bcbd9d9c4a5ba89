// Core model
export { WorkflowContext } from './core/workflow-context.js';
export type { WorkflowContextOptions } from './core/workflow-context.js';
export { WorkflowPrimitive, InstrumentedPrimitive, SequentialPrimitive } from './core/workflow-primitive.js';
export type { PrimitiveOptions, InputOf, OutputOf, AnyPrimitive } from './core/workflow-primitive.js';
export type { RunOptions } from './core/run-options.js';
export type { Disposable, Event } from './core/disposable.js';

// Composition
export { LambdaPrimitive, step } from './composition/lambda-primitive.js';
export type { StepFunction } from './composition/lambda-primitive.js';
export { sequential } from './composition/sequential.js';
export { ParallelPrimitive, parallel } from './composition/parallel-primitive.js';
export type { ParallelOptions } from './composition/parallel-primitive.js';
export { ConditionalPrimitive, conditional } from './composition/conditional-primitive.js';
export type { ConditionalOptions } from './composition/conditional-primitive.js';
export { RouterPrimitive, router } from './composition/router-primitive.js';
export type { RouterOptions } from './composition/router-primitive.js';

// Seeing a workflow: its description, a stable digest of it, and a Mermaid graph
export { describe } from './core/describe-function.js';
export { fingerprint } from './core/fingerprint.js';
export { toMermaid } from './core/to-mermaid.js';
export type { ToMermaidOptions } from './core/to-mermaid.js';
export type { PrimitiveDescription, PrimitiveOptionValue } from './core/primitive-description.js';

// Built-in metrics (the instrumentation seam is the `@tta/primitives/instrumentation` entry)
export { PrimitiveMetrics, metrics } from './observability/primitive-metrics.js';
export type { PrimitiveMetricsEntry, PrimitiveMetricsOptions } from './observability/primitive-metrics.js';

// Loggers and redaction are the `@tta/primitives/logging` entry.

// Errors
export { TtaError } from './errors/tta-error.js';
export type { TtaErrorOptions } from './errors/tta-error.js';
export type { TtaErrorCode } from './errors/tta-error-code.js';
export { InvalidOptionsError } from './errors/invalid-options-error.js';
export { RouteNotFoundError } from './errors/route-not-found-error.js';
export { DeadlineExceededError } from './errors/deadline-exceeded-error.js';

// Recovery (retry, fallback, timeout, circuit breaker, compensation)
export * from './recovery/index.js';
// Flow control and performance (cache, bulkhead, rate limit, hedge, batch, stream, filter, validate)
export * from './flow/index.js';
