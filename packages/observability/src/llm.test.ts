import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InvalidOptionsError, WorkflowContext, step, type Disposable } from '@tta/primitives';
import { registerInstrumentation } from '@tta/primitives/instrumentation';
import { REDACTED } from '@tta/primitives/logging';
import { llmStep, recordLlmCall } from './llm.js';
import { observabilityState } from './observability-state.js';
import { PrometheusMetrics } from './prometheus-metrics.js';
import { parentId, setUpInMemoryTracing, type InMemoryTracing } from './test-support/in-memory-tracing.js';
import { sample } from './test-support/exposition.js';

interface Reply {
  readonly text: string;
  readonly usage: { readonly input: number; readonly output: number };
}

describe('LLM helpers', () => {
  let tracing: InMemoryTracing;
  let prometheus: PrometheusMetrics;
  let registration: Disposable;
  beforeEach(() => {
    tracing = setUpInMemoryTracing();
    prometheus = new PrometheusMetrics();
    registration = registerInstrumentation(prometheus.instrumentation);
    observabilityState.llmUsage = prometheus;
  });
  afterEach(async () => {
    observabilityState.llmUsage = undefined;
    registration.dispose();
    await tracing.dispose();
  });

  it('llmStep makes a "chat <model>" client span under the step span, with GenAI attributes and usage', async () => {
    let activeInCall: string | undefined;
    const summarise = llmStep(
      'summarise',
      async (text: string): Promise<Reply> => {
        activeInCall = trace.getActiveSpan()?.spanContext().spanId;
        return { text: text.slice(0, 5), usage: { input: 42, output: 7 } };
      },
      {
        model: 'gpt-4o-mini',
        provider: 'openai',
        temperature: 0.2,
        maxTokens: 256,
        usage: (reply) => ({ inputTokens: reply.usage.input, outputTokens: reply.usage.output, costUsd: 0.00012, responseModel: 'gpt-4o-mini-2024-07-18', finishReasons: ['stop'] }),
      },
    );
    const reply = await summarise.execute(new WorkflowContext(), 'a long document');
    expect(reply.text).toBe('a lon');
    const stepSpan = tracing.span('summarise');
    const chat = tracing.span('chat gpt-4o-mini');
    expect(stepSpan.attributes['tta.primitive.kind']).toBe('llm');
    expect(parentId(chat)).toBe(stepSpan.spanContext().spanId);
    expect(activeInCall).toBe(chat.spanContext().spanId);
    expect(chat.kind).toBe(SpanKind.CLIENT);
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 256,
      'gen_ai.usage.input_tokens': 42,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'tta.llm.cost_usd': 0.00012,
    });
    const text = await prometheus.metrics();
    expect(sample(text, 'tta_llm_tokens_total{model="gpt-4o-mini",type="input"}')).toBe(42);
    expect(sample(text, 'tta_llm_tokens_total{model="gpt-4o-mini",type="output"}')).toBe(7);
    expect(sample(text, 'tta_llm_cost_usd_total{model="gpt-4o-mini"}')).toBeCloseTo(0.00012, 10);
    expect(sample(text, 'tta_primitive_executions_total{primitive="summarise",kind="llm",status="success"}')).toBe(1);
  });

  it('records a failed model call with status ERROR and counts no tokens', async () => {
    const failing = llmStep(
      'answer',
      () => {
        throw Object.assign(new Error('rate limited'), { code: 'RATE_LIMITED' });
      },
      { model: 'claude-3-5-haiku', provider: 'anthropic' },
    );
    await expect(failing.execute(new WorkflowContext(), 'q')).rejects.toThrow('rate limited');
    const chat = tracing.span('chat claude-3-5-haiku');
    expect(chat.status.code).toBe(SpanStatusCode.ERROR);
    expect(chat.attributes['error.type']).toBe('RATE_LIMITED');
    expect(await prometheus.metrics()).not.toContain('tta_llm_tokens_total{');
  });

  it('keeps a successful call when the usage reader throws', async () => {
    const answer = llmStep('answer', () => 'ok', {
      model: 'm',
      usage: () => {
        throw new Error('no usage field');
      },
    });
    await expect(answer.execute(new WorkflowContext(), null)).resolves.toBe('ok');
    expect(tracing.span('chat m').status.code).toBe(SpanStatusCode.UNSET);
  });

  it('recordLlmCall records a finished call with its timing under the current span', async () => {
    await step('agent', () => {
      recordLlmCall({
        model: 'gpt-4o',
        system: 'openai',
        operation: 'text_completion',
        startTime: 1_700_000_000_000,
        durationMs: 1_500,
        inputTokens: 10,
        outputTokens: 20,
        costUsd: 0.5,
        attributes: { authorization: 'Bearer abcdefghijklmnop', promptTemplate: 'v3' },
      });
    }).execute(new WorkflowContext(), null);
    const call = tracing.span('text_completion gpt-4o');
    expect(parentId(call)).toBe(tracing.span('agent').spanContext().spanId);
    expect(call.startTime).toEqual([1_700_000_000, 0]);
    expect(call.duration).toEqual([1, 500_000_000]);
    expect(call.attributes).toMatchObject({ authorization: REDACTED, prompt_template: 'v3', 'gen_ai.provider.name': 'openai', 'gen_ai.usage.output_tokens': 20 });
    expect(sample(await prometheus.metrics(), 'tta_llm_tokens_total{model="gpt-4o",type="output"}')).toBe(20);
  });

  it('refuses an llmStep without a model at construction', () => {
    expect(() => llmStep('x', () => 1, { model: '' })).toThrow(/model/);
  });

  it('refuses bad llmStep arguments with InvalidOptionsError naming the argument and the value', () => {
    expect(() => llmStep('x', () => 1, { model: '' })).toThrow(InvalidOptionsError);
    expect(() => llmStep('x', () => 1, { model: '' })).toThrow('llmStep "x": option "model" must be a non-empty string (got "")');
    expect(() => llmStep('x', 42 as never, { model: 'gpt-4o' })).toThrow('llmStep "x": option "fn" must be a function (input, context) => output (got 42)');
    expect(() => llmStep('x', () => 1, { model: 'gpt-4o', usage: 'tokens' as never })).toThrow('llmStep "x": option "usage" must be a function (output) => usage when given (got "tokens")');
  });
});
