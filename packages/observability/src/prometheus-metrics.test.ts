import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowContext, metrics as coreMetrics, step, type Disposable } from '@tta/primitives';
import { emitPrimitiveEvent, registerInstrumentation, systemClock, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ManualClock } from '@tta/primitives/testing';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { findBinary, runWithInput } from './test-support/services.js';
import { sample } from './test-support/exposition.js';


const promtool = findBinary('promtool');

describe('PrometheusMetrics', () => {
  let prometheus: PrometheusMetrics;
  let registration: Disposable;
  let clock: ManualClock;

  beforeEach(() => {
    clock = new ManualClock();
    coreMetrics.configure({ clock });
    prometheus = new PrometheusMetrics();
    registration = registerInstrumentation(prometheus.instrumentation);
  });
  afterEach(() => {
    registration.dispose();
    coreMetrics.configure({ clock: systemClock });
  });

  const slow = (name: string, ms: number, fail = false) =>
    step(name, () => {
      clock.advance(ms);
      if (fail) throw new Error('boom');
      return 'done';
    });

  it('counts executions by primitive, kind and status', async () => {
    const context = new WorkflowContext();
    await slow('summarise', 10).execute(context, null);
    await slow('summarise', 10).execute(context, null);
    await expect(slow('summarise', 10, true).execute(context, null)).rejects.toThrow('boom');
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_primitive_executions_total{primitive="summarise",kind="step",status="success"}')).toBe(2);
    expect(sample(text, 'tta_primitive_executions_total{primitive="summarise",kind="step",status="failure"}')).toBe(1);
  });

  it('puts durations into cumulative buckets that reach LLM latencies', async () => {
    const context = new WorkflowContext();
    await slow('llm', 3).execute(context, null); // 0.003 s
    await slow('llm', 30_000).execute(context, null); // 30 s
    await slow('llm', 95_000).execute(context, null); // beyond the last bucket
    const text = await prometheus.metrics();
    const bucket = (le: string) => sample(text, `tta_primitive_duration_seconds_bucket{le="${le}",primitive="llm",kind="step"}`);
    expect(bucket('0.001')).toBe(0);
    expect(bucket('0.005')).toBe(1);
    expect(bucket('20')).toBe(1);
    expect(bucket('40')).toBe(2);
    expect(bucket('80')).toBe(2);
    expect(bucket('+Inf')).toBe(3);
    expect(sample(text, 'tta_primitive_duration_seconds_count{primitive="llm",kind="step"}')).toBe(3);
    expect(sample(text, 'tta_primitive_duration_seconds_sum{primitive="llm",kind="step"}')).toBeCloseTo(125.003, 6);
  });

  it('counts retries, cache results and tracks the breaker state from events', async () => {
    const source = { name: 'fetch-user', kind: 'retry' };
    emitPrimitiveEvent({ type: 'retry', attempt: 1, delayMs: 0, error: undefined }, source, undefined);
    emitPrimitiveEvent({ type: 'retry', attempt: 2, delayMs: 0, error: undefined }, source, undefined);
    const cacheSource = { name: 'answers', kind: 'cache' };
    const cacheEvents: PrimitiveEvent[] = [
      { type: 'cache-hit', key: 'k', stale: false, ageMs: 1 },
      { type: 'cache-hit', key: 'k', stale: false, ageMs: 2 },
      { type: 'cache-miss', key: 'j', joined: false },
      { type: 'cache-stale', key: 'k', ageMs: 3, refreshStarted: true },
      { type: 'cache-evict', key: 'k', reason: 'expired' },
    ];
    for (const event of cacheEvents) emitPrimitiveEvent(event, cacheSource, undefined);
    const breaker = { name: 'payments', kind: 'circuit-breaker' };
    emitPrimitiveEvent({ type: 'circuit-break', error: undefined, isolated: false, breakDurationMs: 1_000 }, breaker, undefined);
    let text = await prometheus.metrics();
    expect(sample(text, 'tta_retry_attempts_total{primitive="fetch-user"}')).toBe(2);
    expect(sample(text, 'tta_cache_requests_total{primitive="answers",result="hit"}')).toBe(2);
    expect(sample(text, 'tta_cache_requests_total{primitive="answers",result="miss"}')).toBe(1);
    expect(sample(text, 'tta_cache_requests_total{primitive="answers",result="stale"}')).toBe(1);
    expect(sample(text, 'tta_circuit_breaker_state{primitive="payments"}')).toBe(2);
    emitPrimitiveEvent({ type: 'circuit-half-open' }, breaker, undefined);
    expect(sample(await prometheus.metrics(), 'tta_circuit_breaker_state{primitive="payments"}')).toBe(1);
    emitPrimitiveEvent({ type: 'circuit-reset' }, breaker, undefined);
    text = await prometheus.metrics();
    expect(sample(text, 'tta_circuit_breaker_state{primitive="payments"}')).toBe(0);
  });

  it('adds LLM tokens by type and cost by model, ignoring missing or invalid amounts', async () => {
    prometheus.recordLlmUsage('gpt-4o-mini', 120, 30, 0.0004);
    prometheus.recordLlmUsage('gpt-4o-mini', 80, undefined, Number.NaN);
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_llm_tokens_total{model="gpt-4o-mini",type="input"}')).toBe(200);
    expect(sample(text, 'tta_llm_tokens_total{model="gpt-4o-mini",type="output"}')).toBe(30);
    expect(sample(text, 'tta_llm_cost_usd_total{model="gpt-4o-mini"}')).toBeCloseTo(0.0004, 10);
  });

  it('bounds the primitive label: ids and URLs, and names past the limit, become other', async () => {
    const bounded = new PrometheusMetrics({ maxPrimitiveLabels: 3 });
    const done = registerInstrumentation(bounded.instrumentation);
    try {
      const context = new WorkflowContext();
      for (const name of ['a', 'b', 'https://api.example.com/users/1', '550e8400-e29b-41d4-a716-446655440000', 'c', 'd', 'e']) {
        await step(name, () => null).execute(context, null);
      }
      const text = await bounded.metrics();
      const primitives = new Set([...text.matchAll(/tta_primitive_executions_total\{primitive="([^"]+)"/g)].map((match) => match[1]));
      expect(primitives).toEqual(new Set(['a', 'b', 'c', 'other']));
      expect(sample(text, 'tta_primitive_executions_total{primitive="other",kind="step",status="success"}')).toBe(4);
      expect(text).not.toContain('example.com');
    } finally {
      done.dispose();
    }
  });

  it('keeps separate series for one name used by primitives of different kinds', async () => {
    const context = new WorkflowContext();
    await step('shared', () => 1).execute(context, null);
    await emitAndRun(context);
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_primitive_executions_total{primitive="shared",kind="step",status="success"}')).toBe(1);
    expect(sample(text, 'tta_primitive_executions_total{primitive="shared",kind="sequential",status="success"}')).toBe(1);
  });

  it.skipIf(promtool === undefined)('writes an exposition that promtool accepts', async () => {
    await slow('parse', 2).execute(new WorkflowContext(), null);
    emitPrimitiveEvent({ type: 'retry', attempt: 1, delayMs: 0, error: undefined }, { name: 'parse', kind: 'retry' }, undefined);
    prometheus.recordLlmUsage('gpt-4o-mini', 1, 1, 0.1);
    const result = await runWithInput(promtool!, ['check', 'metrics'], await prometheus.metrics());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });
});

async function emitAndRun(context: WorkflowContext): Promise<void> {
  const { SequentialPrimitive } = await import('@tta/primitives');
  await new SequentialPrimitive([step('x', () => 1)], { name: 'shared' }).execute(context, null);
}
