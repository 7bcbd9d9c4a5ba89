import { context as otelContext, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTracingInstrumentation } from '@tta/observability';
import { SequentialPrimitive, step, WorkflowContext, type AnyPrimitive, type Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import type { Scenario } from '../harness.js';
import { increment, width } from '../steps.js';

/** The OpenTelemetry set-up both traced variants share: batch processor, in-memory exporter. */
export interface Tracing {
  readonly tracer: Tracer;
  readonly exporter: InMemorySpanExporter;
  /** Flushes the processor and returns the spans exported so far. */
  finishedSpans(): Promise<ReadableSpan[]>;
  /** Flushes the processor and empties the exporter (keeps memory flat between measurements). */
  drain(): Promise<void>;
  /** Disables the context manager and shuts the provider down. */
  shutdown(): Promise<void>;
}

/** Starts OpenTelemetry with an AsyncLocalStorage context manager, as an application would. */
export function startTracing(): Tracing {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  otelContext.setGlobalContextManager(contextManager);
  const exporter = new InMemorySpanExporter();
  const processor = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('bench');
  return {
    tracer,
    exporter,
    async finishedSpans() {
      await processor.forceFlush();
      return exporter.getFinishedSpans();
    },
    async drain() {
      await processor.forceFlush();
      exporter.reset();
    },
    async shutdown() {
      await provider.shutdown();
      otelContext.disable();
      contextManager.disable();
    },
  };
}

/**
 * The sequential chain with tracing on: ours through `createTracingInstrumentation` (one span per
 * primitive, made current while it runs: 1 span for the sequence + 1 per step), against the same
 * chain written by hand with one active span per step inside one active span for the whole run.
 */
export function createObservabilityScenario(tracing: Tracing): Scenario {
  const { tracer } = tracing;
  const rawChain = async (input: number): Promise<number> => {
    let value = input;
    for (let index = 0; index < width; index++) value = await increment(value);
    return value;
  };

  const endWith = <T>(span: { end(): void }, promise: Promise<T>): Promise<T> =>
    promise.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.end();
        throw error;
      },
    );
  const names = Array.from({ length: width }, (_, index) => `otel-step-${index + 1}`);
  const spanStep = (name: string, value: number): Promise<number> => tracer.startActiveSpan(name, (span) => endWith(span, increment(value)));
  const bareChain = (input: number): Promise<number> =>
    tracer.startActiveSpan('otel-chain', async (span) => {
      try {
        let value = input;
        for (let index = 0; index < width; index++) value = await spanStep(names[index]!, value);
        return value;
      } finally {
        span.end();
      }
    });

  // The attributes createTracingInstrumentation writes on every span (name, kind, correlation id).
  const attributesOf = (name: string, kind: string) => ({ 'tta.primitive.name': name, 'tta.primitive.kind': kind, 'tta.correlation_id': 'bench' });
  const stepAttributes = names.map((name) => attributesOf(name, 'step'));
  const chainAttributes = attributesOf('otel-chain', 'sequential');
  const attributedStep = (index: number, value: number): Promise<number> =>
    tracer.startActiveSpan(names[index]!, { attributes: stepAttributes[index]! }, (span) => endWith(span, increment(value)));
  const attributedChain = (input: number): Promise<number> =>
    tracer.startActiveSpan('otel-chain', { attributes: chainAttributes }, async (span) => {
      try {
        let value = input;
        for (let index = 0; index < width; index++) value = await attributedStep(index, value);
        return value;
      } finally {
        span.end();
      }
    });

  const steps: AnyPrimitive[] = names.map((name) => step(name, increment));
  const chain = new SequentialPrimitive<number, number>(steps, { name: 'otel-chain' });
  const context = new WorkflowContext({ correlationId: 'bench' });
  const instrumentation = createTracingInstrumentation(tracer);
  let registration: Disposable | undefined;

  return {
    id: 'observability',
    title: `Sequential chain of ${width} steps with OpenTelemetry tracing on (${width + 1} spans per run)`,
    steps: width + 1,
    expected: width,
    variants: [
      { label: 'raw await loop (context manager on, no spans)', role: 'raw', run: () => rawChain(0) },
      { label: 'bare OpenTelemetry: startActiveSpan per step', role: 'baseline', run: () => bareChain(0), after: () => tracing.drain() },
      {
        label: 'bare OpenTelemetry + the same 3 attributes per span',
        role: 'baseline',
        run: () => attributedChain(0),
        after: () => tracing.drain(),
        note: 'the hand-written equivalent of what the instrumentation records (name, kind, correlation id)',
      },
      {
        label: '@tta/primitives + createTracingInstrumentation',
        role: 'tta',
        run: () => chain.execute(context, 0),
        before: () => {
          registration = registerInstrumentation(instrumentation);
        },
        after: async () => {
          registration?.dispose();
          registration = undefined;
          await tracing.drain();
        },
      },
    ],
  };
}
