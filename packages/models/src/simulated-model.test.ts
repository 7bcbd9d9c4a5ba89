import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '@tta/primitives';
import { ModelRequestError, simulatedModel } from '@tta/models';

const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('simulatedModel', () => {
  it('answers the same prompts the same way for the same seed, labelled simulated', async () => {
    const first = simulatedModel({ seed: 11 });
    const second = simulatedModel({ seed: 11 });
    const answers = await Promise.all(['a', 'b', 'c'].map((prompt) => first.generate(ask(prompt), {})));
    const again = await Promise.all(['a', 'b', 'c'].map((prompt) => second.generate(ask(prompt), {})));
    expect(answers).toEqual(again);
    expect(answers[0]!.text).toMatch(/^\[simulated\] simulated \w+: a$/);
    expect(first).toMatchObject({ providerName: 'simulated', simulated: true, specificationVersion: 1 });
    expect(answers[0]!.usage).toEqual({ inputTokens: 1, outputTokens: expect.any(Number) });
  });

  it('fails about failureRate of its calls with a retryable 503, deterministically', async () => {
    const count = async () => {
      const model = simulatedModel({ seed: 5, failureRate: 0.5 });
      let failures = 0;
      for (let index = 0; index < 200; index++) {
        await model.generate(ask('q'), {}).catch((error: unknown) => {
          if (ModelRequestError.isInstance(error) && error.retryable && error.status === 503) failures += 1;
        });
      }
      return failures;
    };
    const failures = await count();
    expect(failures).toBeGreaterThan(70);
    expect(failures).toBeLessThan(130);
    expect(await count()).toBe(failures);
  });

  it('waits latencyMs and stops at once when the signal aborts', async () => {
    const controller = new AbortController();
    const call = simulatedModel({ seed: 1, latencyMs: 10_000 }).generate(ask('q'), { signal: controller.signal });
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });

  it('refuses bad options naming them', () => {
    expect(() => simulatedModel({} as never)).toThrow(/seed/);
    expect(() => simulatedModel({ seed: 1, failureRate: 2 })).toThrow(InvalidOptionsError);
    expect(() => simulatedModel({ seed: 1, latencyMs: -5 })).toThrow(/latencyMs/);
    expect(() => simulatedModel({ seed: 1, rate: 1 } as never)).toThrow(/rate/);
  });
});
