import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceededError, InvalidInputError, InvalidOptionsError, TimeoutError, WorkflowContext, budget, fallback, parallel, retry, step, timeout } from '@tta/primitives';
import { registerInstrumentation, type PrimitiveEvent } from '@tta/primitives/instrumentation';
import { modelStep, openAICompatible, simulatedModel } from '@tta/models';
import { completion, hang, json, startFakeOpenAIServer, type FakeOpenAIServer } from './test-support/fake-openai-server.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

// $10 per million input tokens and $30 per million output: 1,000 + 1,000 tokens cost $0.04.
const prices = { 'fake-model': { inputUsdPerMillionTokens: 10, outputUsdPerMillionTokens: 30 } };
const thousands = { prompt_tokens: 1000, completion_tokens: 1000 };

describe('modelStep', () => {
  it('reports usage and cost to the context, and returns the cost with the answer', async () => {
    server.answer(json(completion('ok', thousands)));
    const ask = modelStep(openAICompatible({ baseUrl: server.baseUrl, model: 'fake-model' }), { prices });
    const events: PrimitiveEvent[] = [];
    const registration = registerInstrumentation({ onEvent: (event) => events.push(event) });
    const context = WorkflowContext.create();
    try {
      const answer = await ask.execute(context, 'Hello');
      expect(answer).toMatchObject({ text: 'ok', model: 'fake-model', costUsd: 0.04 });
    } finally {
      registration.dispose();
    }
    expect(context.usage).toMatchObject({ calls: 1, inputTokens: 1000, outputTokens: 1000, costUsd: 0.04, byModel: { 'fake-model': { calls: 1 } } });
    expect(events).toContainEqual({ type: 'usage', model: 'fake-model', inputTokens: 1000, outputTokens: 1000, costUsd: 0.04, provider: 'openai-compatible' });
    expect(server.requests.at(-1)!.body).toMatchObject({ messages: [{ role: 'user', content: 'Hello' }] });
  });

  it('reports no cost for a model that prices does not list (unknown is not zero)', async () => {
    server.answer(json(completion('ok', thousands, 'other-model')));
    const context = WorkflowContext.create();
    const answer = await modelStep(openAICompatible({ baseUrl: server.baseUrl, model: 'other-model' }), { prices }).execute(context, 'Hello');
    expect(answer.costUsd).toBeUndefined();
    expect(context.usage.costUsd).toBe(0);
    expect(context.usage.calls).toBe(1);
  });

  it('closes the HTTP request when a timeout around it fires', async () => {
    server.answer(hang);
    const seen = server.requests.length;
    const ask = timeout(modelStep(openAICompatible({ baseUrl: server.baseUrl, model: 'fake-model' })), { timeoutMs: 200 });
    const result = ask.run('Hello');
    const request = await server.received(seen + 1);
    await expect(result).rejects.toBeInstanceOf(TimeoutError);
    await request.closedEarly;
  });

  it('stops calling the server once 5 cents are spent, across retries, fallbacks and parallel branches', async () => {
    // Requests cycle: 500, 500, then an answer costing $0.02 (1,000 tokens at these prices). So each
    // successful ask is the primary failing, the fallback failing, a retry, and the primary answering.
    let served = 0;
    server.answer((request, response) => {
      const turn = served++ % 3;
      (turn === 2 ? json(completion('ok', { prompt_tokens: 500, completion_tokens: 500 })) : json({ error: { message: 'overloaded' } }, 500))(request, response);
    });
    // Counted where the client starts each request: the server may see a request that was already on the wire later.
    let started = 0;
    const countingFetch: typeof fetch = (input, init) => {
      started += 1;
      return fetch(input, init);
    };
    const provider = openAICompatible({ baseUrl: server.baseUrl, apiKey: 'sk-test-budget-0123456789', model: 'fake-model', fetch: countingFetch });
    const ask = retry(fallback(modelStep(provider, { prices, name: 'primary' }), [modelStep(provider, { prices, name: 'cheaper' })]), { maxAttempts: 10, initialDelayMs: 1, jitter: 'none' });
    const askTenTimes = step('ask ten times', async (question: string, context: WorkflowContext) => {
      for (let index = 0; index < 10; index++) await ask.execute(context, question);
      return 'done';
    });

    const before = server.requests.length;
    const context = WorkflowContext.create();
    await expect(budget(askTenTimes, { maxCostUsd: 0.05 }).execute(context, 'Hello')).rejects.toBeInstanceOf(BudgetExceededError);
    // Three answers: $0.06 crossed the limit; nothing was sent after it.
    expect(server.requests.length - before).toBe(9);
    expect(started).toBe(9);
    expect(context.usage).toMatchObject({ calls: 3, costUsd: 0.06 });

    served = 0;
    const parallelBefore = server.requests.length;
    const branches = parallel(askTenTimes, askTenTimes, askTenTimes, askTenTimes);
    const shared = WorkflowContext.create();
    await expect(budget(branches, { maxCostUsd: 0.05 }).execute(shared, 'Hello')).rejects.toBeInstanceOf(BudgetExceededError);
    const hits = server.requests.length - parallelBefore;
    const startedAtRejection = started;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started).toBe(startedAtRejection);
    // At most one call per branch was in flight when a report crossed the limit.
    expect(shared.usage.costUsd).toBeLessThanOrEqual(0.05 + 4 * 0.02 + 1e-9);
    expect(hits).toBeLessThan(40);
  });

  it('refuses a bad input and bad options with typed errors', async () => {
    const provider = simulatedModel({ seed: 1 });
    await expect(modelStep(provider).run({ messages: [] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(modelStep(provider).run({ messages: [{ role: 'robot', content: 'x' }] } as never)).rejects.toThrow(/messages\[0\]/);
    expect(() => modelStep({} as never)).toThrow(InvalidOptionsError);
    expect(() => modelStep({ ...provider, specificationVersion: 2 } as never)).toThrow(/specificationVersion/);
    expect(() => modelStep(provider, { prices: { m: { inputUsdPerMillionTokens: -1, outputUsdPerMillionTokens: 1 } } })).toThrow(/prices\.m\.inputUsdPerMillionTokens/);
    expect(() => modelStep(provider, { price: {} } as never)).toThrow(/price/);
  });

  it('is named after the model', () => {
    expect(modelStep(simulatedModel({ seed: 1, model: 'sim' })).name).toBe('model(sim)');
    expect(modelStep(simulatedModel({ seed: 1 }), { name: 'ask' }).name).toBe('ask');
  });
});
