import { describe, expect, it } from 'vitest';
import { FallbackExhaustedError, WorkflowContext } from '@tta/primitives';
import { ModelRequestError, SimulatedModelProvider, type ModelProvider, type ModelRequest, type ModelResponse } from '@tta-apps/model-provider';
import { ANSWERED_BY, CACHE_OUTCOME, createAnswerWorkflow } from './answer-workflow.js';

const failing = (model: string): ModelProvider & { calls: number } => {
  const provider = {
    name: 'failing',
    model,
    simulated: true,
    calls: 0,
    complete: async (_request: ModelRequest): Promise<ModelResponse> => {
      provider.calls++;
      throw new ModelRequestError(`${model}: HTTP 503`, { status: 503, retryable: true });
    },
  };
  return provider;
};
const hanging: ModelProvider = {
  name: 'hanging',
  model: 'hanging',
  simulated: true,
  complete: (_request, options = {}) =>
    new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true })),
};
const healthy = (model: string) => new SimulatedModelProvider({ model, latencyMs: 1 });

describe('createAnswerWorkflow (cache -> retry -> fallback -> timeout)', () => {
  it('answers from the backup model when the primary fails', async () => {
    const workflow = createAnswerWorkflow({ primary: failing('big'), backup: healthy('small'), initialDelayMs: 1 });
    const context = WorkflowContext.create();
    const answer = await workflow.execute(context, { question: 'Why?' });
    expect(answer.model).toBe('small');
    expect(answer.text).toMatch(/^\[simulated\]/);
    expect(context.state.get(ANSWERED_BY)).toBe('small');
  });

  it('cuts off a hanging primary at the call timeout', async () => {
    const workflow = createAnswerWorkflow({ primary: hanging, backup: healthy('small'), callTimeoutMs: 20 });
    expect((await workflow.execute(WorkflowContext.create(), { question: 'Stuck?' })).model).toBe('small');
  });

  it('retries the pair and gives up after maxAttempts with every cause kept', async () => {
    const primary = failing('big');
    const backup = failing('small');
    const workflow = createAnswerWorkflow({ primary, backup, maxAttempts: 3, initialDelayMs: 1 });
    const error = await workflow.execute(WorkflowContext.create(), { question: 'Down?' }).catch((caught: unknown) => caught);
    expect(FallbackExhaustedError.isInstance(error)).toBe(true);
    expect((error as FallbackExhaustedError).errors).toHaveLength(2);
    expect(primary.calls).toBe(3);
    expect(backup.calls).toBe(3);
  });

  it('answers a repeated question from the cache, and asks again when fresh is set', async () => {
    const primary = healthy('big');
    const workflow = createAnswerWorkflow({ primary, backup: healthy('small') });
    await workflow.execute(WorkflowContext.create(), { question: 'Cache me' });
    const second = WorkflowContext.create();
    await workflow.execute(second, { question: 'cache me' });
    expect(second.state.has(ANSWERED_BY)).toBe(false);
    expect(primary.calls).toBe(1);
    const fresh = WorkflowContext.create();
    await workflow.execute(fresh, { question: 'Cache me', fresh: true });
    expect(fresh.state.get(ANSWERED_BY)).toBe('big');
    expect(primary.calls).toBe(2);
  });

  it('reports miss, shared (joined a call in flight), hit and bypass as the cache outcome', async () => {
    const primary = new SimulatedModelProvider({ model: 'big', latencyMs: 30 });
    const workflow = createAnswerWorkflow({ primary, backup: healthy('small') });
    const leader = WorkflowContext.create();
    const joiner = WorkflowContext.create();
    const [first, second] = await Promise.all([workflow.execute(leader, { question: 'Once?' }), workflow.execute(joiner, { question: 'once?' })]);
    expect(second).toBe(first);
    expect(primary.calls).toBe(1);
    expect(leader.state.get(CACHE_OUTCOME)).toBe('miss');
    expect(joiner.state.get(CACHE_OUTCOME)).toBe('shared');
    const later = WorkflowContext.create();
    await workflow.execute(later, { question: 'Once?' });
    expect(later.state.get(CACHE_OUTCOME)).toBe('hit');
    const fresh = WorkflowContext.create();
    await workflow.execute(fresh, { question: 'Once?', fresh: true });
    expect(fresh.state.get(CACHE_OUTCOME)).toBe('bypass');
  });
});
