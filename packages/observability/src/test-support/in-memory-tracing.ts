import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { createTracingInstrumentation } from '../tracing-instrumentation.js';

/** An in-memory tracing setup: a global provider and AsyncLocalStorage context manager, and the toolkit's instrumentation. */
export interface InMemoryTracing {
  readonly exporter: InMemorySpanExporter;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** The finished span named `name` (fails when there is not exactly one). */
  span(name: string): ReadableSpan;
  /** Removes the instrumentation and every global it registered. */
  dispose(): Promise<void>;
}

/** Sets up tracing into an {@link InMemorySpanExporter}, the way an application's own SDK would. */
export function setUpInMemoryTracing(options: { instrument?: boolean } = {}): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const registration = options.instrument === false ? undefined : registerInstrumentation(createTracingInstrumentation(provider.getTracer('test')));
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    span(name) {
      const matches = exporter.getFinishedSpans().filter((candidate) => candidate.name === name);
      if (matches.length !== 1) throw new Error(`expected one span named "${name}", found ${matches.length}: ${exporter.getFinishedSpans().map((candidate) => candidate.name).join(', ')}`);
      return matches[0]!;
    },
    async dispose() {
      registration?.dispose();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The id of the span's parent, or undefined for a root span. */
export const parentId = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
