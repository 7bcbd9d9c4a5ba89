import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanStatusCode } from '@opentelemetry/api';
import { WorkflowContext, cache, circuitBreaker, compensation, fallback, step, type Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { PrometheusMetrics } from '../src/prometheus-metrics.js';
import { sample } from '../src/test-support/exposition.js';
import { parentId, setUpInMemoryTracing, type InMemoryTracing } from '../src/test-support/in-memory-tracing.js';

// The toolkit's own recovery and cache primitives, observed end to end through the instrumentation seam.
describe('observability of the recovery and cache primitives', () => {
  let tracing: InMemoryTracing;
  let prometheus: PrometheusMetrics;
  let registration: Disposable;
  beforeEach(() => {
    tracing = setUpInMemoryTracing();
    prometheus = new PrometheusMetrics();
    registration = registerInstrumentation(prometheus.instrumentation);
  });
  afterEach(async () => {
    registration.dispose();
    await tracing.dispose();
  });

  it('marks cache spans with tta.cache.result and counts hits and misses', async () => {
    let calls = 0;
    const answers = cache(
      step('answer', (question: string) => {
        calls++;
        return question.length;
      }),
      { name: 'answers', ttlMs: 60_000 },
    );
    const context = new WorkflowContext();
    await answers.execute(context, 'why?');
    await answers.execute(context, 'why?');
    expect(calls).toBe(1);
    const spans = tracing.spans().filter((span) => span.name === 'answers');
    expect(spans.map((span) => span.attributes['tta.cache.result'])).toEqual(['miss', 'hit']);
    expect(tracing.spans().filter((span) => span.name === 'answer').map((span) => parentId(span))).toEqual([spans[0]!.spanContext().spanId]);
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_cache_requests_total{primitive="answers",result="hit"}')).toBe(1);
    expect(sample(text, 'tta_cache_requests_total{primitive="answers",result="miss"}')).toBe(1);
    expect(JSON.stringify(spans.map((span) => span.events))).not.toContain('why?');
  });

  it('reports the breaker opening on its span and in tta_circuit_breaker_state', async () => {
    const clock = new ManualClock();
    const payments = circuitBreaker(
      step('charge', () => {
        throw new Error('gateway down');
      }),
      { name: 'payments', failureThreshold: 2, breakDurationMs: 1_000, clock },
    );
    const context = new WorkflowContext({ clock });
    for (let index = 0; index < 3; index++) await expect(payments.execute(context, null)).rejects.toThrow();
    const spans = tracing.spans().filter((span) => span.name === 'payments');
    expect(spans).toHaveLength(3);
    expect(spans[1]!.attributes['tta.circuit.state']).toBe('open');
    expect(spans[2]!.attributes['tta.circuit.state']).toBe('open');
    expect(spans.every((span) => span.status.code === SpanStatusCode.ERROR)).toBe(true);
    expect(sample(await prometheus.metrics(), 'tta_circuit_breaker_state{primitive="payments"}')).toBe(2);
  });

  it('shows a saga compensation as undo spans under the compensation span, with a compensate event', async () => {
    const undone: string[] = [];
    const saga = compensation({
      name: 'book-trip',
      steps: [
        { step: step('book-flight', (trip: string) => `${trip}:flight`), undo: step('cancel-flight', () => void undone.push('flight')) },
        {
          step: step('book-hotel', (): string => {
            throw new Error('no rooms');
          }),
          undo: step('cancel-hotel', () => void undone.push('hotel')),
        },
      ],
    });
    await expect(saga.execute(new WorkflowContext(), 'rome')).rejects.toThrow();
    expect(undone).toEqual(['flight']);
    const root = tracing.span('book-trip');
    expect(parentId(tracing.span('cancel-flight'))).toBe(root.spanContext().spanId);
    expect(root.events.map((event) => event.name)).toContain('compensate');
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records a fallback as an event on the fallback span, with both tries as children', async () => {
    const resilient = fallback(
      step('primary-model', (): string => {
        throw new Error('overloaded');
      }),
      [step('backup-model', () => 'backup')], { name: 'answer-with-fallback' },
    );
    expect(await resilient.execute(new WorkflowContext(), null)).toBe('backup');
    const root = tracing.span('answer-with-fallback');
    expect(parentId(tracing.span('primary-model'))).toBe(root.spanContext().spanId);
    expect(parentId(tracing.span('backup-model'))).toBe(root.spanContext().spanId);
    const event = root.events.find((candidate) => candidate.name === 'fallback');
    expect(event?.attributes).toMatchObject({ 'tta.fallback': 'backup-model', 'tta.error.message': 'overloaded' });
  });
});
