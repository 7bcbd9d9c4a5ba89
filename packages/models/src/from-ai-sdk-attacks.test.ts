import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BudgetExceededError, WorkflowContext, budget, retry, step } from '@tta/primitives';
import { APICallError } from 'ai5';
import { MockLanguageModelV2 } from 'ai5/test';
import { MockLanguageModelV3 } from 'ai6/test';
import { ModelRequestError, ModelResponseError, fromAiSdk, modelStep, streamStep, type ModelProvider } from '@tta/models';

const question = 'What is the capital of France, and why?';

function streamOf<T>(parts: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

describe('fromAiSdk when the SDK reports no token counts', () => {
  it('estimates the missing counts of an ai 5 answer and marks them estimated, instead of counting zero', async () => {
    const model = new MockLanguageModelV2({
      modelId: 'mock-model',
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'Paris, because it is the seat of government.' }],
        finishReason: 'stop',
        usage: { inputTokens: undefined, outputTokens: undefined, totalTokens: undefined },
        warnings: [],
      }),
    });
    const answer = await modelStep(fromAiSdk(model)).run(question);
    expect(answer.usage.estimated).toBe(true);
    expect(answer.usage.inputTokens).toBeGreaterThan(0);
    expect(answer.usage.outputTokens).toBeGreaterThan(0);
  });

  it('holds a token budget for an ai 6 model whose usage has no totals', async () => {
    const model = new MockLanguageModelV3({
      modelId: 'mock-model',
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'Paris, because it is the seat of government.' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
        warnings: [],
      }),
    });
    const ask = modelStep(fromAiSdk(model));
    const twice = step('ask twice', async (prompt: string, context: WorkflowContext) => {
      await ask.execute(context, prompt);
      return ask.execute(context, prompt);
    });
    const capped = budget(twice, { maxTokens: 20 });
    await expect(capped.run(question)).rejects.toSatisfy(BudgetExceededError.isInstance);
  });

  it('estimates a stream whose finish part has no counts', async () => {
    const model = new MockLanguageModelV2({
      modelId: 'mock-model',
      doStream: async () => ({
        stream: streamOf([
          { type: 'text-delta', id: '1', delta: 'Paris, the seat of government.' },
          { type: 'finish', finishReason: 'stop', usage: { inputTokens: undefined, outputTokens: 7, totalTokens: undefined } },
        ] as const),
      }),
    });
    const context = WorkflowContext.create();
    const chunks = await streamStep(fromAiSdk(model)).execute(context, question);
    for await (const chunk of chunks) void chunk;
    expect(context.usage.inputTokens).toBeGreaterThan(0);
    expect(context.usage.outputTokens).toBe(7);
  });
});

describe('modelStep with a provider that breaks its contract', () => {
  const answering = (response: unknown): ModelProvider => ({ specificationVersion: 1, providerName: 'custom', generate: async () => response as never });

  it('refuses an answer without usage with ModelResponseError naming the provider, not a TypeError', async () => {
    const error = await modelStep(answering({ text: 'hi', model: 'm', finishReason: 'stop' })).run('Hello').catch((caught: unknown) => caught);
    expect(ModelResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('custom');
    expect((error as Error).message).toContain('usage');
  });

  it('refuses an answer without text', async () => {
    const error = await modelStep(answering({ model: 'm', usage: { inputTokens: 1, outputTokens: 1 }, finishReason: 'stop' })).run('Hello').catch((caught: unknown) => caught);
    expect(ModelResponseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('text');
  });
});

describe('fromAiSdk when the SDK call fails', () => {
  const failing = (error: unknown, calls: { count: number }) =>
    new MockLanguageModelV2({
      modelId: 'mock-model',
      doGenerate: async () => {
        calls.count += 1;
        throw error;
      },
    });
  const leakedKey = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';

  it('makes a non-retryable API error (401) a ModelRequestError that retry() gives up on at once, without the echoed key', async () => {
    const calls = { count: 0 };
    const unauthorized = new APICallError({
      message: `Incorrect API key provided: ${leakedKey}`,
      url: 'https://api.example/v1/chat/completions',
      requestBodyValues: { prompt: 'secret prompt' },
      statusCode: 401,
      responseBody: `{"error":"Incorrect API key provided: ${leakedKey}"}`,
      isRetryable: false,
    });
    const error = await retry(modelStep(fromAiSdk(failing(unauthorized, calls))), { maxAttempts: 3, initialDelayMs: 1 }).run('Hello').catch((caught: unknown) => caught);
    expect(calls.count).toBe(1);
    expect(ModelRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, retryable: false });
    expect(inspect(error, { depth: 10 })).not.toContain(leakedKey);
  });

  it('keeps a 429 retryable, with retryAfterMs from the response headers', async () => {
    const limited = new APICallError({
      message: 'Rate limited',
      url: 'https://api.example/v1/chat/completions',
      requestBodyValues: {},
      statusCode: 429,
      responseHeaders: { 'retry-after': '2' },
      isRetryable: true,
    });
    const error = await modelStep(fromAiSdk(failing(limited, { count: 0 }))).run('Hello').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2_000 });
  });
});
