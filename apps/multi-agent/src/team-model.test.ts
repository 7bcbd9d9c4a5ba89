import { describe, expect, it } from 'vitest';
import { InMemoryCacheStore, WorkflowContext } from '@tta/primitives';
import { ModelRequestError, type ModelProvider, type ModelRequest, type ModelResponse } from '@tta-apps/model-provider';
import { createProgressReporter } from './progress.js';
import { TeamModel } from './team-model.js';

type Behaviour = (request: ModelRequest, signal: AbortSignal | undefined, call: number) => Promise<string>;

function scripted(model: string, behaviour: Behaviour): ModelProvider & { calls: number } {
  const provider = {
    name: 'scripted',
    model,
    simulated: true,
    calls: 0,
    async complete(request: ModelRequest, options: { signal?: AbortSignal } = {}): Promise<ModelResponse> {
      provider.calls++;
      const text = await behaviour(request, options.signal, provider.calls);
      return { text, model, provider: 'scripted', simulated: true, usage: { inputTokens: 10, outputTokens: 5 }, costUsd: 0.001, latencyMs: 1 };
    },
  };
  return provider;
}

const unavailable = () => Promise.reject(new ModelRequestError('HTTP 503', { status: 503, retryable: true }));
const hang: Behaviour = (_request, signal) =>
  new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
const ask = (content: string): ModelRequest => ({ messages: [{ role: 'user', content }] });

function team(primary: ModelProvider, backup: ModelProvider, callTimeoutMs = 1000) {
  const lines: string[] = [];
  const progress = createProgressReporter({ stream: { isTTY: false, write: (text: string) => lines.push(text) } });
  const model = new TeamModel({ primary, backup, cacheStore: new InMemoryCacheStore<ModelResponse>(), progress, callTimeoutMs });
  return { model, lines };
}

describe('TeamModel', () => {
  it('falls back to the backup model and counts it for the agent that asked', async () => {
    const { model, lines } = team(scripted('big', unavailable), scripted('small', async () => 'small answer'));
    const planner = model.statsFor('planner', 'planner');
    const response = await model.ask(planner, WorkflowContext.create(), ask('plan it'));
    expect(response.text).toBe('small answer');
    expect(planner.summary()).toMatchObject({ requests: 1, modelCalls: 2, fallbacks: 1, failedCalls: 1, retries: 0, cacheHits: 0, tokens: 15 });
    expect(lines.join('')).toMatch(/planner\s+fallback: HTTP 503 -> small/);
  });

  it('retries when both models fail, then succeeds', async () => {
    const { model } = team(
      scripted('big', (_request, _signal, call) => (call === 1 ? unavailable() : Promise.resolve('big answer'))),
      scripted('small', unavailable),
    );
    const writer = model.statsFor('writer', 'writer');
    expect((await model.ask(writer, WorkflowContext.create(), ask('write it'))).text).toBe('big answer');
    expect(writer.summary()).toMatchObject({ requests: 1, retries: 1, fallbacks: 1, modelCalls: 3, failedCalls: 2 });
  });

  it('cuts off a hanging model at the call timeout and counts the timeout', async () => {
    const { model } = team(scripted('big', hang), scripted('small', async () => 'quick'), 30);
    const critic = model.statsFor('critic-risk', 'critic');
    expect((await model.ask(critic, WorkflowContext.create(), ask('review'))).text).toBe('quick');
    expect(critic.summary()).toMatchObject({ timeouts: 1, fallbacks: 1 });
  });

  it('answers a question another agent asked from the shared cache, also while it is in flight', async () => {
    const primary = scripted('big', async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'shared background';
    });
    const { model } = team(primary, scripted('small', unavailable));
    const context = WorkflowContext.create();
    const [one, two] = [model.statsFor('researcher-1', 'researcher'), model.statsFor('researcher-2', 'researcher')];
    await Promise.all([model.ask(one, context, ask('background')), model.ask(two, context, ask('background'))]);
    const three = model.statsFor('researcher-3', 'researcher');
    await model.ask(three, context, ask('background'));
    expect(primary.calls).toBe(1);
    expect(one.cacheHits + two.cacheHits).toBe(1);
    expect(three.cacheHits).toBe(1);
    expect(one.modelCalls + two.modelCalls + three.modelCalls).toBe(1);
  });
});
