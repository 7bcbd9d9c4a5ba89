import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetExceededError, WorkflowContext, budget, step, type Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { llmStep } from './llm.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { setUpInMemoryTracing, type InMemoryTracing } from './test-support/in-memory-tracing.js';
import { sample } from './test-support/exposition.js';

describe('usage reported with context.reportUsage', () => {
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

  it('counts tokens and cost per model in tta_llm_tokens_total and tta_llm_cost_usd_total', async () => {
    const call = (model: string) =>
      step(`ask ${model}`, (input: string, context: WorkflowContext) => {
        context.reportUsage({ model, inputTokens: 100, outputTokens: 40, costUsd: 0.25, provider: 'openai-compatible' });
        return input;
      });
    const context = new WorkflowContext();
    await call('small').execute(context, 'q');
    await call('small').execute(context, 'q');
    await call('large').execute(context, 'q');
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_llm_tokens_total{model="small",type="input"}')).toBe(200);
    expect(sample(text, 'tta_llm_tokens_total{model="small",type="output"}')).toBe(80);
    expect(sample(text, 'tta_llm_cost_usd_total{model="small"}')).toBe(0.5);
    expect(sample(text, 'tta_llm_cost_usd_total{model="large"}')).toBe(0.25);
  });

  it('puts gen_ai.usage.* attributes on the span of the step that reported', async () => {
    await step('ask', (input: string, context: WorkflowContext) => {
      context.reportUsage({ model: 'small-2025', inputTokens: 12, outputTokens: 3, costUsd: 0.001, provider: 'openai-compatible', estimated: true });
      return input;
    }).execute(new WorkflowContext(), 'q');
    expect(tracing.span('ask').attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'tta.llm.cost_usd': 0.001,
      'tta.llm.usage_estimated': true,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai-compatible',
      'gen_ai.response.model': 'small-2025',
    });
  });

  it('counts an llmStep call once in the metrics, and in the run usage and its budget', async () => {
    const summarise = llmStep('summarise', (text: string) => text, {
      model: 'gpt-4o-mini',
      usage: () => ({ inputTokens: 10, outputTokens: 5, costUsd: 0.03 }),
    });
    const context = new WorkflowContext();
    const twice = step('twice', async (text: string, inner: WorkflowContext) => {
      await summarise.execute(inner, text);
      await summarise.execute(inner, text);
      return summarise.execute(inner, text);
    });
    await expect(budget(twice, { maxCostUsd: 0.05 }).execute(context, 'text')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(context.usage).toMatchObject({ calls: 2, inputTokens: 20, costUsd: 0.06 });
    expect(sample(await prometheus.metrics(), 'tta_llm_tokens_total{model="gpt-4o-mini",type="input"}')).toBe(20);
  });
});
