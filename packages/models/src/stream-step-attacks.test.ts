import { describe, expect, it } from 'vitest';
import { InvalidInputError, WorkflowContext, budget, retry } from '@tta/primitives';
import { ModelRequestError, modelStep, simulatedModel, streamStep, type ModelProvider, type ModelStreamPart } from '@tta/models';

/** A provider whose stream is refused (HTTP 429) `refusals` times before it answers. */
function refusingThenAnswering(refusals: number): ModelProvider {
  let calls = 0;
  return {
    specificationVersion: 1,
    providerName: 'custom',
    defaultModel: 'm',
    generate: () => Promise.reject(new Error('not used')),
    async *stream(): AsyncGenerator<ModelStreamPart> {
      calls += 1;
      if (calls <= refusals) throw new ModelRequestError('rate limited', { status: 429, retryable: true, retryAfterMs: 0 });
      yield { type: 'text', text: 'fine' };
      yield { type: 'finish', model: 'm', usage: { inputTokens: 3, outputTokens: 1 }, finishReason: 'stop' };
    },
  };
}

describe('streamStep when the server refuses the stream before any part', () => {
  it('reports no usage for a refused request, as modelStep does, so a refusal spends no call of the budget', async () => {
    const context = WorkflowContext.create();
    const capped = budget(retry(streamStep(refusingThenAnswering(1)), { maxAttempts: 3, initialDelayMs: 1 }), { maxCalls: 1 });
    const chunks = await capped.execute(context, 'Hi');
    const texts: string[] = [];
    for await (const chunk of chunks) texts.push(chunk.text);
    expect(texts).toEqual(['fine']);
    expect(context.usage).toMatchObject({ calls: 1, inputTokens: 3, outputTokens: 1 });
  });
});

describe('a request with bad fields', () => {
  const messages = [{ role: 'user' as const, content: 'Hi' }];
  it.each([
    ['maxOutputTokens', { messages, maxOutputTokens: -1 }],
    ['maxOutputTokens', { messages, maxOutputTokens: 'lots' }],
    ['temperature', { messages, temperature: Number.NaN }],
    ['model', { messages, model: 5 }],
    ['model', { messages, model: '' }],
  ])('is refused before the call with InvalidInputError naming %s', async (field, request) => {
    const error = await modelStep(simulatedModel({ seed: 1 })).run(request as never).catch((caught: unknown) => caught);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(field);
  });
});
