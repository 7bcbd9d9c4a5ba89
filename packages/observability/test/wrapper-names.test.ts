import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowContext, retry, step, timeout, type Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { PrometheusMetrics } from '../src/prometheus-metrics.js';
import { sample } from '../src/test-support/exposition.js';
import { parentId, setUpInMemoryTracing, type InMemoryTracing } from '../src/test-support/in-memory-tracing.js';

// Unnamed wrappers are named after what they wrap, so each is its own series and span name.
describe('unnamed wrappers in Prometheus and spans', () => {
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

  it('gives two unnamed retries around different steps two series, with kind retry', async () => {
    const reserve = retry(step('reserve-stock', (order: string) => order));
    const charge = retry(step('charge-card', (order: string) => order));
    const context = new WorkflowContext();
    await reserve.execute(context, 'order-1');
    await charge.execute(context, 'order-1');
    await charge.execute(context, 'order-2');
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_primitive_executions_total{primitive="retry(reserve-stock)",kind="retry",status="success"}')).toBe(1);
    expect(sample(text, 'tta_primitive_executions_total{primitive="retry(charge-card)",kind="retry",status="success"}')).toBe(2);
    expect(text).not.toContain('primitive="retry",');
  });

  it('names nested spans after what they wrap, and keeps a 64-character name as a label', async () => {
    const longStep = step('fetch-customer-profile-and-recent-orders-from-the-crm', (id: string) => id);
    const guarded = timeout(retry(longStep), { timeoutMs: 1_000 });
    await guarded.execute(new WorkflowContext(), 'c-1');
    const outer = tracing.span(guarded.name);
    const middle = tracing.span(`retry(${longStep.name})`);
    expect(guarded.name).toHaveLength(64);
    expect(guarded.name).toMatch(/^timeout\(retry\(fetch-customer-profile-and-recent-orders-…[0-9a-f]{8}$/);
    expect(parentId(middle)).toBe(outer.spanContext().spanId);
    const text = await prometheus.metrics();
    expect(sample(text, `tta_primitive_executions_total{primitive="${guarded.name}",kind="timeout",status="success"}`)).toBe(1);
  });
});
