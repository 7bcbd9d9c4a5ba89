import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { ManualClock } from '@tta/primitives/testing';
import { ModelRequestError } from './errors/model-request-error.js';
import { SIMULATED_LABEL, SimulatedModelProvider } from './simulated-model-provider.js';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

async function settle(model: SimulatedModelProvider, clock: ManualClock, prompt: string) {
  const pending = model.complete(ask(prompt)).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await clock.runAllAsync();
  return pending;
}

describe('SimulatedModelProvider', () => {
  it('labels every answer as simulated and reports usage and cost', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, latencyMs: 50, outputTokens: 100 });
    const result = await settle(model, clock, 'Why cache model calls?');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.text.startsWith(SIMULATED_LABEL)).toBe(true);
    expect(result.value.text).toContain('Why cache model calls?');
    expect(result.value.simulated).toBe(true);
    expect(result.value.usage.outputTokens).toBe(100);
    expect(result.value.usage.inputTokens).toBeGreaterThan(0);
    expect(result.value.costUsd).toBeGreaterThan(0);
    expect(result.value.latencyMs).toBe(50);
  });

  it('keeps a custom responder text but still labels it', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, respond: () => 'plan: a, b' });
    const result = await settle(model, clock, 'x');
    expect(result.ok && result.value.text).toBe(`${SIMULATED_LABEL} plan: a, b`);
  });

  it('waits its latency on the injected clock', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, latencyMs: 200 });
    let done = false;
    const pending = model.complete(ask('q')).then(() => (done = true));
    await clock.tickAsync(199);
    expect(done).toBe(false);
    await clock.tickAsync(1);
    await pending;
    expect(done).toBe(true);
  });

  it('repeats the same latencies, failures and texts for the same seed, whatever the call order', async () => {
    const run = async (order: string[]) => {
      const clock = new ManualClock();
      const model = new SimulatedModelProvider({ clock, seed: 7, failureRate: 0.4, latencyMs: { min: 10, max: 90 } });
      const results = new Map<string, string>();
      for (const prompt of order) {
        const outcome = await settle(model, clock, prompt);
        results.set(prompt, outcome.ok ? `${outcome.value.text}|${outcome.value.latencyMs}|${outcome.value.usage.outputTokens}` : String(outcome.error));
      }
      return results;
    };
    const prompts = Array.from({ length: 12 }, (_, index) => `question ${index}`);
    const forward = await run(prompts);
    const backward = await run([...prompts].reverse());
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
  });

  it('gives a different answer stream for a different seed', async () => {
    const texts = async (seed: number) => {
      const clock = new ManualClock();
      const model = new SimulatedModelProvider({ clock, seed });
      const outcomes = [];
      for (let index = 0; index < 5; index++) outcomes.push(await settle(model, clock, `q${index}`));
      return outcomes.map((outcome) => (outcome.ok ? outcome.value.text : ''));
    };
    expect(await texts(1)).not.toEqual(await texts(2));
  });

  it('fails about failureRate of the calls with retryable 429 or 503 errors', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, seed: 3, failureRate: 0.3, latencyMs: 1 });
    let failures = 0;
    for (let index = 0; index < 400; index++) {
      const outcome = await settle(model, clock, `prompt ${index}`);
      if (!outcome.ok) {
        failures++;
        expect(ModelRequestError.isInstance(outcome.error)).toBe(true);
        const error = outcome.error as ModelRequestError;
        expect(error.retryable).toBe(true);
        expect(error.simulated).toBe(true);
        expect([429, 503]).toContain(error.status);
        if (error.status === 429) expect(error.retryAfterMs).toBe(25);
      }
    }
    expect(failures).toBe(model.injectedFailures);
    expect(failures / 400).toBeGreaterThan(0.2);
    expect(failures / 400).toBeLessThan(0.4);
  });

  it('asks the same prompt again with fresh randomness, so a retry can succeed', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, seed: 11, failureRate: 0.5, latencyMs: 1 });
    const outcomes = [];
    for (let index = 0; index < 20; index++) outcomes.push((await settle(model, clock, 'same prompt')).ok);
    expect(outcomes).toContain(true);
    expect(outcomes).toContain(false);
  });

  it('makes slow calls take slowLatencyMs', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, slowRate: 1, slowLatencyMs: 5000, latencyMs: 10 });
    const outcome = await settle(model, clock, 'q');
    expect(outcome.ok && outcome.value.latencyMs).toBe(5000);
  });

  it('rejects with the abort reason and leaves no timer behind', async () => {
    const clock = new ManualClock();
    const model = new SimulatedModelProvider({ clock, latencyMs: 1000 });
    const controller = new AbortController();
    const pending = model.complete(ask('q'), { signal: controller.signal });
    await clock.tickAsync(10);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses invalid options at construction', () => {
    expect(() => new SimulatedModelProvider({ failureRate: 1.5 })).toThrow(InvalidOptionsError);
    expect(() => new SimulatedModelProvider({ latencyMs: { min: 10, max: 5 } })).toThrow(/latencyMs/);
    expect(() => new SimulatedModelProvider({ seed: 1.5 })).toThrow(/seed/);
    expect(() => new SimulatedModelProvider({ outputTokens: -1 })).toThrow(/outputTokens/);
  });
});
