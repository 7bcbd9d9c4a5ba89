import {
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  context as otelContext,
  createContextKey,
  createTraceState,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import type { ExecutionInfo, Instrumentation, PrimitiveEvent, SpanContextLike } from '@tta/primitives/instrumentation';
import type { UsageReport } from '@tta/primitives';
import { errorMessage, errorType, safeName, safeString, toAttributes } from './span-attributes.js';
import { genAiAttributes } from './gen-ai-attributes.js';

/** Name (instrumentation scope) of the tracer the toolkit creates its spans with. */
export const tracerName = '@tta/observability';

/** Span attribute names written on every primitive span. */
export const primitiveAttributes = {
  name: 'tta.primitive.name',
  kind: 'tta.primitive.kind',
  correlationId: 'tta.correlation_id',
  attempt: 'tta.attempt',
  cacheResult: 'tta.cache.result',
  circuitState: 'tta.circuit.state',
} as const;

// Marks the OpenTelemetry context of a run, so that only the run's first span joins a remote parent.
const runKey = createContextKey('@tta/observability.run');

const cacheResults: Readonly<Record<'cache-hit' | 'cache-miss' | 'cache-stale', string>> = { 'cache-hit': 'hit', 'cache-miss': 'miss', 'cache-stale': 'stale' };
const circuitStates: Readonly<Record<'circuit-break' | 'circuit-half-open' | 'circuit-reset', string>> = {
  'circuit-break': 'open',
  'circuit-half-open': 'half-open',
  'circuit-reset': 'closed',
};
// Event fields that carry data rather than facts about the run (a cache key can hold a prompt).
const dataFields: ReadonlySet<string> = new Set(['type', 'context', 'key', 'input', 'output', 'value', 'result']);

/** An OpenTelemetry span context from the toolkit's OpenTelemetry-free {@link SpanContextLike}. */
export function toSpanContext(like: SpanContextLike): SpanContext {
  const spanContext: SpanContext = {
    traceId: like.traceId,
    spanId: like.spanId,
    traceFlags: like.traceFlags & TraceFlags.SAMPLED,
    isRemote: like.isRemote ?? true,
  };
  if (like.traceState !== undefined && like.traceState !== '') spanContext.traceState = createTraceState(like.traceState);
  return spanContext;
}

/** Marks `span` as failed: `error.type`, an exception event (secrets redacted) and status ERROR. */
export function recordSpanError(span: Span, error: unknown): void {
  if (!span.isRecording()) return; // sampled out: skip the redaction work
  const type = errorType(error);
  const message = errorMessage(error);
  const raw = typeof error === 'object' && error !== null ? (error as { message?: unknown; stack?: unknown }) : undefined;
  // The stack repeats the message; keep it only when the message did not need redacting.
  const stack = raw !== undefined && raw.message === message && typeof raw.stack === 'string' ? raw.stack : undefined;
  span.recordException(stack === undefined ? { name: type, message } : { name: type, message, stack });
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The OpenTelemetry context a primitive span of `execution` starts under. */
function parentContext(execution: ExecutionInfo): Context {
  const active = otelContext.active();
  const workflow = execution.context;
  if (active.getValue(runKey) === workflow.state) return active;
  // First span of this run in this async context: join the caller's trace when one was given.
  const remote = workflow.parentSpanContext;
  const parent = remote === undefined ? active : trace.setSpanContext(active, toSpanContext(remote));
  return parent.setValue(runKey, workflow.state);
}

/**
 * The {@link Instrumentation} that turns every primitive execution into an OpenTelemetry span,
 * made current while the step runs (so `fetch`, database clients and nested primitives are its
 * children), with `tta.primitive.name`, `tta.primitive.kind`, `tta.correlation_id`, errors recorded
 * with status ERROR, and primitive events (retry, cache, breaker, compensation...) as span events.
 * Use it with your own SDK; `initializeObservability` registers it for you.
 *
 * @param tracer The tracer to create spans with. @default trace.getTracer('@tta/observability')
 * @example
 * <!-- snippet-prelude: import type { TracerProvider } from '@opentelemetry/api'; declare const provider: TracerProvider; -->
 * ```ts
 * registerInstrumentation(createTracingInstrumentation(provider.getTracer('my-app')));
 * ```
 */
export function createTracingInstrumentation(tracer: Tracer = trace.getTracer(tracerName)): Instrumentation {
  return {
    around<T>(execution: ExecutionInfo, run: () => Promise<T>): Promise<T> {
      const parent = parentContext(execution);
      const workflow = execution.context;
      const name = safeName(execution.name);
      const attributes: Attributes = {
        [primitiveAttributes.name]: name,
        [primitiveAttributes.kind]: execution.kind,
        [primitiveAttributes.correlationId]: workflow.correlationId,
      };
      if (workflow.attempt !== undefined) attributes[primitiveAttributes.attempt] = workflow.attempt;
      const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
      let promise: Promise<T>;
      try {
        promise = otelContext.with(trace.setSpan(parent, span), run);
      } catch (error) {
        recordSpanError(span, error);
        span.end();
        throw error;
      }
      return promise.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          recordSpanError(span, error);
          span.end();
          throw error;
        },
      );
    },

    onEvent(event: PrimitiveEvent, source: { readonly name: string; readonly kind: string }): void {
      const span = trace.getActiveSpan();
      if (span === undefined || !span.isRecording()) return;
      switch (event.type) {
        case 'cache-hit':
        case 'cache-miss':
        case 'cache-stale':
          span.setAttribute(primitiveAttributes.cacheResult, cacheResults[event.type]);
          break;
        case 'circuit-break':
        case 'circuit-half-open':
        case 'circuit-reset':
          span.setAttribute(primitiveAttributes.circuitState, circuitStates[event.type]);
          break;
        case 'circuit-reject':
          span.setAttribute(primitiveAttributes.circuitState, event.state);
          break;
        case 'usage':
          setUsageAttributes(span, event);
          break;
        default:
          break;
      }
      // Every field of the event becomes an attribute, including fields a custom event adds.
      const attributes = toAttributes(event as unknown as Readonly<Record<string, unknown>>, 'tta.', dataFields);
      attributes[primitiveAttributes.name] = safeName(source.name);
      span.addEvent(event.type, attributes);
    },
  };
}

/**
 * The GenAI usage attributes of a reported model call, on the span of the step that reported it.
 * A report that names its provider comes from a model step, which has no other GenAI attributes:
 * it gets the operation, provider and response model too. One without (llmStep's) leaves those to
 * the chat span that llmStep made itself.
 */
function setUsageAttributes(span: Span, usage: UsageReport): void {
  span.setAttribute(genAiAttributes.usageInputTokens, usage.inputTokens);
  span.setAttribute(genAiAttributes.usageOutputTokens, usage.outputTokens);
  if (usage.costUsd !== undefined) span.setAttribute(genAiAttributes.costUsd, usage.costUsd);
  if (usage.estimated === true) span.setAttribute('tta.llm.usage_estimated', true);
  if (usage.provider !== undefined) {
    span.setAttribute(genAiAttributes.operationName, 'chat');
    span.setAttribute(genAiAttributes.providerName, safeString(usage.provider));
    span.setAttribute(genAiAttributes.system, safeString(usage.provider));
    span.setAttribute(genAiAttributes.responseModel, safeString(usage.model));
  }
}
