import { describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidOptionsError, WorkflowContext, budget, step } from '@tta/primitives';
import { MockLanguageModelV2 } from 'ai5/test';
import { MockLanguageModelV3 } from 'ai6/test';
import { fromAiSdk, modelStep, streamStep } from '@tta/models';

const prices = { 'mock-model': { inputUsdPerMillionTokens: 1_000, outputUsdPerMillionTokens: 1_000 } };

function streamOf<T>(parts: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

async function collect(chunks: AsyncIterable<{ text: string }>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk.text;
  return text;
}

describe('fromAiSdk with ai 5 (LanguageModelV2)', () => {
  const v2 = () =>
    new MockLanguageModelV2({
      modelId: 'mock-model',
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'Hello from v2' }],
        finishReason: 'stop',
        usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30 },
        warnings: [],
      }),
      doStream: async () => ({
        stream: streamOf([
          { type: 'text-start', id: '1' },
          { type: 'text-delta', id: '1', delta: 'Hel' },
          { type: 'text-delta', id: '1', delta: 'lo' },
          { type: 'text-end', id: '1' },
          { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 } },
        ] as const),
      }),
    });

  it('generates through modelStep, with the prompt, the signal and the usage and cost', async () => {
    const model = v2();
    const context = WorkflowContext.create();
    const answer = await modelStep(fromAiSdk(model), { prices }).execute(context, { messages: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: 'Hi' }], temperature: 0.5 });
    expect(answer).toMatchObject({ text: 'Hello from v2', model: 'mock-model', usage: { inputTokens: 10, outputTokens: 20 }, finishReason: 'stop', costUsd: 0.03 });
    expect(model.doGenerateCalls[0]).toMatchObject({
      prompt: [{ role: 'system', content: 'Be brief' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      temperature: 0.5,
    });
    expect(model.doGenerateCalls[0]?.abortSignal).toBeInstanceOf(AbortSignal);
    expect(context.usage.costUsd).toBe(0.03);
  });

  it('streams through streamStep and counts the usage of the finish part', async () => {
    const context = WorkflowContext.create();
    expect(await collect(await streamStep(fromAiSdk(v2())).execute(context, 'Hi'))).toBe('Hello');
    expect(context.usage).toMatchObject({ calls: 1, inputTokens: 3, outputTokens: 2 });
  });
});

describe('fromAiSdk with ai 6 (LanguageModelV3)', () => {
  const usage = (input: number, output: number) => ({
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  });
  const v3 = () =>
    new MockLanguageModelV3({
      modelId: 'mock-model',
      doGenerate: async () => ({
        content: [{ type: 'text', text: 'Hello from v3' }],
        finishReason: { unified: 'length', raw: 'max_tokens' },
        usage: usage(7, 9),
        warnings: [],
      }),
      doStream: async () => ({
        stream: streamOf([
          { type: 'text-start', id: '1' },
          { type: 'text-delta', id: '1', delta: 'Hi ' },
          { type: 'text-delta', id: '1', delta: 'there' },
          { type: 'text-end', id: '1' },
          { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(4, 5) },
        ] as const),
      }),
    });

  it('reads v3 usage and finish reasons', async () => {
    const context = WorkflowContext.create();
    const answer = await modelStep(fromAiSdk(v3()), { prices }).execute(context, 'Hi');
    expect(answer).toMatchObject({ text: 'Hello from v3', usage: { inputTokens: 7, outputTokens: 9 }, finishReason: 'length', costUsd: 0.016 });
    expect(await collect(await streamStep(fromAiSdk(v3())).execute(context, 'Hi'))).toBe('Hi there');
    expect(context.usage).toMatchObject({ calls: 2, inputTokens: 11, outputTokens: 14 });
  });

  it('is refused by a spent budget before the model is called', async () => {
    const model = v3();
    const ask = modelStep(fromAiSdk(model), { prices });
    const twice = step('twice', async (question: string, context: WorkflowContext) => {
      await ask.execute(context, question);
      return ask.execute(context, question);
    });
    await expect(budget(twice, { maxCalls: 1 }).run('Hi')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('refuses what is not a v2 or v3 language model', () => {
    expect(() => fromAiSdk({} as never)).toThrow(InvalidOptionsError);
    expect(() => fromAiSdk({ ...v3(), specificationVersion: 'v1', doGenerate: () => undefined, doStream: () => undefined } as never)).toThrow(/v2 \(ai 5\) and v3 \(ai 6\)/);
  });
});
