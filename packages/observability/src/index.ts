// Setup
export { initializeObservability, shutdownObservability, getObservabilityStatus, getMetricsRegistry } from './initialize-observability.js';
export type { ObservabilityStatus, TracingMode } from './initialize-observability.js';
export type { ObservabilityOptions, OpenTelemetryInstrumentation } from './observability-options.js';
export type { InitializationFailureReason } from './initialization-failure.js';

// Tracing
export { createTracingInstrumentation } from './tracing-instrumentation.js';
export { contextFromHeaders, injectHeaders } from './trace-context.js';
export type { HeadersLike, WritableHeaders, ContextFromHeadersOptions } from './trace-context.js';

// LLM calls (OpenTelemetry GenAI conventions)
export { recordLlmCall, llmStep, LlmStepPrimitive } from './llm.js';
export type { LlmRequestInfo, LlmUsage, LlmCallRecord, LlmStepOptions } from './llm.js';

// The /metrics server, for any prom-client registry
export { startMetricsServer } from './metrics-server.js';
export { MetricsServerError } from './metrics-server-error.js';
export type { MetricsServer, MetricsSource } from './metrics-server.js';
