import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidOptionsError, WorkflowContext, budget, retry, step } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { ModelRequestError, StreamIdleTimeoutError, modelStep, openAICompatible, simulatedModel, streamStep } from '@tta/models';
import { json, sse, startFakeOpenAIServer, type FakeOpenAIServer } from './test-support/fake-openai-server.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

const prices = { 'fake-model': { inputUsdPerMillionTokens: 10, outputUsdPerMillionTokens: 30 } };
const provider = () => openAICompatible({ baseUrl: server.baseUrl, model: 'fake-model' });

async function collect(chunks: AsyncIterable<{ text: string }>): Promise<string[]> {
  const texts: string[] = [];
  for await (const chunk of chunks) texts.push(chunk.text);
  return texts;
}

describe('streamStep', () => {
  it('yields the text chunks and reports the usage the server sent at the end', async () => {
    server.answer(sse(['Once ', 'upon ', 'a time'], { usage: { prompt_tokens: 1000, completion_tokens: 1000 } }));
    const context = WorkflowContext.create();
    const chunks = await streamStep(provider(), { prices }).execute(context, 'Tell me a story');
    expect(await collect(chunks)).toEqual(['Once ', 'upon ', 'a time']);
    expect(context.usage).toMatchObject({ calls: 1, inputTokens: 1000, outputTokens: 1000, costUsd: 0.04 });
  });

  it('closes a stream that stalls mid-way after idleTimeoutMs, and counts an estimated usage', async () => {
    server.answer(sse(['one ', 'two ', 'three'], { stallAfter: 2 }));
    const events: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => events.push(event) });
    const context = WorkflowContext.create();
    try {
      const chunks = await streamStep(provider(), { idleTimeoutMs: 100 }).execute(context, 'Count');
      const texts: string[] = [];
      const error = await (async () => {
        for await (const chunk of chunks) texts.push(chunk.text);
      })().catch((caught: unknown) => caught);
      expect(texts).toEqual(['one ', 'two ']);
      expect(StreamIdleTimeoutError.isInstance(error)).toBe(true);
      await server.requests.at(-1)!.closedEarly;
    } finally {
      registration.dispose();
    }
    expect(context.usage).toMatchObject({ calls: 1, inputTokens: 2, outputTokens: 2 });
    expect(events.find((event) => event.type === 'usage')).toMatchObject({ estimated: true, model: 'fake-model' });
  });

  it('counts usage when the consumer stops reading, and closes the request', async () => {
    server.answer(sse(['a', 'b', 'c', 'd', 'e', 'f'], { delayMs: 20, usage: { prompt_tokens: 9, completion_tokens: 9 } }));
    const context = WorkflowContext.create();
    const chunks = await streamStep(provider()).execute(context, 'Letters');
    for await (const chunk of chunks) {
      if (chunk.text === 'b') break;
    }
    await server.requests.at(-1)!.closedEarly;
    expect(context.usage.calls).toBe(1);
    expect(context.usage.outputTokens).toBe(1);
  });

  it('fails the step itself when the server refuses the stream, so a retry can see it', async () => {
    server.answer(json({ error: { message: 'slow down' } }, 429, { 'retry-after': '0' }), sse(['fine'], { usage: { prompt_tokens: 1, completion_tokens: 1 } }));
    const attempts: unknown[] = [];
    const retried = retry(streamStep(provider()), { maxAttempts: 3, initialDelayMs: 1 });
    retried.onRetry((event) => attempts.push(event.error));
    expect(await collect(await retried.run('Hi'))).toEqual(['fine']);
    expect(ModelRequestError.isInstance(attempts[0])).toBe(true);
  });

  it('checks the budget before calling', async () => {
    const before = server.requests.length;
    server.answer(sse(['x'], { usage: { prompt_tokens: 1000, completion_tokens: 1000 } }));
    const twice = modelStep(simulatedModel({ seed: 1, model: 'fake-model' }), { prices });
    const workflow = budget(twice.pipe(step('text', (answer: { text: string }) => answer.text)).pipe(streamStep(provider(), { prices })), { maxCalls: 1 });
    await expect(workflow.run('Hi')).rejects.toBeInstanceOf(BudgetExceededError);
    expect(server.requests.length).toBe(before);
  });

  it('streams the simulated model, labelled simulated', async () => {
    const model = simulatedModel({ seed: 3 });
    const texts = await collect(await streamStep(model).run('Hello there'));
    expect(texts.join('')).toMatch(/^\[simulated\] /);
    expect(model.simulated).toBe(true);
  });

  it('refuses a provider that cannot stream and a bad idle timeout', () => {
    const { stream: _stream, ...noStream } = simulatedModel({ seed: 1 });
    expect(() => streamStep(noStream)).toThrow(/cannot stream/);
    expect(() => streamStep(simulatedModel({ seed: 1 }), { idleTimeoutMs: 0 })).toThrow(InvalidOptionsError);
  });
});
